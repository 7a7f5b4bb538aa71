"""What :func:`skgd.growth_rates` and :func:`skgd.growth_peak` share: a checked
time series, one fit of a stretch of it, and the row that describes the fit."""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from .linear_model import _growth_stats as gs


class Series(NamedTuple):
    """Counts over time, sorted by time, with times as numbers (days for dates)."""

    t: np.ndarray  # float64, strictly increasing
    y: np.ndarray  # float64, >= 0
    origin: object  # pandas.Timestamp of day 0 when the times were dates, else None

    @property
    def unit(self) -> str:
        return "day" if self.origin is not None else "time unit"

    def as_times(self, values):
        """Numbers back in the caller's units: dates when the times were dates."""
        import pandas as pd

        values = np.asarray(values, dtype=np.float64)
        if self.origin is None:
            return values
        if self.origin.tz is not None:
            # days are local calendar days (see to_days): count them on the wall clock
            local = self.origin.tz_localize(None) + pd.to_timedelta(values, unit="D")
            return local.tz_localize(self.origin.tz, ambiguous="NaT", nonexistent="shift_forward")
        return self.origin + pd.to_timedelta(values, unit="D")

    def label(self, value: float) -> str:
        """One time as the caller wrote it: an ISO date (with the time of day) or a number."""
        if self.origin is None:
            return f"{value:g}"
        stamp = self.as_times([value])[0]
        return str(stamp.date()) if stamp == stamp.normalize() else str(stamp)


def check_series(times, counts) -> Series:
    """Validate and sort one series; dates become days since the earliest date."""
    from .linear_model._growth_time import to_days

    converted = to_days(times)
    try:
        t = np.asarray(converted.X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            "times must be numbers or dates (datetime64 values, pandas datetimes or "
            "datetime.date objects)."
        ) from None
    if t.ndim == 2 and t.shape[1] == 1:
        t = t[:, 0]
    if t.ndim != 1:
        raise ValueError(f"times must be one-dimensional: one time per count; got shape {t.shape}.")
    try:
        y = np.asarray(counts, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("counts must be numbers.") from None
    if y.ndim != 1:
        raise ValueError(f"counts must be one-dimensional; got shape {y.shape}.")
    if t.shape[0] != y.shape[0]:
        raise ValueError(f"times has {t.shape[0]} values but counts has {y.shape[0]}.")
    if not np.all(np.isfinite(t)):
        raise ValueError(f"times has missing or infinite values at rows {_rows(~np.isfinite(t))}.")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"counts has missing or infinite values at rows {_rows(~np.isfinite(y))}.")
    if np.any(y < 0):
        raise ValueError(f"counts must be >= 0; negative at rows {_rows(y < 0)}.")
    order = np.argsort(t, kind="stable")
    t, y = t[order], y[order]
    series = Series(t, y, converted.origin)
    repeated = np.flatnonzero(np.diff(t) == 0)
    if repeated.size:
        raise ValueError(
            f"times has repeated values ({series.label(t[repeated[0]])} and "
            f"{repeated.size - 1} more): one row per time is needed, so add up the counts "
            "per time first (in pandas: frame.groupby('date')['cases'].sum()), or, if the "
            "rows are separate series such as regions, fit each on its own."
        )
    return series


def _rows(mask: np.ndarray) -> str:
    idx = np.flatnonzero(mask)
    return str(idx[:10].tolist()) + (f" and {idx.size - 10} more" if idx.size > 10 else "")


def no_estimate_reason(t: np.ndarray, y: np.ndarray) -> str | None:
    """Why the Poisson maximum-likelihood rate does not exist on this stretch, or None.

    It exists exactly when the count-weighted mean time lies strictly
    between the first and the last time; otherwise the likelihood keeps
    growing as r goes to +-infinity.
    """
    total = y.sum()
    if total == 0:
        return "all counts are 0"
    mean_time = (t @ y) / total
    spread = t[-1] - t[0]
    if mean_time <= t[0] + 1e-12 * spread:
        return "every count after the first time is 0: r would be -inf"
    if mean_time >= t[-1] - 1e-12 * spread:
        return "every count before the last time is 0: r would be +inf"
    return None


def fit_stretch(estimator, t: np.ndarray, y: np.ndarray, *, quiet: bool = False):
    """A clone of ``estimator`` fitted to one stretch of the series.

    With ``quiet`` the fit's warnings are dropped (candidate fits of a
    search); otherwise they are passed on.
    """
    from sklearn.base import clone

    model = clone(estimator)
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore")
        return model.fit(t.reshape(-1, 1), y)


def describe_fit(model, series: Series, t, y, *, level, dispersion, generation_time) -> dict:
    """One row: the stretch, r with its interval, the doubling-time set and R."""
    ci = model.confidence_interval(level=level, dispersion=dispersion)
    r_row, dt_row = ci.loc["growth_rate"], ci.loc["doubling_time"]
    row = {
        "start": series.as_times([t[0]])[0],
        "end": series.as_times([t[-1]])[0],
        "n_obs": int(t.shape[0]),
        "growth_rate": float(r_row["estimate"]),
        "std_error": float(r_row["std_error"]),
        "growth_rate_lower": float(r_row["lower"]),
        "growth_rate_upper": float(r_row["upper"]),
        "doubling_time": float(dt_row["estimate"]),
        "doubling_time_lower": float(dt_row["lower"]),
        "doubling_time_upper": float(dt_row["upper"]),
        "two_rays": bool(dt_row["two_rays"]),
        "dispersion": float(model.dispersion_),
    }
    row.update(reproduction(row, generation_time))
    return row


def empty_row(series: Series, t, generation_time) -> dict:
    """A stretch without an estimate: its place in the table, NaN elsewhere."""
    row = {
        "start": series.as_times([t[0]])[0],
        "end": series.as_times([t[-1]])[0],
        "n_obs": int(t.shape[0]),
        **dict.fromkeys(
            ["growth_rate", "std_error", "growth_rate_lower", "growth_rate_upper"], np.nan
        ),
        **dict.fromkeys(["doubling_time", "doubling_time_lower", "doubling_time_upper"], np.nan),
        "two_rays": False,
        "dispersion": np.nan,
    }
    row.update(reproduction(row, generation_time))
    return row


def reproduction(row: dict, generation_time) -> dict:
    """R and its interval (Wallinga-Lipsitch, increasing in r) when a generation time is given."""
    if generation_time is None:
        return {}
    mean, sd = generation_time
    values = [
        gs.wallinga_lipsitch(row[key], float(mean), float(sd)) if np.isfinite(row[key]) else np.nan
        for key in ("growth_rate", "growth_rate_lower", "growth_rate_upper")
    ]
    return dict(
        zip(
            ["reproduction_number", "reproduction_number_lower", "reproduction_number_upper"],
            map(float, values),
        )
    )


def check_options(level, generation_time, estimator):
    """Validate the options shared by growth_rates and growth_peak; return the estimator."""
    from .linear_model import ExponentialGrowthRegressor

    if not 0.0 < float(level) < 1.0:
        raise ValueError(f"level must be in (0, 1); got {level!r}.")
    if generation_time is not None:
        try:
            mean, sd = (float(v) for v in generation_time)
        except (TypeError, ValueError):
            raise ValueError(
                f"generation_time must be a pair (mean, sd); got {generation_time!r}."
            ) from None
        gs.wallinga_lipsitch(0.0, mean, sd)  # names a bad mean or sd
    if estimator is None:
        return ExponentialGrowthRegressor()
    if not isinstance(estimator, ExponentialGrowthRegressor):
        raise TypeError(
            f"estimator must be an ExponentialGrowthRegressor; got {type(estimator).__name__}."
        )
    return estimator
