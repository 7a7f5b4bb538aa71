"""RMSProp: steps scaled by a moving average of squared gradients."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_range


class RMSProp(Optimizer):
    """RMSProp (Hinton, 2012).

    ``s <- rho * s + (1 - rho) * g**2`` and
    ``theta <- theta - eta * g / (sqrt(s) + eps)``.

    Parameters
    ----------
    rho : float, default=0.9
        Decay of the moving average of squared gradients, in [0, 1).
    eps : float, default=1e-8
        Added to the denominator for numerical stability.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd.optimizers import RMSProp
    >>> params, state = RMSProp().update(np.array([1.0]), RMSProp().init(1), np.zeros(1), 0.01)
    >>> float(params[0].round(4))
    -0.0316
    """

    rule = "rmsprop"
    slots = ("mean_square",)
    hyperparameters = ("rho", "eps")

    def __init__(self, rho: float = 0.9, eps: float = 1e-8):
        self.rho = rho
        self.eps = eps

    def _validate(self) -> None:
        check_range("rho", self.rho, 0.0, 1.0, high_open=True, owner=self)
        check_range("eps", self.eps, 0.0, low_open=True, owner=self)

    def update(self, grad, state, params, learning_rate, n_coef=None):
        grad, state, params = self._start(grad, state, params)
        rho = float(self.rho)
        average = state.slots[0]
        average *= rho
        average += (1.0 - rho) * grad * grad
        return params - learning_rate * grad / (np.sqrt(average) + self.eps), state
