"""NAdam: Adam with a Nesterov look-ahead on the first moment."""

from __future__ import annotations

import numpy as np

from .adam import Adam


def nadam_update(params, grad, slots, hyper, lr, t):
    """Adam whose step uses beta1*m_hat(t+1) + (1-beta1)*g/(1-beta1^t) (Dozat, 2016), in place."""
    beta1, beta2, eps = hyper[0], hyper[1], hyper[2]
    m, v = slots[0], slots[1]
    # beta**t by repeated squaring (libm's pow is slow next to the update)
    power1, power2, b1, b2, k = 1.0, 1.0, beta1, beta2, t
    while k > 0:
        if k & 1:
            power1 *= b1
            power2 *= b2
        b1 *= b1
        b2 *= b2
        k >>= 1
    # the bias corrections as per-step constants: one division per coordinate
    c_m = beta1 / (1.0 - power1 * beta1)
    c_g = (1.0 - beta1) / (1.0 - power1)
    inv_root2 = 1.0 / np.sqrt(1.0 - power2)
    for j in range(params.shape[0]):
        g = grad[j]
        m[j] = beta1 * m[j] + (1.0 - beta1) * g
        v[j] = beta2 * v[j] + (1.0 - beta2) * g * g
        params[j] -= lr * (c_m * m[j] + c_g * g) / (np.sqrt(v[j]) * inv_root2 + eps)

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

    _code = 5
    amsgrad = False

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
