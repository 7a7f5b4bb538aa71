"""Adam and its AMSGrad variant."""

from __future__ import annotations

import numpy as np

from .._checks import check_bool
from ._base import Optimizer, _bias_powers, check_range


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015).

    ``m <- beta1 m + (1 - beta1) g``, ``v <- beta2 v + (1 - beta2) g**2``,
    ``theta <- theta - eta * m_hat / (sqrt(v_hat) + eps)`` with the bias-corrected
    ``m_hat = m / (1 - beta1**t)`` and ``v_hat = v / (1 - beta2**t)``.
    With ``amsgrad=True`` the running maximum of ``v`` is used instead of ``v``
    (Reddi, Kale and Kumar, 2018).

    Parameters
    ----------
    beta1 : float, default=0.9
        Decay of the first-moment estimate, in [0, 1).
    beta2 : float, default=0.999
        Decay of the second-moment estimate, in [0, 1).
    eps : float, default=1e-8
        Added to the denominator for numerical stability.
    amsgrad : bool, default=False
        Use the AMSGrad variant.

    See Also
    --------
    AdamW : Adam with decoupled weight decay.
    NAdam : Adam with Nesterov momentum.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd.optimizers import Adam
    >>> opt = Adam()
    >>> params, state = opt.update(np.array([0.5, -3.0]), opt.init(2), np.zeros(2), 0.1)
    >>> params.round(6)
    array([-0.1,  0.1])
    """

    rule = "adam"
    slots = ("m", "v", "v_max")
    hyperparameters = ("beta1", "beta2", "eps", "amsgrad")

    def __init__(
        self,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        amsgrad: bool = False,
    ):
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.amsgrad = amsgrad

    def _validate(self) -> None:
        check_range("beta1", self.beta1, 0.0, 1.0, high_open=True, owner=self)
        check_range("beta2", self.beta2, 0.0, 1.0, high_open=True, owner=self)
        check_range("eps", self.eps, 0.0, low_open=True, owner=self)
        check_bool("amsgrad", self.amsgrad, owner=self)

    def update(self, grad, state, params, learning_rate, n_coef=None):
        grad, state, params = self._start(grad, state, params)
        return self._adam_step(grad, state, params, learning_rate), state

    def _moments(self, grad, state):
        """The moving averages of the gradient and its square, updated in ``state``."""
        beta1, beta2 = float(self.beta1), float(self.beta2)
        m, v = state.slots[0], state.slots[1]
        m *= beta1
        m += (1.0 - beta1) * grad
        v *= beta2
        v += (1.0 - beta2) * grad * grad
        return m, v

    def _adam_step(self, grad, state, params, learning_rate):
        beta1, beta2 = float(self.beta1), float(self.beta2)
        m, v = self._moments(grad, state)
        if self.amsgrad:
            np.maximum(state.slots[2], v, out=state.slots[2])
            v = state.slots[2]
        power1, power2 = _bias_powers(beta1, beta2, state.t)
        m_hat = m / (1.0 - power1)
        v_hat = v / (1.0 - power2)
        return params - learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
