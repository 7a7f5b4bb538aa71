"""Stochastic gradient descent, with optional heavy-ball or Nesterov momentum."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_range


def sgd_update(params, grad, slots, hyper, lr, t):
    """v <- beta*v + g;  theta <- theta - lr*v  (Nesterov: theta - lr*(g + beta*v)).

    Updates every entry of ``params`` and ``slots`` in place (the lazy sparse
    step passes the touched coordinates gathered, see :mod:`skgd._kernels`).
    """
    beta = hyper[0]
    velocity = slots[0]
    # one loop per case, with no branch inside, so that LLVM vectorizes each
    if beta == 0.0:
        for j in range(params.shape[0]):
            params[j] -= lr * grad[j]
    elif hyper[1] != 0.0:  # Nesterov
        for j in range(params.shape[0]):
            velocity[j] = beta * velocity[j] + grad[j]
            params[j] -= lr * (grad[j] + beta * velocity[j])
    else:
        for j in range(params.shape[0]):
            velocity[j] = beta * velocity[j] + grad[j]
            params[j] -= lr * velocity[j]

class SGD(Optimizer):
    """Gradient descent with optional momentum.

    The update is ``v <- momentum * v + g`` and ``theta <- theta - eta * v``.
    With ``nesterov=True`` the step looks ahead: ``theta <- theta - eta * (g +
    momentum * v)``. With ``momentum=0`` this is plain (stochastic) gradient
    descent ``theta <- theta - eta * g``.

    Parameters
    ----------
    momentum : float, default=0.0
        Momentum coefficient beta in [0, 1).
    nesterov : bool, default=False
        Use Nesterov's accelerated gradient. Needs ``momentum > 0``.

    See Also
    --------
    Adam : Adaptive moment estimation.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd.optimizers import SGD
    >>> opt = SGD(momentum=0.9)
    >>> state = opt.init(2)
    >>> params, state = opt.update(np.array([1.0, -2.0]), state, np.zeros(2), 0.1)
    >>> params
    array([-0.1,  0.2])
    """

    n_slots = 1
    _code = 0

    def __init__(self, momentum: float = 0.0, nesterov: bool = False):
        self.momentum = momentum
        self.nesterov = nesterov

    def _validate(self) -> None:
        check_range("momentum", self.momentum, 0.0, 1.0, high_open=True)
        if self.nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0; got momentum=0.")

    def _hyper(self) -> np.ndarray:
        return np.array([float(self.momentum), float(bool(self.nesterov))])
