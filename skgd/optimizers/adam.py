"""Adam and its AMSGrad variant."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_range


def adam_update(params, grad, slots, hyper, lr, t):
    """Adam with bias correction, in place; AMSGrad keeps the running maximum of v."""
    beta1, beta2, eps = hyper[0], hyper[1], hyper[2]
    m, v, v_max = slots[0], slots[1], slots[2]
    # beta**t by repeated squaring: two calls of libm's pow took as long as
    # the whole update of 100 coordinates (batch size 1 pays it every row)
    power1, power2, b1, b2, k = 1.0, 1.0, beta1, beta2, t
    while k > 0:
        if k & 1:
            power1 *= b1
            power2 *= b2
        b1 *= b1
        b2 *= b2
        k >>= 1
    # m_hat / (sqrt(v_hat) + eps) with the corrections taken out of the loop
    # (as PyTorch does): one division and one square root per coordinate.
    step = lr / (1.0 - power1)
    inv_root2 = 1.0 / np.sqrt(1.0 - power2)
    if hyper[3] == 0.0:
        for j in range(params.shape[0]):
            g = grad[j]
            m[j] = beta1 * m[j] + (1.0 - beta1) * g
            v[j] = beta2 * v[j] + (1.0 - beta2) * g * g
            params[j] -= step * m[j] / (np.sqrt(v[j]) * inv_root2 + eps)
        return
    for j in range(params.shape[0]):  # AMSGrad: the running maximum of v
        g = grad[j]
        m[j] = beta1 * m[j] + (1.0 - beta1) * g
        v[j] = beta2 * v[j] + (1.0 - beta2) * g * g
        v_max[j] = max(v_max[j], v[j])
        params[j] -= step * m[j] / (np.sqrt(v_max[j]) * inv_root2 + eps)

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

    n_slots = 3
    _code = 3

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
        check_range("beta1", self.beta1, 0.0, 1.0, high_open=True)
        check_range("beta2", self.beta2, 0.0, 1.0, high_open=True)
        check_range("eps", self.eps, 0.0, low_open=True)

    def _hyper(self) -> np.ndarray:
        return np.array(
            [float(self.beta1), float(self.beta2), float(self.eps), float(bool(self.amsgrad))]
        )
