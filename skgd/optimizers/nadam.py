"""NAdam: Adam with a Nesterov look-ahead on the first moment."""

from __future__ import annotations

import numpy as np

from .adam import Adam


def nadam_update(params, grad, slots, hyper, lr, t, n_coef, index, n_index):
    """Adam whose step uses beta1*m_hat(t+1) + (1-beta1)*g/(1-beta1^t) (Dozat, 2016).

    ``n_index < 0`` updates every parameter, otherwise only ``index[:n_index]``.
    """
    beta1, beta2, eps = hyper[0], hyper[1], hyper[2]
    m, v = slots[0], slots[1]
    correction1 = 1.0 - beta1**t
    correction1_next = 1.0 - beta1 ** (t + 1)
    correction2 = 1.0 - beta2**t
    for q in range(params.shape[0] if n_index < 0 else n_index):
        j = q if n_index < 0 else index[q]
        m[j] = beta1 * m[j] + (1.0 - beta1) * grad[j]
        v[j] = beta2 * v[j] + (1.0 - beta2) * grad[j] * grad[j]
        m_bar = beta1 * m[j] / correction1_next + (1.0 - beta1) * grad[j] / correction1
        params[j] -= lr * m_bar / (np.sqrt(v[j] / correction2) + eps)


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
