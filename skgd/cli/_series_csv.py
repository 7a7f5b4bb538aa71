"""Reading a count series for ``skgd growth``: the header, the time column, dates, the window.

Surveillance files come with ISO dates (2024-03-01), sometimes without a
header row, with the date in any column. Every cell is read as text first
and classified (number, ISO date, text, empty), so that a headerless file is
recognized instead of losing its first row to the header, and a date column
is read as dates instead of failing as "non-numeric".
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import UsageError, squares_overflow

#: Column names taken for the time when no column holds dates.
TIME_NAMES = ("date", "dates", "day", "days", "time", "t", "week", "weeks")
#: Time units recognized from a numeric time column's name.
UNITS = {
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "hour": "hour",
    "hours": "hour",
    "month": "month",
    "months": "month",
    "year": "year",
    "years": "year",
}


class CountSeries(NamedTuple):
    """Counts over time read from a file (or the bundled data set)."""

    times: np.ndarray  # float64, or datetime64[ns] for dates
    counts: np.ndarray  # float64
    time_name: str
    count_name: str
    source: str
    notes: tuple  # sentences about how the file was read, printed with the report

    @property
    def dated(self) -> bool:
        return np.issubdtype(self.times.dtype, np.datetime64)

    @property
    def unit(self) -> str:
        """The time unit in words: 'day' for dates or a column named so, else 'time unit'."""
        if self.dated:
            return "day"
        return UNITS.get(self.time_name.strip().lower(), "time unit")

    @property
    def time_column(self) -> str:
        """The time column in a sentence: its name, or 'column 1' in a file without a header."""
        return _column(self.time_name)

    @property
    def count_column(self) -> str:
        return _column(self.count_name)

    @property
    def time_symbol(self) -> str:
        """What the time is called in a formula: 'days' for dates, else the column's name."""
        if self.dated:
            return "days"
        return "t" if self.time_name.isdigit() else self.time_name

    @property
    def count_symbol(self) -> str:
        return "count" if self.count_name.isdigit() else self.count_name

    def label(self, value) -> str:
        """A time as the file writes it (an ISO date, or a number)."""
        import pandas as pd

        if self.dated:
            stamp = pd.Timestamp(value)
            return str(stamp.date()) if stamp == stamp.normalize() else str(stamp)
        return f"{float(value):g}"

    def point(self, value) -> str:
        """A time in a sentence: a date, or a number after its unit ('day 6', 'time 6')."""
        if self.dated:
            return self.label(value)
        return f"{self.unit.replace('time unit', 'time')} {self.label(value)}"

    def days(self, values=None) -> np.ndarray:
        """Times as numbers: days since the first date for dates, else the numbers."""
        values = self.times if values is None else np.asarray(values)
        if not self.dated:
            return np.asarray(values, dtype=np.float64)
        return (values - self.times.min()) / np.timedelta64(1, "D")


def _column(name: str) -> str:
    return f"column {name}" if name.isdigit() else repr(name)


def bundled_flu() -> CountSeries:
    from ..datasets import load_boarding_school_flu

    flu = load_boarding_school_flu()
    return CountSeries(
        flu.data[:, 0],
        flu.target,
        "day",
        "in_bed",
        "bundled 1978 boarding-school influenza outbreak (763 boys)",
        (),
    )


def _classify(cells):
    """Per cell: 'empty', 'number', 'date' (ISO 8601) or 'text'; plus the parsed values."""
    import pandas as pd

    cells = pd.Series(cells, dtype=object).astype(str).str.strip()
    numbers = pd.to_numeric(cells, errors="coerce")
    dates = pd.to_datetime(
        cells.where(numbers.isna() & (cells != ""), None), format="ISO8601", errors="coerce"
    )
    kind = np.where(
        cells == "",
        "empty",
        np.where(numbers.notna(), "number", np.where(dates.notna(), "date", "text")),
    )
    return kind, numbers, dates, cells


def _has_header(raw) -> bool:
    """Whether the first row names the columns rather than holding data.

    It does when some column has text on top of numbers or dates, or when
    every cell of the first row is text. It does not when every column's
    first cell is of the same kind as the cells below it.
    """
    first_is_text = []
    for j in range(raw.shape[1]):
        kind = _classify(raw.iloc[:, j])[0]
        below = set(kind[1:]) - {"empty"}
        if kind[0] == "text" and below and below <= {"number", "date"}:
            return True
        first_is_text.append(kind[0] in ("text", "empty"))
    return all(first_is_text)


def read_count_series(path: str, time: str | None, count: str | None) -> CountSeries:
    """Times and counts from a CSV file, or a one-line UsageError."""
    from . import read_csv

    raw = read_csv(path, header=None, dtype=str, keep_default_na=False)
    notes = []
    if _has_header(raw):
        names = [str(v).strip() for v in raw.iloc[0]]
        data = raw.iloc[1:].reset_index(drop=True)
        first_line = 2
        if data.shape[0] == 0:
            raise UsageError(f"{path} has a header but no data rows")
    else:
        names = [str(j + 1) for j in range(raw.shape[1])]
        data = raw
        first_line = 1
        notes.append(
            f"{path} has no header row: its columns are numbered 1 to {len(names)} "
            "(choose them with --time N --count N)"
        )
    data.columns = names
    if len(set(names)) < len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise UsageError(f"{path} has repeated column names {repeated}; rename them")
    time, how = _time_column(data, names, time, path)
    count = _count_column(data, names, count, time, path)
    if count == time:
        raise UsageError(
            f"--time and --count name the same column {time!r}: the counts would be fitted "
            "against themselves; choose two columns"
        )
    if how:
        notes.append(how)
    times = _parse_times(data[time], time, first_line)
    counts = _parse_counts(data[count], count, first_line)
    from .._csv_chunks import ends_with_newline

    if not ends_with_newline(path):
        # a download cut short ends mid-line: "19,2" for "19,26" reads as a number
        notes.append(
            f"{path} does not end with a newline: if it was cut short, its last row (line "
            f"{first_line + data.shape[0] - 1}) may be incomplete"
        )
    return CountSeries(times, counts, time, count, path, tuple(notes))


def _time_column(data, names, time, path):
    """The time column's name, and a note on how it was chosen (None if the user chose it)."""
    if time is not None:
        if time not in names:
            raise UsageError(f"--time column {time!r} is not in {path} (columns: {names})")
        return time, None
    if len(names) < 2:
        raise UsageError(
            f"{path} has {len(names)} column(s); it needs a time and a count column "
            "(choose them with --time and --count)"
        )
    for name in names:
        kind = _classify(data[name])[0]
        present = kind[kind != "empty"]
        if present.size and np.all(present == "date"):
            return name, f"the time column is {name!r}, the first column of dates"
    for name in names:
        if name.strip().lower() in TIME_NAMES:
            return name, None
    return names[0], None


def _count_column(data, names, count, time, path):
    if count is not None:
        if count not in names:
            raise UsageError(f"--count column {count!r} is not in {path} (columns: {names})")
        return count
    for name in names:
        if name != time and np.any(_classify(data[name])[0] == "number"):
            return name
    others = [n for n in names if n != time]
    if others:
        return others[0]  # not numeric: _parse_counts says where
    raise UsageError(f"{path} has no count column besides the time column {time!r}")


def _parse_times(cells, name, first_line):
    kind, numbers, dates, text = _classify(cells)
    line = _first_line(first_line)
    if np.any(kind == "empty"):
        i = int(np.flatnonzero(kind == "empty")[0])
        raise UsageError(
            f"time column {name!r} has {int(np.sum(kind == 'empty'))} missing value(s), "
            f"first on line {line(i)}"
        )
    bad = np.flatnonzero(kind == "text")
    if bad.size:
        i = int(bad[0])
        raise UsageError(
            f"time column {name!r} has {bad.size} value(s) that are neither numbers nor ISO "
            f"dates (YYYY-MM-DD), first on line {line(i)}: {text.iloc[i]!r}"
        )
    if np.all(kind == "number"):
        return _checked_numbers(numbers, f"time column {name!r}", line, text)
    if np.all(kind == "date"):
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
        return dates.to_numpy(dtype="datetime64[ns]")
    i = int(np.flatnonzero(kind == "number")[0])
    raise UsageError(
        f"time column {name!r} mixes dates and numbers (a number on line {line(i)}: "
        f"{text.iloc[i]!r}); use one or the other"
    )


def _parse_counts(cells, name, first_line):
    kind, numbers, _, text = _classify(cells)
    bad = np.flatnonzero(kind != "number")
    if bad.size:
        i = int(bad[0])
        raise UsageError(
            f"column {name!r} has {bad.size} missing or non-numeric value(s), first on line "
            f"{_first_line(first_line)(i)}: {text.iloc[i]!r}"
        )
    return _checked_numbers(numbers, f"column {name!r}", _first_line(first_line), text)


def _checked_numbers(numbers, what, line, text) -> np.ndarray:
    """float64 values, or a UsageError for inf or NaN and for values whose squares overflow."""
    values = numbers.to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        i = int(bad[0])
        raise UsageError(
            f"{what} has {bad.size} value(s) that are not finite numbers, first on line "
            f"{line(i)}: {text.iloc[i]!r}"
        )
    if squares_overflow(values):
        i = int(np.argmax(np.abs(values)))
        raise UsageError(
            f"{what} has values too large for float64 arithmetic (the sum of their squares "
            f"overflows), the largest on line {line(i)}: {text.iloc[i]!r}; rescale the column"
        )
    return values


def _first_line(first_line: int):
    return lambda i: i + first_line


def parse_bound(text: str | None, series: CountSeries, option: str):
    """--start/--end as a position on the series' time axis (numbers; days for dates).

    With dates, the bound is an ISO date or a day number counted from the
    first date (day 0); with numeric times, a number.
    """
    if text is None:
        return None
    import pandas as pd

    kind, numbers, dates, _ = _classify([text])
    if kind[0] == "number":
        value = float(numbers.iloc[0])
        if not np.isfinite(value):
            raise UsageError(f"{option} must be a finite number; got {text!r}")
        return value
    if kind[0] == "date":
        if not series.dated:
            raise UsageError(
                f"{option} {text} is a date, but the time column {series.time_name!r} holds "
                "numbers; give a number"
            )
        stamp = pd.Timestamp(dates.iloc[0])
        if stamp.tz is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return float((stamp.to_datetime64() - series.times.min()) / np.timedelta64(1, "D"))
    what = "an ISO date (YYYY-MM-DD) or a day number" if series.dated else "a number"
    raise UsageError(f"{option} must be {what}; got {text!r}")
