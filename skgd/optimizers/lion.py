"""Lion: the sign of an interpolated momentum (Chen et al., 2023)."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_range
from .adamw import decay


class Lion(Optimizer):
    """Lion, "EvoLved Sign Momentum" (Chen et al., 2023).

    Every coordinate moves by exactly the learning rate, in the direction of
    the sign of an interpolation of the momentum and the gradient:

    ``c = beta1 m + (1 - beta1) g``,
    ``theta <- theta - eta (sign(c) + weight_decay theta)``,
    ``m <- beta2 m + (1 - beta2) g``.

    The weight decay is decoupled (as in :class:`AdamW`), applies to the
    coefficients only, and is not part of the objective J. Because its steps
    have a fixed size, Lion wants learning rates 3 to 10 times smaller than
    Adam's.

    Parameters
    ----------
    beta1 : float, default=0.9
        Weight of the momentum in the step's direction, in [0, 1).
    beta2 : float, default=0.99
        Decay of the momentum, in [0, 1).
    weight_decay : float, default=0.0
        Decoupled weight decay, >= 0.

    References
    ----------
    X. Chen et al., "Symbolic Discovery of Optimization Algorithms",
    NeurIPS 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd.optimizers import Lion
    >>> opt = Lion()
    >>> params, state = opt.update(np.array([0.5, -3.0, 0.0]), opt.init(3), np.zeros(3), 0.1)
    >>> params
    array([-0.1,  0.1,  0. ])
    >>> state.slots[0]
    array([ 0.005, -0.03 ,  0.   ])
    """

    rule = "lion"
    slots = ("m",)
    hyperparameters = ("beta1", "beta2", "weight_decay")

    def __init__(self, beta1: float = 0.9, beta2: float = 0.99, weight_decay: float = 0.0):
        self.beta1 = beta1
        self.beta2 = beta2
        self.weight_decay = weight_decay

    def _validate(self) -> None:
        check_range("beta1", self.beta1, 0.0, 1.0, high_open=True, owner=self)
        check_range("beta2", self.beta2, 0.0, 1.0, high_open=True, owner=self)
        check_range("weight_decay", self.weight_decay, 0.0, owner=self)

    def update(self, grad, state, params, learning_rate, n_coef=None):
        grad, state, params = self._start(grad, state, params)
        beta1, beta2 = float(self.beta1), float(self.beta2)
        m = state.slots[0]
        params = decay(params, learning_rate, self.weight_decay, n_coef)
        params -= learning_rate * np.sign(beta1 * m + (1.0 - beta1) * grad)
        m *= beta2
        m += (1.0 - beta2) * grad
        return params, state
