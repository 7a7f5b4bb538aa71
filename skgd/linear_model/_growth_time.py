"""Dates as times for the growth model: calendar dates become days since an origin.

A pandas datetime column handed to scikit-learn's validation becomes integer
nanoseconds since 1970, and a growth rate fitted on it is per nanosecond
(4e-12 for an outbreak doubling every two days). Every entry point of
:class:`ExponentialGrowthRegressor` therefore turns dates into days before
validation, here, and never lets a date reach ``validate_data``.

What counts as a date: numpy ``datetime64`` arrays (any unit), pandas datetime
columns and Series (time zones included), pandas periods (their start), and
arrays or lists of ``datetime.date`` / ``datetime.datetime`` /
``pandas.Timestamp`` objects. ``timedelta64`` columns become days too (they
need no origin). Numbers pass through untouched, so numeric input follows
scikit-learn's rules exactly.
"""

from __future__ import annotations

import datetime as _dt
from typing import NamedTuple

import numpy as np


class Times(NamedTuple):
    """X with its dates replaced by days, and what was found."""

    X: object  # the input itself when nothing was converted, else a new array or frame
    origin: object  # pandas.Timestamp: day 0 (None when no date column was found)
    date_columns: tuple  # positions of the columns that held dates


def _is_date_scalar(v) -> bool:
    return isinstance(v, (_dt.date, np.datetime64))  # datetime and Timestamp are dates


def _kind(values, label: str) -> str:
    """'date', 'timedelta' or 'other' for one column (a numpy array or pandas Series)."""
    import pandas as pd

    dtype = values.dtype
    if isinstance(dtype, pd.PeriodDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        present = [v for v in np.asarray(values, dtype=object).ravel() if not pd.isna(v)]
        n_dates = sum(_is_date_scalar(v) for v in present)
        if present and n_dates == len(present):
            return "date"
        if n_dates:
            bad = next(v for v in present if not _is_date_scalar(v))
            raise ValueError(
                f"X{label} mixes dates and other values (such as {bad!r}); a time column "
                "holds either dates or numbers."
            )
        _refuse_date_strings(present, label)
    return "other"


def _refuse_date_strings(present: list, label: str) -> None:
    """Date strings would fail validation as 'could not convert string to float': say why."""
    import pandas as pd

    if not present or not all(isinstance(v, str) for v in present):
        return
    if pd.to_numeric(pd.Series(present), errors="coerce").notna().all():
        return  # numbers written as text: validation's business
    parsed = pd.to_datetime(pd.Series(present), format="ISO8601", errors="coerce")
    if parsed.notna().all():
        raise ValueError(
            f"X{label} holds dates as text (such as {present[0]!r}); convert them with "
            "pandas.to_datetime (or read the CSV with parse_dates=[...]) and pass the "
            "datetime column: the model then counts days since the first date."
        )


def _as_datetimes(values, label: str):
    """A column of dates as a pandas DatetimeIndex (periods at their start)."""
    import pandas as pd

    if isinstance(values.dtype, pd.PeriodDtype):
        values = pd.Series(values).dt.to_timestamp()
    elif pd.api.types.is_object_dtype(values.dtype):
        values = np.asarray(values, dtype=object).ravel()
    try:
        index = pd.DatetimeIndex(pd.to_datetime(values))
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"X{label}: cannot read the dates ({exc}).") from None
    missing = np.flatnonzero(index.isna())
    if missing.size:
        raise ValueError(
            f"X{label} has {missing.size} missing date(s) (NaT), first at row {missing[0]}; "
            "drop those rows before fitting."
        )
    return index


def _days_since(index, origin, label: str) -> np.ndarray:
    import pandas as pd

    try:
        if index.tz is not None and origin.tz is not None:
            # local calendar days: a day across a daylight-saving change is
            # one day, not 23 or 25 hours
            index = index.tz_convert(origin.tz).tz_localize(None)
            origin = origin.tz_localize(None)
        delta = index - origin
    except TypeError:
        # tz-aware against tz-naive: the two are not on one time line
        have = "with a time zone" if index.tz is not None else "without a time zone"
        want = "with a time zone" if origin.tz is not None else "without a time zone"
        raise ValueError(
            f"X{label} holds dates {have}, but the model's time_origin_ ({origin}) is "
            f"{want}; pass dates the way they were passed to fit."
        ) from None
    return np.asarray(delta / pd.Timedelta(days=1), dtype=np.float64)


def _columns(X):
    """``([(label, column)], one_dimensional)``, or None when X is not array-like or sparse."""
    import pandas as pd

    if isinstance(X, pd.DataFrame):
        return [(f" column {c!r}", X.iloc[:, i]) for i, c in enumerate(X.columns)], False
    if isinstance(X, pd.Series):
        label = f" column {X.name!r}" if X.name is not None else ""
        return [(label, X)], True
    if hasattr(X, "tocsr") or not (hasattr(X, "__array__") or isinstance(X, (list, tuple))):
        return None
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError):
        return None  # ragged: scikit-learn's validation explains it
    if arr.ndim == 1:
        return [("", arr)], True
    if arr.ndim == 2:
        return [(f" column {j}", arr[:, j]) for j in range(arr.shape[1])], False
    return None


def to_days(X, origin=None) -> Times:
    """Replace the date columns of X by days since ``origin`` (default: the earliest date).

    Returns X itself when it holds no dates or timedeltas, so numeric input
    reaches scikit-learn's validation unchanged. Otherwise a new float array
    (or a DataFrame with the same column names and index); the caller's X is
    never modified. A one-dimensional X of dates (a Series, a ``datetime64``
    array, a list of ``datetime.date``) is read as one column of times;
    numeric one-dimensional X is left for validation to refuse, as
    scikit-learn does.
    """
    import pandas as pd

    if isinstance(X, np.ndarray) and X.dtype.kind in "biufc":
        return Times(X, None, ())  # plain numbers: nothing to look at, column by column
    found = _columns(X)
    if found is None:
        return Times(X, None, ())
    columns, one_d = found
    kinds = [_kind(values, label) for label, values in columns]
    if all(k == "other" for k in kinds):
        return Times(X, None, ())
    dates = {
        j: _as_datetimes(values, label)
        for j, ((label, values), kind) in enumerate(zip(columns, kinds))
        if kind == "date"
    }
    if dates and origin is None:
        origin = min(index.min() for index in dates.values())
    converted = []
    for j, ((label, values), kind) in enumerate(zip(columns, kinds)):
        if kind == "date":
            converted.append(_days_since(dates[j], origin, label))
        elif kind == "timedelta":
            days = pd.to_timedelta(np.asarray(values)) / pd.Timedelta(days=1)
            converted.append(np.asarray(days, dtype=np.float64))
        else:
            converted.append(np.asarray(values))
    if isinstance(X, pd.DataFrame):
        out = pd.DataFrame(dict(enumerate(converted)), index=X.index)
        out.columns = X.columns
    elif one_d:
        out = converted[0].reshape(-1, 1)
    else:
        # numbers stay as they came (object columns included) for validation to check
        out = np.column_stack(converted)
    return Times(out, origin if dates else None, tuple(sorted(dates)))
