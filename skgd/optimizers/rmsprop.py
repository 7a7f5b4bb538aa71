"""RMSProp: steps scaled by a moving average of squared gradients."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_range


def rmsprop_update(params, grad, slots, hyper, lr, t):
    """s <- rho*s + (1-rho)*g^2;  theta <- theta - lr * g / (sqrt(s) + eps), in place."""
    rho = hyper[0]
    eps = hyper[1]
    avg = slots[0]
    for j in range(params.shape[0]):
        avg[j] = rho * avg[j] + (1.0 - rho) * grad[j] * grad[j]
        params[j] -= lr * grad[j] / (np.sqrt(avg[j]) + eps)

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

    n_slots = 1
    _code = 2

    def __init__(self, rho: float = 0.9, eps: float = 1e-8):
        self.rho = rho
        self.eps = eps

    def _validate(self) -> None:
        check_range("rho", self.rho, 0.0, 1.0, high_open=True)
        check_range("eps", self.eps, 0.0, low_open=True)

    def _hyper(self) -> np.ndarray:
        return np.array([float(self.rho), float(self.eps)])
