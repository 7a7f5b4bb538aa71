"""NAdam: Adam with a Nesterov look-ahead on the first moment."""

from __future__ import annotations

import numpy as np

from ._base import _bias_powers
from .adam import Adam


class NAdam(Adam):
    """NAdam: Nesterov-accelerated Adam (Dozat, 2016), in optax's form.

    The step uses ``beta1 * m / (1 - beta1**(t+1)) + (1 - beta1) * g / (1 -
    beta1**t)`` in place of Adam's ``m_hat``. ``amsgrad`` is not supported.

    Parameters
    ----------
    beta1, beta2, eps
        As in :class:`Adam`.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd.optimizers import NAdam
    >>> opt = NAdam()
    >>> params, state = opt.update(np.array([1.0]), opt.init(1), np.zeros(1), 0.1)
    >>> float(params[0].round(4))
    -0.1474
    """

    rule = "nadam"
    slots = ("m", "v")
    hyperparameters = ("beta1", "beta2", "eps")
    amsgrad = False

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps

    def update(self, grad, state, params, learning_rate, n_coef=None):
        grad, state, params = self._start(grad, state, params)
        beta1, beta2 = float(self.beta1), float(self.beta2)
        m, v = self._moments(grad, state)
        power1, power2 = _bias_powers(beta1, beta2, state.t)
        # the Nesterov look-ahead: beta1 m_hat(t + 1) + (1 - beta1) g / (1 - beta1^t)
        look = beta1 * m / (1.0 - power1 * beta1) + (1.0 - beta1) * grad / (1.0 - power1)
        v_hat = v / (1.0 - power2)
        return params - learning_rate * look / (np.sqrt(v_hat) + self.eps), state
