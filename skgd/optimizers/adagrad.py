"""AdaGrad: per-parameter steps scaled by the accumulated squared gradients."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_range


def adagrad_update(params, grad, slots, hyper, lr, t):
    """G <- G + g^2;  theta <- theta - lr * g / (sqrt(G) + eps), in place."""
    eps = hyper[0]
    acc = slots[0]
    for j in range(params.shape[0]):
        acc[j] += grad[j] * grad[j]
        params[j] -= lr * grad[j] / (np.sqrt(acc[j]) + eps)

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

    n_slots = 1
    _code = 1

    def __init__(self, eps: float = 1e-8):
        self.eps = eps

    def _validate(self) -> None:
        check_range("eps", self.eps, 0.0, low_open=True)

    def _hyper(self) -> np.ndarray:
        return np.array([float(self.eps)])
