"""Finite-difference check of a gradient."""

from __future__ import annotations

import numpy as np


def check_gradient(fun, grad, x, eps: float = 1e-6) -> float:
    """Largest relative difference between ``grad(x)`` and central differences of ``fun``.

    For each coordinate ``j`` the numerical derivative is
    ``(fun(x + eps e_j) - fun(x - eps e_j)) / (2 eps)``. The difference is
    measured as ``|g - g_num| / max(1, |g|, |g_num|)``, so it is relative for
    large components and absolute for small ones.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float``.
    grad : callable
        ``grad(x) -> ndarray`` of the same shape as ``x``.
    x : array-like
        Point at which to check; not modified.
    eps : float, default=1e-6
        Finite-difference step.

    Returns
    -------
    float
        The largest difference; about 1e-8 or less for a correct gradient of a
        smooth function in float64.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd import check_gradient
    >>> check_gradient(lambda x: (x ** 3).sum(), lambda x: 3 * x ** 2, np.array([1.0, 2.0])) < 1e-6
    True
    """
    from ._checks import check_range
    from ._validation import scalar_value

    check_range("eps", eps, 0.0, low_open=True)
    x = np.array(x, dtype=np.float64, copy=True)
    analytic = np.asarray(grad(x.copy()), dtype=np.float64).ravel()
    flat = x.ravel()
    if analytic.shape != flat.shape:
        raise ValueError(f"grad(x) has {analytic.shape[0]} components but x has {flat.shape[0]}.")
    numeric = np.empty_like(flat)
    for j in range(flat.shape[0]):
        step = np.zeros_like(flat)
        step[j] = eps
        up = scalar_value(fun((flat + step).reshape(x.shape)))
        down = scalar_value(fun((flat - step).reshape(x.shape)))
        numeric[j] = (up - down) / (2 * eps)
    scale = np.maximum(1.0, np.maximum(np.abs(analytic), np.abs(numeric)))
    return float(np.max(np.abs(analytic - numeric) / scale)) if flat.size else 0.0
