"""AdamW: Adam followed by decoupled weight decay."""

from __future__ import annotations

import numpy as np

from ._base import check_range
from .adam import Adam


def decoupled_weight_decay(coef, lr, weight_decay, lag):
    """theta <- theta - lr * weight_decay * theta for every entry of ``coef``, in place.

    ``lag`` empty decays each entry once. Otherwise entry ``q`` is decayed
    ``lag[q]`` times: the decays it missed while the lazy sparse step left it
    alone (exact, since decays commute).
    """
    shrink = 1.0 - lr * weight_decay
    if lag.shape[0] == 0:
        for j in range(coef.shape[0]):
            coef[j] *= shrink
        return
    for q in range(coef.shape[0]):
        coef[q] *= shrink ** lag[q]

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

    _code = 4

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
        check_range("weight_decay", self.weight_decay, 0.0)

    def _hyper(self) -> np.ndarray:
        return np.append(super()._hyper(), float(self.weight_decay))
