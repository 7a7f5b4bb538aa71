"""Uncertainty for :class:`ExponentialGrowthRegressor`: standard errors,
dispersion, confidence intervals and the Wallinga-Lipsitch reproduction number.

Kept apart from the estimator so the statistics can be read (and checked
against a textbook) in one place. Everything here works on plain arrays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import sparse, stats

LN2 = float(np.log(2.0))
#: exp overflows float64 just above this; predictions clip eta here.
MAX_ETA = float(np.log(np.finfo(np.float64).max))
#: Above this many features the (d+1) x (d+1) information matrix is not formed.
MAX_FEATURES_FOR_SE = 100


class Inference(NamedTuple):
    """What ``fit`` keeps to build intervals later."""

    unscaled_cov: np.ndarray  # inverse information at dispersion 1, [coef..., intercept]
    dispersion: float  # Pearson chi2/df (poisson) or residual variance (the others)
    df_resid: float
    estimated_scale: bool  # True: the loss has no known scale (least squares)


def design(X, fit_intercept: bool):
    """[X, 1] (or X): the columns the parameters multiply."""
    if not fit_intercept:
        return X
    ones = np.ones((X.shape[0], 1), dtype=np.float64)
    if sparse.issparse(X):
        return sparse.hstack([X, ones], format="csr")
    return np.hstack([np.asarray(X, dtype=np.float64), ones])


def _weighted_gram(A, v):
    """A^T diag(v) A as a dense float64 array."""
    if sparse.issparse(A):
        return np.asarray((A.T @ A.multiply(v[:, None]).tocsr()).toarray(), dtype=np.float64)
    A = np.asarray(A, dtype=np.float64)
    return A.T @ (A * v[:, None])


def standardizer(X, w, *, center: bool, scale: bool):
    """Weighted column means and standard deviations (0 and 1 where not used).

    Sparse columns are not centred (that would densify them); they are scaled
    by their weighted root mean square instead.
    """
    w = w / np.max(w)  # first, so that weights near 1e308 do not overflow the sum
    w = w / w.sum()
    if sparse.issparse(X):
        shift = np.zeros(X.shape[1])
        spread = np.sqrt(np.asarray(X.multiply(X).T @ w, dtype=np.float64).ravel())
    else:
        Xf = np.asarray(X, dtype=np.float64)
        mean = w @ Xf
        shift = mean if center else np.zeros(X.shape[1])
        spread = np.sqrt(w @ (Xf - shift) ** 2)
    ok = np.isfinite(spread) & (spread > 0)
    spread = np.where(ok, spread, 1.0) if scale else np.ones(X.shape[1])
    return shift, spread


def standardize(X, shift, scale):
    """(X - shift) / scale in X's dtype; CSR stays sparse."""
    if sparse.issparse(X):
        return (X @ sparse.diags(1.0 / scale)).astype(X.dtype).tocsr()
    return ((np.asarray(X, dtype=np.float64) - shift) / scale).astype(X.dtype)


def log_linear_start(X, z, w, fit_intercept: bool) -> np.ndarray:
    """Weighted least squares of ``z`` on X: the flat parameters [coef..., intercept].

    The starting point of every fit: for counts in the thousands and times in
    days it is already close to the Poisson optimum, so the optimizer only
    polishes it instead of climbing from I0 = 1, r = 0.
    """
    n_features = X.shape[1]
    A = design(X, fit_intercept)
    sw = np.sqrt(w)
    if sparse.issparse(A):
        from scipy.sparse.linalg import lsqr

        theta = lsqr(sparse.diags(sw) @ A, sw * z, atol=1e-12, btol=1e-12)[0]
    else:
        theta = np.linalg.lstsq(A * sw[:, None], sw * z, rcond=None)[0]
    params = np.zeros(n_features + 1)
    params[: theta.shape[0]] = theta
    return params


def inference(loss: str, X, y, w, coef, intercept, *, fit_intercept: bool, a2: float):
    """Covariance of the fitted [coef..., intercept] at dispersion 1, and the dispersion.

    ``sample_weight`` counts as frequency weights here (a weight of 2 is a
    repeated observation), so the residual degrees of freedom are
    ``sum(w) - n_params``.

    - ``'poisson'``: inverse observed Fisher information ``(A^T diag(w mu) A)^-1``
      (for the log link it equals the expected one); dispersion is Pearson
      ``sum w (y - mu)^2 / mu / df`` (quasi-Poisson).
    - ``'log_squared_error'``: OLS on log y, ``(A^T W A)^-1`` times the residual
      variance of log y.
    - ``'squared_error'``: Gauss-Newton ``(J^T W J)^-1`` with ``J = mu A``, times
      the residual variance.

    An L2 penalty adds ``sum(w) * a2`` to the information of the coefficients
    (the Hessian of the penalized objective); the intervals then describe the
    penalized estimate and are not calibrated.
    """
    A = design(X, fit_intercept)
    n_params = A.shape[1]
    eta = np.asarray(X @ coef, dtype=np.float64).ravel() + intercept
    mu = np.exp(np.minimum(eta, MAX_ETA))
    # Everything is computed for the weights in units of the largest, then
    # scaled back: the information is proportional to the weights and the
    # dispersion does not depend on their scale, so weights near 1e308 or
    # 1e-320 give the same intervals as any other scale would, instead of sums
    # that overflow to inf / inf.
    unit = float(np.max(w))
    w = w / unit
    total = float(w.sum())
    with np.errstate(over="ignore"):
        df = total * unit - n_params
    # the dispersion's denominator df / unit, without forming df
    per_unit = total - n_params / unit
    if loss == "poisson":
        info = _weighted_gram(A, w * mu)
        pearson = float(np.sum(w * (y - mu) ** 2 / mu))
        dispersion, estimated = (pearson / per_unit if df > 0 else np.nan), False
    elif loss == "log_squared_error":
        info = _weighted_gram(A, w)
        rss = float(np.sum(w * (np.log(y) - eta) ** 2))
        dispersion, estimated = (rss / per_unit if df > 0 else np.nan), True
    else:
        info = _weighted_gram(A, w * mu**2)
        rss = float(np.sum(w * (y - mu) ** 2))
        dispersion, estimated = (rss / per_unit if df > 0 else np.nan), True
    if a2 > 0:
        n_coef = X.shape[1]
        info[np.arange(n_coef), np.arange(n_coef)] += total * a2
    try:
        with np.errstate(over="ignore"):
            cov = np.linalg.inv(info) / unit
    except np.linalg.LinAlgError:
        cov = np.full_like(info, np.nan)
    if not np.all(np.isfinite(cov)):
        cov = np.full_like(info, np.nan)
    return Inference(cov, float(dispersion), df, estimated)


def scale_and_quantile(inf: Inference, dispersion, level: float) -> tuple[float, float]:
    """The variance multiplier and the two-sided quantile for ``level``.

    ``dispersion='auto'``: for Poisson, widen by the Pearson dispersion when it
    is above 1 (quasi-Poisson) and use Student's t on the residual degrees of
    freedom, since the scale was estimated; otherwise the plain Poisson
    intervals with the normal quantile (so that equidispersed counts are not
    narrowed by a dispersion that is below 1 by chance). For the
    least-squares losses the residual variance with t, always.
    ``'pearson'``: the estimated dispersion even if below 1, with t.
    A number: that dispersion, treated as known (normal quantile).
    """
    from .._checks import check_range

    check_range("level", level, 0.0, 1.0, low_open=True, high_open=True)
    upper = 0.5 + level / 2
    if isinstance(dispersion, str):
        if dispersion not in ("auto", "pearson"):
            raise ValueError(
                f"dispersion must be 'auto', 'pearson' or a positive number; got {dispersion!r}."
            )
        phi = inf.dispersion
        use_estimate = inf.estimated_scale or dispersion == "pearson" or phi > 1.0
        if use_estimate and np.isfinite(phi) and inf.df_resid > 0:
            return phi, float(stats.t.ppf(upper, inf.df_resid))
        if inf.estimated_scale:
            return np.nan, np.nan
        return 1.0, float(stats.norm.ppf(upper))
    phi = float(dispersion)
    if not phi > 0:
        raise ValueError(f"dispersion must be positive; got {dispersion!r}.")
    return phi, float(stats.norm.ppf(upper))


def doubling_time(rate):
    """ln 2 / r, with r == 0 giving inf (no growth: never doubles)."""
    rate = np.asarray(rate, dtype=np.float64)
    with np.errstate(divide="ignore"):
        out = np.where(rate == 0, np.inf, LN2 / np.where(rate == 0, 1.0, rate))
    return out if out.ndim else float(out)


def doubling_time_interval(r_low: float, r_high: float) -> tuple[float, float, bool]:
    """The doubling times ``ln2 / r`` of the growth rates r in ``[r_low, r_high]``.

    Returns ``(lower, upper, two_rays)`` with ``lower = ln2 / r_high`` and
    ``upper = ln2 / r_low`` (``ln2 / 0 = inf``: no growth never doubles).
    ``ln2 / r`` decreases on each side of 0, so when both rates have one
    sign this is the interval ``[lower, upper]`` (negative throughout for
    decline: minus the halving times). When the rates' interval contains 0
    (``r_low < 0 <= r_high``) the doubling times form two rays through
    infinity, ``(-inf, upper] U [lower, +inf)`` with ``upper < 0 < lower``,
    and ``two_rays`` is True: growth slower than doubling every ``lower``,
    no growth at all, or decline slower than halving every ``-upper``.
    A single ray would leave out every doubling time of one sign.
    """
    if not (np.isfinite(r_low) and np.isfinite(r_high)):
        return np.nan, np.nan, False
    return doubling_time(r_high), doubling_time(r_low), bool(r_low < 0 <= r_high)


def in_doubling_set(value, lower, upper, two_rays) -> np.ndarray:
    """Whether doubling times lie in the set described by ``(lower, upper, two_rays)``."""
    value = np.asarray(value, dtype=np.float64)
    inside = (value >= lower) & (value <= upper)
    return np.where(two_rays, (value >= lower) | (value <= upper), inside)


def describe_doubling_set(lower: float, upper: float, two_rays: bool, unit: str) -> str:
    """The doubling-time set in words, e.g. ``'<= -4.34 or >= 5.38 days'``."""
    if two_rays:
        parts = []
        if np.isfinite(upper):
            parts.append(f"<= {fmt(upper)}")
        if np.isfinite(lower):
            parts.append(f">= {fmt(lower)}")
        text = " or ".join(parts) if parts else "any value"
        return f"{text} {unit}s (growth rate not distinguishable from 0)"
    return f"[{fmt(lower)}, {fmt(upper)}] {unit}s"


def fmt(value: float) -> str:
    """Four significant digits, ``inf`` and ``nan`` spelled out."""
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    if np.isnan(value):
        return "nan"
    return f"{value:#.4g}".rstrip(".")


def wallinga_lipsitch(rate, mean: float, sd: float):
    """R = 1 / M(-r) for a gamma generation interval with this mean and sd.

    With shape ``k = (mean/sd)^2`` and scale ``theta = sd^2/mean`` the moment
    generating function gives ``R = (1 + r theta)^k``; ``sd = 0`` (a fixed
    generation time) is the limit ``exp(r mean)``.
    """
    if not (np.isfinite(mean) and mean > 0):
        raise ValueError(f"generation_time_mean must be positive; got {mean!r}.")
    if not (np.isfinite(sd) and sd >= 0):
        raise ValueError(f"generation_time_sd must be >= 0; got {sd!r}.")
    rate = np.asarray(rate, dtype=np.float64)
    if sd == 0:
        out = np.exp(rate * mean)
    else:
        # sd * (sd / mean), not sd**2 / mean: sd**2 overflows from sd ~ 1e154
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            shape, scale = np.float64(mean / sd) ** 2, np.float64(sd) * (sd / mean)
            base = 1.0 + rate * scale
            # Below r = -1/theta the generation-interval density's Laplace
            # transform diverges; R tends to 0 there.
            # in logs: (1 + r theta)^k with k = inf (sd << mean) and theta
            # tiny is exp(r mean), not 1.0 ** inf
            log_r = shape * np.log1p(np.maximum(rate * scale, -1.0))
            out = np.where(base > 0, np.exp(np.where(rate == 0, 0.0, log_r)), 0.0)
    if np.any(np.isinf(out)) or np.any(np.isnan(out)):
        raise ValueError(
            f"R overflows float64 for a generation time of mean {mean:g} and sd {sd:g} at "
            "this growth rate: give the generation time in the units of the times (e.g. "
            "days)."
        )
    return out if out.ndim else float(out)
