"""AdaGrad: per-parameter steps scaled by the accumulated squared gradients."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_range


class AdaGrad(Optimizer):
    """AdaGrad (Duchi, Hazan and Singer, 2011).

    ``G <- G + g**2`` and ``theta <- theta - eta * g / (sqrt(G) + eps)``: steps
    shrink fastest for the parameters that have seen the largest gradients.

    Parameters
    ----------
    eps : float, default=1e-8
        Added to the denominator for numerical stability.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd.optimizers import AdaGrad
    >>> opt = AdaGrad()
    >>> params, state = opt.update(np.array([2.0]), opt.init(1), np.zeros(1), 0.5)
    >>> params.round(6)
    array([-0.5])
    """

    rule = "adagrad"
    slots = ("sum_of_squares",)
    hyperparameters = ("eps",)

    def __init__(self, eps: float = 1e-8):
        self.eps = eps

    def _validate(self) -> None:
        check_range("eps", self.eps, 0.0, low_open=True, owner=self)

    def update(self, grad, state, params, learning_rate, n_coef=None):
        grad, state, params = self._start(grad, state, params)
        total = state.slots[0]
        total += grad * grad
        return params - learning_rate * grad / (np.sqrt(total) + self.eps), state
