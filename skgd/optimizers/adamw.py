"""AdamW: Adam followed by decoupled weight decay."""

from __future__ import annotations

from ._base import check_range
from .adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    Each update first shrinks the coefficients, ``theta <- theta - eta * wd *
    theta``, then takes an :class:`Adam` step. Unlike an L2 penalty, the decay
    is not rescaled by Adam's per-parameter step sizes, and it is not part of the
    objective J. Intercepts are not decayed.

    Parameters
    ----------
    beta1, beta2, eps, amsgrad
        As in :class:`Adam`.
    weight_decay : float, default=1e-4
        Decay coefficient, >= 0. The default is optax's; PyTorch uses 0.01,
        which on unscaled coefficients pulls the fit visibly away from the
        minimum of J.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd.optimizers import AdamW
    >>> opt = AdamW(weight_decay=0.1)
    >>> params, state = opt.update(np.zeros(1), opt.init(1), np.array([1.0]), 0.5)
    >>> params
    array([0.95])
    """

    rule = "adamw"
    hyperparameters = ("beta1", "beta2", "eps", "amsgrad", "weight_decay")

    def __init__(
        self,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        amsgrad: bool = False,
        weight_decay: float = 1e-4,
    ):
        super().__init__(beta1=beta1, beta2=beta2, eps=eps, amsgrad=amsgrad)
        self.weight_decay = weight_decay

    def _validate(self) -> None:
        super()._validate()
        check_range("weight_decay", self.weight_decay, 0.0, owner=self)

    def update(self, grad, state, params, learning_rate, n_coef=None):
        grad, state, params = self._start(grad, state, params)
        params = decay(params, learning_rate, self.weight_decay, n_coef)
        return self._adam_step(grad, state, params, learning_rate), state


def decay(params, learning_rate, weight_decay, n_coef=None):
    """Decoupled weight decay of the coefficients ``params[:n_coef]`` (all if None), in place."""
    n_coef = params.shape[0] if n_coef is None else int(n_coef)
    params[:n_coef] *= 1.0 - learning_rate * weight_decay
    return params
