"""The optimality measure: the one number the stopping rule reads.

For parameters ``theta`` with gradient ``g`` of J, the measure is

    m(theta) = max_j |g*_j| / s_j

- ``g*`` is the gradient, except for coefficients under an L1 penalty that
  sit at 0 (or within ``tol`` times the largest coefficient of it, where
  subgradient steps leave them jittering): there J has no gradient, and
  ``g*_j`` is its minimum-norm subgradient ``sign(h_j) max(|h_j| - a1, 0)``
  with ``h_j`` the gradient of the smooth part. It is 0 exactly when the
  coordinate is optimal at 0.
- ``s`` is the problem's gradient scale, fixed for a problem: for the
  estimators ``s_j = sum_i w_i |x_ij| |dL_i/d eta| / sum_i w_i`` at the null
  model (zero coefficients, the best constant intercept), the size of
  gradient component ``j`` before its terms cancel; for :func:`skgd.minimize`
  the largest gradient component at the start.

So ``m`` is the gradient in units of its own natural size: scaling y, X,
the weights or the objective leaves it unchanged, and ``m <= 1e-5`` means
each component has cancelled to 1e-5 of its size. Near the optimum the
distance to it is about the gradient divided by the curvature, so on
ill-conditioned problems (condition number 1e3 and above) a smaller ``tol``
is needed for the same accuracy.
"""

from __future__ import annotations

import numpy as np

#: Scales below this fraction of the largest of their group (coefficients,
#: intercepts) are raised to it: a column with no values has no scale of its
#: own, and one that (almost) never occurs would turn rounding into a huge
#: measure.
_SCALE_FLOOR = 1e-8


def gradient_scale(terms: np.ndarray, n_coef: int | None = None) -> np.ndarray:
    """The scale vector ``s`` from the gradient's terms (see the module docstring).

    Parameters
    ----------
    terms : ndarray of shape (n_params,)
        ``sum_i w_i |x_ij| |dL_i/d eta| / sum_i w_i`` per parameter, or any
        non-negative size of each gradient component.
    n_coef : int, default=None
        The coefficients are ``terms[:n_coef]`` and the intercepts the rest:
        each group is floored against its own largest entry, so that the
        scale of X (which the coefficients' terms carry and the intercepts'
        do not) cannot push every coefficient to the floor. None: one group.

    Returns
    -------
    ndarray of shape (n_params,)
        Positive everywhere: entries below ``1e-8`` times the largest of
        their group are raised to it, and a group whose terms are all 0 (a
        perfect fit at the null model, or no column with a value) is all
        ones.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd._optimality import gradient_scale
    >>> gradient_scale(np.array([2.0, 0.0, 1.0])).tolist()
    [2.0, 2e-08, 1.0]
    >>> gradient_scale(np.array([0.5, 0.0, 1.0]), n_coef=2).tolist()
    [0.5, 5e-09, 1.0]
    """
    terms = np.abs(np.asarray(terms, dtype=np.float64))
    if n_coef is None or not 0 < n_coef < terms.shape[0]:
        return _floored(terms)
    return np.concatenate([_floored(terms[:n_coef]), _floored(terms[n_coef:])])


def _floored(terms: np.ndarray) -> np.ndarray:
    largest = float(np.max(terms, initial=0.0))
    if not (largest > 0 and np.isfinite(largest)):
        return np.ones_like(terms)
    return np.maximum(terms, _SCALE_FLOOR * largest)


def optimality(
    grad: np.ndarray,
    params: np.ndarray,
    scale: np.ndarray | float,
    *,
    a1: float = 0.0,
    n_coef: int = 0,
    tol: float | None = None,
) -> float:
    """The measure ``m(theta)`` of the module docstring.

    Parameters
    ----------
    grad : ndarray of shape (n_params,)
        The gradient of J at ``params`` (with the L1 part's sign term).
    params : ndarray of shape (n_params,)
    scale : ndarray of shape (n_params,) or float
        The problem's gradient scale.
    a1 : float, default=0.0
        Strength of the L1 part of the penalty on the first ``n_coef`` entries.
    n_coef : int, default=0
        Number of penalized coefficients (they come first).
    tol : float, default=None
        Coefficients within ``tol`` times the largest coefficient of 0 count
        as at 0 for the L1 subgradient. None: only exact zeros.

    Returns
    -------
    float
        ``inf`` if the gradient is not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd._optimality import optimality
    >>> optimality(np.array([0.5, -2.0]), np.array([1.0, 1.0]), np.array([1.0, 4.0]))
    0.5

    An L1 coefficient at 0 whose smooth gradient is smaller than ``a1`` is optimal:

    >>> optimality(np.array([0.3]), np.array([0.0]), 1.0, a1=0.5, n_coef=1)
    0.0
    """
    g = np.asarray(grad, dtype=np.float64)
    if not np.all(np.isfinite(g)):
        return float("inf")
    if a1 > 0 and n_coef > 0:
        g = g.copy()
        coef = params[:n_coef]
        band = 0.0 if tol is None else tol * float(np.max(np.abs(coef), initial=0.0))
        at_zero = np.abs(coef) <= band
        # the smooth part's gradient: take the L1 term's sign back out
        smooth = g[:n_coef][at_zero] - a1 * np.sign(coef[at_zero])
        g[:n_coef][at_zero] = np.sign(smooth) * np.maximum(np.abs(smooth) - a1, 0.0)
    with np.errstate(over="ignore"):
        return float(np.max(np.abs(g) / scale, initial=0.0))


def newton_distance(
    hessian_vector, grad: np.ndarray, *, max_steps: int, limit: float
) -> tuple[float, bool]:
    """How far the Newton step ``H^-1 g`` reaches, by conjugate gradients: the optimum's distance.

    The gradient measure says how much the gradient has cancelled, not how
    far the optimum is: on a problem whose Hessian has a tiny eigenvalue (nearly
    collinear features) a small gradient can sit far from it, since the
    distance is about ``H^-1 g``. Conjugate gradients on ``H d = g`` from
    ``d = 0`` make ``|d|_2`` grow at every step towards ``|H^-1 g|_2``, so
    ``|d|_2 / sqrt(n)`` is a lower bound on the Newton step's largest entry
    from the first step on.

    Parameters
    ----------
    hessian_vector : callable
        ``v -> H v``.
    grad : ndarray of shape (n,)
    max_steps : int
        At most this many products (one pass over the data each).
    limit : float
        Stop as soon as the lower bound exceeds it (the answer is then known).

    Returns
    -------
    distance : float
        ``|d|_inf`` of the last iterate.
    settled : bool
        True when ``distance`` is the Newton step's (the residual fell below
        1e-3 of ``|g|``) or is proved to exceed ``limit``; False when the
        steps ran out first (or the curvature was not positive), and then
        ``distance`` is only an estimate.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd._optimality import newton_distance
    >>> H = np.diag([1.0, 1e-6])  # condition number 1e6
    >>> d, settled = newton_distance(lambda v: H @ v, np.array([1e-5, 1e-5]), max_steps=5,
    ...                              limit=100.0)
    >>> round(d, 6), settled  # a gradient of 1e-5, ten units from the optimum
    (10.0, True)
    """
    g = np.asarray(grad, dtype=np.float64)
    n = g.shape[0]
    d = np.zeros(n)
    r = g.copy()
    p = r.copy()
    rs = float(r @ r)
    target = 1e-6 * rs  # |r| <= 1e-3 |g|
    if rs == 0.0:
        return 0.0, True
    for _ in range(max_steps):
        hp = np.asarray(hessian_vector(p), dtype=np.float64)
        curvature = float(p @ hp)
        if not (np.isfinite(curvature) and curvature > 0):
            return float(np.max(np.abs(d))), False
        alpha = rs / curvature
        d += alpha * p
        r -= alpha * hp
        if float(np.linalg.norm(d)) / np.sqrt(n) > limit:
            return float(np.max(np.abs(d))), True
        new = float(r @ r)
        if new <= target:
            return float(np.max(np.abs(d))), True
        p = r + (new / rs) * p
        rs = new
    return float(np.max(np.abs(d))), False


__all__ = ["gradient_scale", "newton_distance", "optimality"]
