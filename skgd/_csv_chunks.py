"""A CSV read chunk by chunk for :func:`skgd.fit_csv` and :func:`skgd.score_csv`, checked.

Every chunk is checked before an estimator sees it: the columns the fit
needs are there, features and weights are finite numbers a float64 sum can
square, weights are >= 0, labels are present (and known to a fitted
classifier). A failed check is a ``ValueError`` that names the file, the
chunk's lines and the first offending line, so a user can open the file at
the right place.

Line numbers are those of the file: the header is line 1 and blank lines
count (the file is read with ``skip_blank_lines=False`` and blank rows are
dropped here; pandas would drop them silently and shift every later number).
Lines that pandas skips with ``on_bad_lines`` are counted back in from its
warnings. A quoted value that spans several lines shifts the numbers after
it.

A short last line (a file cut off while being written) is the one bad line
pandas does not see: it fills the missing fields with NaN. It is found here
and refused, warned about or skipped, as ``on_bad_lines`` says.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

#: The values of ``on_bad_lines``, pandas' vocabulary (a callable is not accepted).
ON_BAD_LINES = ("error", "warn", "skip")
#: Above this magnitude a value's square overflows float64, and with it squared
#: losses, gradient moments and variances: such columns are refused by name.
LARGEST = float(np.sqrt(np.finfo(np.float64).max))
_SKIPPED = re.compile(r"Skipping line (\d+): ([^\n]*)")


class Chunk(NamedTuple):
    """Checked rows of one chunk: features, target, weights and their file lines."""

    X: pd.DataFrame
    y: pd.Series
    w: np.ndarray | None
    lines: np.ndarray  # the file line of every row

    @property
    def span(self) -> str:
        return _span(self.lines)


def ends_with_newline(path) -> bool:
    """Whether the file's last byte is a newline: a file cut short (a broken download) is not.

    True when it cannot be read back (a buffer, not a path): nothing to say then.
    """
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            if f.tell() == 0:
                return True
            f.seek(-1, 2)
            return f.read(1) in (b"\n", b"\r")
    except (OSError, TypeError, ValueError):
        return True


class CsvSource:
    """The columns a fit reads from one CSV file, read chunk by chunk and checked.

    Parameters
    ----------
    path : str or path-like
    target, features, sample_weight : column names (features None: every other column)
    chunksize : int
    read_csv_kwargs : dict or None
        Passed to :func:`pandas.read_csv`; it may not set ``chunksize``,
        ``iterator`` or ``on_bad_lines``.
    on_bad_lines : {'error', 'warn', 'skip'}
    numeric_target : bool
        Regression targets must be finite numbers; class labels only present.
    """

    def __init__(
        self,
        path,
        *,
        target,
        features=None,
        sample_weight=None,
        chunksize: int,
        read_csv_kwargs: dict | None = None,
        on_bad_lines: str = "error",
        numeric_target: bool = True,
    ):
        if not (isinstance(on_bad_lines, str) and on_bad_lines in ON_BAD_LINES):
            raise ValueError(
                f"on_bad_lines must be one of {list(ON_BAD_LINES)}; got {on_bad_lines!r}."
            )
        kwargs = dict(read_csv_kwargs or {})
        for key in ("chunksize", "iterator", "on_bad_lines"):
            if key in kwargs:
                raise ValueError(
                    f"read_csv_kwargs may not set {key!r}: pass "
                    f"{'it' if key != 'iterator' else 'chunksize'} to the function itself."
                )
        if features is not None:
            # one name is one column, not its characters (list("x1") is ['x', '1'])
            features = [features] if isinstance(features, str) else list(features)
            if not features:
                raise ValueError("features must name at least one column; got [].")
            repeated = sorted({f for f in features if features.count(f) > 1})
            if repeated:
                raise ValueError(f"features names {repeated} more than once.")
            for name, what in ((target, "target"), (sample_weight, "sample_weight")):
                if name is not None and name in features:
                    raise ValueError(f"The {what} column {name!r} is also in features.")
        # blank lines stay rows, so that row positions are file lines
        kwargs.setdefault("skip_blank_lines", False)
        self.path = path
        self.name = os.fspath(path)
        self.target = target
        self.features = features
        self.sample_weight = sample_weight
        self.chunksize = chunksize
        self.kwargs = kwargs
        self.on_bad_lines = on_bad_lines
        self.numeric_target = numeric_target
        #: labels a fitted classifier knows; other labels are refused when set
        self.classes = None
        #: the feature names a fitted model was given; other feature columns are refused
        self.expected_features = None
        #: the first chunk's weight scale, when it is extreme (see _weights)
        self.weight_unit = None
        self._first_line = _first_data_line(kwargs)
        self._reported: set[int] = set()  # bad lines already warned about

    # ------------------------------------------------------------ reading
    def chunks(self, *, holdout=None, keep="train", random_state=0):
        """Yield the checked :class:`Chunk` of every chunk with rows.

        With ``holdout`` (a fraction), only the training (``keep='train'``)
        or the held-out rows (``keep='holdout'``); the same rows on every
        read, drawn from a generator seeded with ``random_state``.
        """
        rng = np.random.RandomState(random_state)
        with _Reader(self) as reader:
            first = True
            while (read := reader.next()) is not None:
                raw, lines = read
                if first:
                    self._check_columns(raw.columns)
                    first = False
                held = None if holdout is None else rng.random_sample(raw.shape[0]) < holdout
                rows = ~_blank(raw)
                rows &= ~self._short_last_line(raw, rows, lines, reader)
                if held is not None:
                    rows &= held if keep == "holdout" else ~held
                if rows.any():
                    chunk = self._checked(raw[rows], lines[rows])
                    # rows of weight 0 are rows dropped (J's definition): a chunk
                    # of only such rows is no chunk, not an error
                    if chunk.w is None or chunk.w.max() > 0:
                        yield chunk

    def labels(self) -> np.ndarray:
        """Every label of the target column (one read of that column only).

        Missing labels are left out here: they are named, with their lines,
        when their rows are read.
        """
        seen = []
        with _Reader(self, usecols=[self.target]) as reader:
            while (read := reader.next()) is not None:
                values = read[0][self.target]
                if not pd.api.types.is_numeric_dtype(values):
                    values = values[values.astype(str).str.strip() != ""]
                seen.append(pd.unique(values[values.notna()]))
        try:
            return np.unique(np.concatenate(seen)) if seen else np.array([])
        except TypeError:
            values = pd.unique(np.concatenate(seen))
            text = next(v for v in values if isinstance(v, str))
            number = next(v for v in values if not isinstance(v, str))
            raise ValueError(
                f"The target column {self.target!r} of {self.name!r} holds numbers and text "
                f"(such as {number!r} and {text!r}): pandas gives each chunk's column its own "
                f"type, so read the labels as text with read_csv_kwargs={{'dtype': "
                f"{{{self.target!r}: str}}}}."
            ) from None

    def header(self) -> list:
        """The file's column names (a read of the header only)."""
        return list(pd.read_csv(self.path, nrows=0, **self.kwargs).columns)

    def placed(self, chunk: Chunk | None = None):
        """A context that prefixes an estimator's ValueError with the file (and the lines)."""
        return _Placed(self, chunk)

    # ------------------------------------------------------------ checks
    def _check_columns(self, columns) -> None:
        columns = list(columns)
        missing = [] if self.target in columns else [f"target column {self.target!r} is"]
        if self.features is not None:
            absent = [f for f in self.features if f not in columns]
            if absent:
                one = len(absent) == 1
                missing.append(
                    f"feature column {absent[0]!r} is" if one else f"feature columns {absent} are"
                )
        if self.sample_weight is not None and self.sample_weight not in columns:
            missing.append(f"sample_weight column {self.sample_weight!r} is")
        if missing:
            hint = ""
            if columns and all(_is_number(c) for c in columns):
                hint = (
                    " Its first line looks like data: for a file without a header row pass "
                    "read_csv_kwargs={'header': None} and name columns by number."
                )
            raise ValueError(f"{missing[0]} not in {self.name!r}; its columns are {columns}.{hint}")
        if self.features is None:
            self.features = [c for c in columns if c not in (self.target, self.sample_weight)]
            if not self.features:
                raise ValueError(
                    f"{self.name!r} has no feature columns besides the target {self.target!r}"
                    + (f" and the weights {self.sample_weight!r}." if self.sample_weight else ".")
                )
        expected = self.expected_features
        if expected is not None and list(self.features) != list(expected):
            raise ValueError(
                f"The feature columns of {self.name!r}, {list(self.features)}, are not those "
                f"the model was fitted on, {list(expected)}: name them with features= (and a "
                "weight column with sample_weight=)."
            )

    def _role(self, column) -> str:
        if column == self.target:
            return f"target column {column!r}"
        if column == self.sample_weight:
            return f"sample_weight column {column!r}"
        return f"column {column!r}"

    def _required(self) -> list:
        return [*self.features, self.target] + (
            [self.sample_weight] if self.sample_weight is not None else []
        )

    def _short_last_line(self, raw, rows, lines, reader) -> np.ndarray:
        """Rows to drop: the file's last line if it is short (bad lines skipped)."""
        drop = np.zeros(raw.shape[0], dtype=bool)
        present = np.flatnonzero(rows)
        if present.size == 0:
            return drop
        last = int(present[-1])
        filled = np.flatnonzero(raw.iloc[last].notna().to_numpy())
        n_filled = int(filled[-1]) + 1 if filled.size else 0
        cut = [c for c in raw.columns[n_filled:] if c in self._required()]
        if not cut and n_filled < raw.shape[1] and not reader.more_rows():
            # Empty trailing columns this fit does not read are fine on a
            # complete line, but a file that stops without its final newline
            # was cut: the last value read may be cut short too ("-0" of
            # "-0.359804").
            if not ends_with_newline(self.path):
                cut = list(raw.columns[n_filled:])
        if not cut:
            return drop  # complete, or only columns this fit does not read are empty
        line = int(lines[last])
        if reader.more_rows():
            # missing values in the middle of the file: not a bad line
            raise self._error(lines, lines[last : last + 1], f"{self._role(cut[0])} has no value")
        text = (
            f"{self.name!r}, line {line} (the last line) has values for only {n_filled} of "
            f"the {raw.shape[1]} columns; the file looks truncated"
        )
        if self.on_bad_lines == "error":
            raise ValueError(
                f"{text}. Pass on_bad_lines='skip' (or 'warn') to leave that line out."
            )
        if self.on_bad_lines == "warn" and line not in self._reported:
            self._reported.add(line)
            warnings.warn(
                f"{text}: skipped it.", pd.errors.ParserWarning, stacklevel=_user_stacklevel()
            )
        drop[last] = True
        return drop

    def _checked(self, frame: pd.DataFrame, lines: np.ndarray) -> Chunk:
        X = frame[self.features]
        copied = False
        for name in self.features:
            _, numbers = self._numbers(frame[name], lines, f"column {name!r}")
            if numbers is not None:
                if not copied:
                    X, copied = X.copy(), True
                X[name] = numbers
        y = frame[self.target]
        if self.numeric_target:
            _, numbers = self._numbers(y, lines, f"target column {self.target!r}")
            if numbers is not None:
                y = numbers
        else:
            self._check_labels(y, lines)
        w = None
        if self.sample_weight is not None:
            w = self._weights(frame[self.sample_weight], lines)
        return Chunk(X, y, w, lines)

    def _weights(self, column, lines) -> np.ndarray:
        """Finite weights >= 0, in the unit of the first chunk's when that is extreme.

        J does not change when all weights are multiplied by one number, but
        float64 sums of weights near 1e308 overflow and those near 1e-320
        lose their digits. A file whose first chunk's largest weight is
        beyond 2**+-500 is divided by a power of two near it (exactly, for
        every later chunk too); ordinary weights are passed as they are.
        """
        what = f"sample_weight column {self.sample_weight!r}"
        w, _ = self._numbers(column, lines, what, huge=False)
        negative = w < 0
        if negative.any():
            raise self._error(lines, lines[negative], f"{what} is negative", w[negative][0])
        if self.weight_unit is None and w.max(initial=0.0) > 0:
            top = float(w.max())
            inside = 2.0**-500 < top < 2.0**500
            self.weight_unit = 1.0 if inside else float(2.0 ** np.floor(np.log2(top)))
        if self.weight_unit is not None and self.weight_unit != 1.0:
            w = w / self.weight_unit
        large = w > LARGEST
        if large.any():
            raise self._error(
                lines,
                lines[large],
                f"{what} is too far above the first weights for float64 sums",
                w[large][0] * (self.weight_unit or 1.0),
                f"Weights over {LARGEST:.3g} times the first chunk's largest overflow: "
                "rescale them.",
            )
        return w

    def _numbers(self, column: pd.Series, lines, what, *, huge=True):
        """float64 values of a column, or an error naming its first bad line.

        Returns the values and, if the column had to be converted from text
        (numbers with spaces around them), the converted column.
        """
        converted = None
        if pd.api.types.is_bool_dtype(column):
            converted = column.astype(np.float64)
        elif not pd.api.types.is_numeric_dtype(column):
            numbers = pd.to_numeric(column, errors="coerce")
            text = (numbers.isna() & column.notna()).to_numpy()
            if text.any():
                example = column.to_numpy()[text][0]
                if str(example).strip():
                    raise self._error(lines, lines[text], f"{what} is not a number", example)
            converted = numbers
        values = (column if converted is None else converted).to_numpy(np.float64, na_value=np.nan)
        missing = np.isnan(values)
        if missing.any():
            raise self._error(lines, lines[missing], f"{what} has no value")
        infinite = np.isinf(values)
        if infinite.any():
            raise self._error(lines, lines[infinite], f"{what} is infinite", values[infinite][0])
        if huge:
            large = np.abs(values) > LARGEST
            if large.any():
                raise self._error(
                    lines,
                    lines[large],
                    f"{what} is too large for float64 arithmetic",
                    values[large][0],
                    f"Squares of values above {LARGEST:.3g} overflow: rescale the column.",
                )
        return values, converted

    def _check_labels(self, y: pd.Series, lines) -> None:
        missing = y.isna().to_numpy()
        if not pd.api.types.is_numeric_dtype(y):
            missing = missing | (y.astype(str).str.strip() == "").to_numpy()
        if missing.any():
            raise self._error(lines, lines[missing], f"target column {self.target!r} has no label")
        if pd.api.types.is_float_dtype(y):
            # sklearn calls whole numbers beyond 2**53 (and fractions) 'continuous'
            values = y.to_numpy(np.float64)
            odd = ~(np.abs(values) <= 2.0**53) | (values != np.round(values))
            if odd.any():
                raise self._error(
                    lines,
                    lines[odd],
                    f"target column {self.target!r} holds a number that is not a class label",
                    values[odd][0],
                    "Class labels are text or whole numbers up to 2**53.",
                )
        if self.classes is not None:
            unknown = ~y.isin(self.classes).to_numpy()
            if unknown.any():
                raise self._error(
                    lines,
                    lines[unknown],
                    f"the label in {self.target!r} is not one the classifier knows",
                    y.to_numpy()[unknown][0],
                    f"Its classes are {np.asarray(self.classes).tolist()}.",
                )

    def _error(self, chunk_lines, bad_lines, text, example=None, advice="") -> ValueError:
        """'FILE', chunk of lines A-B: TEXT on line N (VALUE). ADVICE"""
        value = "" if example is None else f" ({_shown(example)})"
        advice = f" {advice}" if advice else ""
        chunk_lines = np.asarray(chunk_lines)
        if chunk_lines.min() == chunk_lines.max():
            return ValueError(f"{self.name!r}, line {bad_lines[0]}: {text}{value}.{advice}")
        where = (
            f"line {bad_lines[0]}"
            if bad_lines.size == 1
            else f"{bad_lines.size} lines, the first line {bad_lines[0]}"
        )
        return ValueError(f"{self.name!r}, {_span(chunk_lines)}: {text} on {where}{value}.{advice}")


class _Placed:
    """Prefixes an estimator's ValueError raised on a chunk with the file and the chunk's lines.

    The exception itself is re-raised (its type, e.g. DivergenceError, and
    attributes kept), its message made one line.
    """

    def __init__(self, source, chunk=None):
        self.name = repr(source.name)
        self.where = self.name + ("" if chunk is None else f", {chunk.span}") + ": "

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, ValueError) and exc.args and isinstance(exc.args[0], str):
            text = " ".join(exc.args[0].split())
            if self.name not in text:
                exc.args = (self.where + text, *exc.args[1:])
        return False


class _Reader:
    """pandas' chunked reader with errors that name the file and lines counted as the file's."""

    def __init__(self, source: CsvSource, usecols=None):
        self.source = source
        self.usecols = usecols
        self.position = 0  # rows read so far, blank ones included
        self.skipped: list[int] = []  # lines pandas skipped as bad, sorted

    def __enter__(self):
        source = self.source
        kwargs = dict(source.kwargs)
        if self.usecols is not None:
            kwargs["usecols"] = self.usecols
        # pandas says which lines it skipped only when it warns: its warnings
        # give the line numbers back, and the user's 'skip' stays silent here
        mode = "error" if source.on_bad_lines == "error" else "warn"
        try:
            self.reader = pd.read_csv(
                source.path, chunksize=source.chunksize, on_bad_lines=mode, **kwargs
            )
        except Exception as exc:
            raise self._translated(exc) from None
        return self

    def __exit__(self, *exc):
        self.reader.close()
        return False

    def next(self, size=None):
        """(rows, their file lines) of the next chunk, or None at the end of the file."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                raw = self.reader.get_chunk(size)
            except StopIteration:
                raw = None
            except Exception as exc:
                raise self._translated(exc) from None
        self._pass_on(caught)
        if raw is None:
            return None
        raw = raw.reset_index(drop=True)
        positions = self.position + np.arange(raw.shape[0])
        self.position += raw.shape[0]
        return raw, self._lines(positions)

    def more_rows(self) -> bool:
        """Whether a row other than a blank line follows (reads ahead row by row)."""
        while (read := self.next(1)) is not None:
            if not _blank(read[0]).all():
                return True
        return False

    def _lines(self, positions):
        first = self.source._first_line
        skipped = np.asarray(self.skipped, dtype=np.int64)
        # the j-th skipped line (0-based) comes after this many rows
        after = skipped - first - np.arange(skipped.size)
        return first + positions + np.searchsorted(after, positions, side="right")

    def _pass_on(self, caught) -> None:
        for w in caught:
            found = _SKIPPED.findall(str(w.message))
            if not (issubclass(w.category, pd.errors.ParserWarning) and found):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
                continue
            for line, reason in found:
                line = int(line)
                if line not in self.skipped:
                    self.skipped.append(line)
                    self.skipped.sort()
                source = self.source
                if source.on_bad_lines == "warn" and line not in source._reported:
                    source._reported.add(line)
                    warnings.warn(
                        f"{source.name!r}, line {line}: skipped it ({reason}).",
                        pd.errors.ParserWarning,
                        stacklevel=_user_stacklevel(),
                    )

    def _translated(self, exc: Exception) -> Exception:
        name = self.source.name
        if isinstance(exc, pd.errors.EmptyDataError):
            return ValueError(f"{name!r} is empty: it has no header and no rows.")
        if isinstance(exc, UnicodeDecodeError):
            return ValueError(
                f"{name!r} is not text in the encoding read ({exc.encoding}): pass its encoding "
                "as read_csv_kwargs={'encoding': ...}."
            )
        if isinstance(exc, pd.errors.ParserError):
            text = " ".join(str(exc).split()).replace("Error tokenizing data. C error: ", "")
            hint = ""
            if "fields in line" in text:
                hint = " Pass on_bad_lines='skip' (or 'warn') to leave such lines out."
            return ValueError(f"{name!r} cannot be read as CSV: {text}.{hint}")
        if isinstance(exc, ValueError) and "Usecols do not match" in str(exc):
            columns = self.source.header()
            return ValueError(
                f"target column {self.source.target!r} is not in {name!r}; its columns are "
                f"{columns}."
            )
        if isinstance(exc, ValueError):
            return ValueError(f"{name!r} cannot be read: {' '.join(str(exc).split())}")
        return exc


def _user_stacklevel() -> int:
    """The stacklevel of the first caller outside skgd (the reads nest a varying depth)."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _blank(frame: pd.DataFrame) -> np.ndarray:
    """Rows read from blank lines: no value at all, or one cell of spaces."""
    missing = frame.isna()
    blank = np.array(missing.all(axis=1).to_numpy(), dtype=bool)  # writable (copy-on-write)
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if text:
        rest = missing.drop(columns=text).all(axis=1).to_numpy() & ~blank
        if rest.any():
            cells = frame.loc[rest, text]
            spaces = cells.isna() | cells.apply(lambda c: c.astype(str).str.strip() == "")
            blank[rest] = spaces.all(axis=1).to_numpy()
    return blank


def _first_data_line(kwargs: dict) -> int:
    """The file line of the first row, from the header and skiprows options."""
    header = kwargs.get("header", "infer")
    if header == "infer":
        header = None if kwargs.get("names") is not None else 0
    skip = kwargs.get("skiprows")
    skip = skip if isinstance(skip, (int, np.integer)) else 0
    if header is None:
        return int(skip) + 1
    top = max(header) if isinstance(header, (list, tuple)) else header
    return int(skip) + int(top) + 2


def _span(lines) -> str:
    lines = np.asarray(lines)
    if lines.size == 0:
        return "no lines"
    lo, hi = int(lines.min()), int(lines.max())
    return f"line {lo}" if lo == hi else f"chunk of lines {lo}-{hi}"


def _shown(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return repr(value.item() if isinstance(value, np.generic) else value)


def _is_number(name) -> bool:
    try:
        float(str(name))
    except ValueError:
        return False
    return True
