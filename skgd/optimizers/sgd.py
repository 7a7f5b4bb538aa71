"""Stochastic gradient descent, with optional heavy-ball or Nesterov momentum."""

from __future__ import annotations

from .._checks import check_bool
from ._base import Optimizer, check_range


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

    rule = "sgd"
    slots = ("velocity",)
    hyperparameters = ("momentum", "nesterov")

    def __init__(self, momentum: float = 0.0, nesterov: bool = False):
        self.momentum = momentum
        self.nesterov = nesterov

    def _validate(self) -> None:
        check_range("momentum", self.momentum, 0.0, 1.0, high_open=True, owner=self)
        check_bool("nesterov", self.nesterov, owner=self)
        if self.nesterov and self.momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0; got momentum=0.")

    def update(self, grad, state, params, learning_rate, n_coef=None):
        grad, state, params = self._start(grad, state, params)
        beta = float(self.momentum)
        if beta == 0.0:
            return params - learning_rate * grad, state
        velocity = state.slots[0]
        velocity *= beta
        velocity += grad
        if self.nesterov:
            return params - learning_rate * (grad + beta * velocity), state
        return params - learning_rate * velocity, state
