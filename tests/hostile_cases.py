"""Hostile CSV files and console calls for ``tests/test_hostile_files.py``.

A generated case is a small CSV written the way real files go wrong
(truncated last lines, text among numbers, values at the edge of float64,
byte-order marks, no header, no rows, quoted numbers, Windows line endings,
blank lines, extra fields) and a call that reads it: :func:`skgd.fit_csv`,
:func:`skgd.score_csv` or the ``skgd`` console command run in-process. Each
runner returns an :class:`Observation`: what the call did, and the broken
promises ("defects") if any. The promises:

- a fit ends with finite coefficients, or with a ``ValueError`` on one line
  that names the file; a fitted model given to ``fit_csv`` is unchanged
  after an error;
- ``score_csv`` returns a finite number, or raises such a ``ValueError``;
- the console exits 0, or 2 with exactly one line on stderr, never with a
  traceback or numpy's ``RuntimeWarning`` lines, and a successful report
  prints no NaN as the growth rate.

:class:`Recorder` keeps the observations of a session; with the environment
variable ``SKGD_HOSTILE_REPORT=/some/file.json`` they are summarized there
(cases run, distinct error messages, distinct defects). With
``SKGD_HOSTILE_SURVEY=1`` a defect is recorded rather than failing the test,
to count every distinct defect of a build in one run.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import os
import re
import string
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from hypothesis import strategies as st

import skgd
import skgd.cli
from skgd import GDClassifier, GDRegressor, fit_csv, score_csv

#: Cell values that are not numbers (or are numbers only to some readers).
WORDS = ["abc", "yes", "NA", "n/a", "1,5", "--", "0x10", "1e", "True", "é", "1 000", "'3'"]
#: Numbers at and past the edges of float64.
EDGES = ["1e200", "-1e200", "1e308", "-1.7e308", "1e309", "-1e309", "inf", "-inf", "nan",
         "1e-320", "1e154", "1e155", "0", "-0"]  # fmt: skip
#: Whole-file corruptions, applied after the cell mutations.
LINE_MUTATIONS = ["truncate_last", "extra_field", "blank_lines", "headerless", "crlf", "bom",
                  "no_final_newline", "empty"]  # fmt: skip
CELL_MUTATIONS = ["text", "missing", "edge", "quoted", "spaces", "negative_weight"]
LABEL_SETS = [("cat", "dog"), ("0", "1"), ("a", "b", "c"), ("yes", "no")]
SURVEY = os.environ.get("SKGD_HOSTILE_SURVEY") == "1"


@dataclass
class Case:
    """One generated file and how to read it."""

    text: str
    kind: str  # "regression" or "classification"
    n_features: int
    weights: bool
    labels: tuple
    mutations: tuple
    chunksize: int
    on_bad_lines: str
    validation: float | None

    @property
    def columns(self) -> list[str]:
        return [f"x{j}" for j in range(self.n_features)]


@dataclass
class Observation:
    what: str  # the runner
    outcome: str  # "ok", or the error's type and message with numbers and paths blanked
    defects: list = field(default_factory=list)


def _cell(v: float) -> str:
    return f"{v:.6g}"


@st.composite
def tables(draw, kind: str) -> Case:
    """A CSV of features x0.., a target y and maybe weights w, with some corruptions."""
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    n_rows = draw(st.integers(1, 24))
    n_features = draw(st.integers(1, 3))
    weights = draw(st.booleans())
    labels = draw(st.sampled_from(LABEL_SETS))
    X = rng.randn(n_rows, n_features)
    eta = X @ rng.randn(n_features)
    if kind == "regression":
        y = [_cell(v) for v in 2.0 + eta + 0.1 * rng.randn(n_rows)]
    else:
        cuts = np.quantile(eta, np.linspace(0, 1, len(labels) + 1)[1:-1])
        y = [labels[k] for k in np.digitize(eta, cuts)]
    header = [f"x{j}" for j in range(n_features)] + ["y"] + (["w"] if weights else [])
    rows = [[_cell(v) for v in X[i]] + [y[i]] for i in range(n_rows)]
    if weights:
        for row in rows:
            row.append(_cell(rng.uniform(0.5, 2.0)))
    cells = draw(st.lists(st.sampled_from(CELL_MUTATIONS), max_size=2, unique=True))
    lines_ = draw(st.lists(st.sampled_from(LINE_MUTATIONS), max_size=3, unique=True))
    for mutation in cells:
        i = draw(st.integers(0, n_rows - 1))
        j = draw(st.integers(0, len(header) - 1))
        if mutation == "text":
            rows[i][j] = draw(st.sampled_from(WORDS))
        elif mutation == "missing":
            rows[i][j] = ""
        elif mutation == "edge":
            rows[i][j] = draw(st.sampled_from(EDGES))
        elif mutation == "quoted":
            rows = [[f'"{c}"' for c in row] for row in rows]
        elif mutation == "spaces":
            rows[i][j] = f"  {rows[i][j]} "
        elif mutation == "negative_weight" and weights:
            rows[i][-1] = draw(st.sampled_from(["-1", "-1e-300", "0"]))
    lines = [",".join(header)] + [",".join(r) for r in rows]
    for mutation in lines_:
        if mutation == "extra_field":
            i = draw(st.integers(1, len(lines) - 1)) if len(lines) > 1 else 0
            lines[i] += ",7"
        elif mutation == "blank_lines":
            i = draw(st.integers(1, len(lines)))
            lines.insert(i, draw(st.sampled_from(["", "  ", ",,"])))
    text = "\n".join(lines) + "\n"
    for mutation in lines_:
        if mutation == "truncate_last":
            body = text.rstrip("\n")
            last = body.rsplit("\n", 1)[-1]
            if len(last) > 1:
                cut = draw(st.integers(1, len(last) - 1))
                text = body[: len(body) - len(last) + cut]
        elif mutation == "headerless":
            text = text.split("\n", 1)[1] if "\n" in text else ""
        elif mutation == "no_final_newline":
            text = text.rstrip("\n")
        elif mutation == "empty":
            text = draw(st.sampled_from(["", "\n", ",".join(header), ",".join(header) + "\n"]))
    if "crlf" in lines_:
        text = text.replace("\n", "\r\n")
    if "bom" in lines_:
        text = "\ufeff" + text
    return Case(
        text=text,
        kind=kind,
        n_features=n_features,
        weights=weights,
        labels=labels,
        mutations=tuple(cells) + tuple(lines_),
        chunksize=draw(st.integers(1, 10)),
        on_bad_lines=draw(st.sampled_from(["error", "warn", "skip"])),
        validation=draw(st.sampled_from([None, None, 0.3])),
    )


# ---------------------------------------------------------------- the library
def _estimator(case: Case):
    if case.kind == "regression":
        return GDRegressor(batch_size=4, learning_rate=0.05, max_iter=200, random_state=0)
    return GDClassifier(batch_size=4, learning_rate=0.1, max_iter=200, random_state=0)


def _prefitted(case: Case):
    """The estimator fitted in memory on clean data with the case's columns and labels."""
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(30, case.n_features), columns=case.columns)
    if case.kind == "regression":
        y = X.sum(axis=1) + 1.0
    else:
        y = np.array(case.labels)[np.arange(30) % len(case.labels)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _estimator(case).fit(X, y)


def _reading(case: Case) -> dict:
    kwargs = dict(target="y", chunksize=case.chunksize)
    if case.weights:
        kwargs["sample_weight"] = "w"
    if "on_bad_lines" in inspect.signature(fit_csv).parameters:
        kwargs["on_bad_lines"] = case.on_bad_lines
    return kwargs


def _snapshot(est) -> dict:
    keep = {}
    for name in ("coef_", "intercept_", "n_iter_", "t_", "classes_", "loss_curve_"):
        if hasattr(est, name):
            keep[name] = np.copy(getattr(est, name))
    if hasattr(est, "history_"):
        keep["history_"] = est.history_.copy()
    if hasattr(est, "optimizer_state_"):
        keep["slots"] = est.optimizer_state_.slots.copy()
    return keep


def _same(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for name, value in a.items():
        if isinstance(value, pd.DataFrame):
            if not value.equals(b[name]):
                return False
        elif not np.array_equal(value, b[name]):
            return False
    return True


def normalize(message: str, path: str) -> str:
    """A message with the file's name and the numbers blanked, to count distinct messages."""
    message = message.replace(str(path), "FILE").replace(os.path.basename(path), "FILE")
    return re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "N", message)[:160]


def _error_defects(exc: BaseException, path: str) -> list[str]:
    if not isinstance(exc, ValueError):
        return [f"{type(exc).__name__} instead of ValueError"]
    text = str(exc)
    found = []
    if "\n" in text.strip():
        found.append("message of several lines")
    if os.path.basename(path) not in text:
        found.append("message does not name the file")
    return found


def _call(function):
    """(result, exception, RuntimeWarnings) of ``function()``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return function(), None, _runtime(caught)
        except Exception as exc:  # noqa: BLE001 - every exception is an observation
            return None, exc, _runtime(caught)


def _runtime(caught) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def _observe(what, path, result, exc, runtime, extra=()) -> Observation:
    defects = list(extra)
    if runtime:
        defects.append(f"RuntimeWarning: {normalize(runtime[0], path)}")
    if exc is None:
        return Observation(what, "ok", defects)
    defects += [f"{d} ({type(exc).__name__}: {normalize(str(exc), path)})"
                for d in _error_defects(exc, path)]  # fmt: skip
    return Observation(what, f"{type(exc).__name__}: {normalize(str(exc), path)}", defects)


def run_fit_csv(case: Case, path: str, *, prefit: bool) -> Observation:
    est = _prefitted(case) if prefit else _estimator(case)
    before = _snapshot(est)
    kwargs = _reading(case)

    def fit():
        return fit_csv(est, path, n_passes=2, validation=case.validation, **kwargs)

    result, exc, runtime = _call(fit)
    extra = []
    if exc is None:
        if not (np.all(np.isfinite(est.coef_)) and np.all(np.isfinite(est.intercept_))):
            extra.append("fit returned non-finite coefficients")
    elif not _same(before, _snapshot(est)):
        extra.append("the model changed although fit_csv failed")
    return _observe("fit_csv" + (" (fitted)" if prefit else ""), path, result, exc, runtime, extra)


def run_score_csv(case: Case, path: str) -> Observation:
    est = _prefitted(case)
    kwargs = {k: v for k, v in _reading(case).items() if k != "on_bad_lines"}
    if "on_bad_lines" in inspect.signature(score_csv).parameters:
        kwargs["on_bad_lines"] = case.on_bad_lines
    result, exc, runtime = _call(lambda: score_csv(est, path, **kwargs))
    extra = []
    if exc is None and not np.isfinite(result):
        extra.append(f"score_csv returned {result}")
    return _observe("score_csv", path, result, exc, runtime, extra)


# ---------------------------------------------------------------- the console
@st.composite
def count_series(draw) -> tuple[str, tuple]:
    """A CSV of counts over time for ``skgd growth``, with some corruptions."""
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    n = draw(st.integers(2, 20))
    dated = draw(st.booleans())
    days = np.arange(n)
    times = (
        [str(d.date()) for d in pd.Timestamp("2024-03-01") + pd.to_timedelta(days, "D")]
        if dated
        else [str(d) for d in days]
    )
    counts = [str(c) for c in rng.poisson(3 * np.exp(0.2 * days))]
    rows = [[t, c] for t, c in zip(times, counts)]
    cells = draw(st.lists(st.sampled_from(["text", "missing", "edge", "edge_all"]), max_size=2,
                          unique=True))  # fmt: skip
    for mutation in cells:
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, 1))
        if mutation == "text":
            rows[i][j] = draw(st.sampled_from(WORDS))
        elif mutation == "missing":
            rows[i][j] = ""
        elif mutation == "edge":
            rows[i][j] = draw(st.sampled_from(EDGES))
        else:  # every count huge, as in a file of another unit
            scale = draw(st.sampled_from(["e200", "e300", "e154", "e150"]))
            rows = [[t, c + scale] for t, c in rows]
    lines_ = draw(st.lists(st.sampled_from(LINE_MUTATIONS), max_size=2, unique=True))
    lines = ["date,count" if dated else "day,count"] + [",".join(r) for r in rows]
    if "extra_field" in lines_:
        lines[draw(st.integers(1, n))] += ",1"
    if "blank_lines" in lines_:
        lines.insert(draw(st.integers(1, n)), "")
    if "headerless" in lines_:
        lines = lines[1:]
    text = "\n".join(lines) + "\n"
    if "truncate_last" in lines_:
        text = text.rstrip("\n")
        text = text[: len(text) - draw(st.integers(1, 3))]
    if "empty" in lines_:
        text = draw(st.sampled_from(["", "\n", "day,count\n"]))
    if "crlf" in lines_:
        text = text.replace("\n", "\r\n")
    if "bom" in lines_:
        text = "\ufeff" + text
    return text, tuple(cells) + tuple(lines_)


def run_cli(argv: list[str], path: str) -> Observation:
    """``skgd ARGV`` in-process: its exit status and output checked against the promises."""
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = skgd.cli.main(argv)
            except SystemExit as exc:
                status = exc.code
            except BaseException as exc:  # noqa: BLE001
                status = f"raised {type(exc).__name__}: {exc}"
    out, err = out.getvalue(), err.getvalue()
    defects = []
    runtime = _runtime(caught)
    if runtime or "RuntimeWarning" in out + err or "encountered in" in out + err:
        defects.append("RuntimeWarning on the console")
    if "Traceback" in out + err:
        defects.append("a traceback")
    name = argv[0] if argv else ""
    if status == 0:
        if err.strip():
            defects.append("exit 0 with text on stderr")
        rate = re.search(r"growth rate r\s+(\S+)", out)
        if rate and rate.group(1).lower() in ("nan", "inf", "-inf"):
            defects.append(f"exit 0 reporting growth rate {rate.group(1)}")
        return Observation(f"skgd {name}", "ok", defects)
    lines = err.splitlines()
    if status != 2:
        defects.append(f"exit status {status!r}")
    if len(lines) != 1:
        defects.append(f"{len(lines)} lines on stderr")
    if out.strip():
        defects.append("output on stdout before the error")
    if lines and not lines[0].startswith("skgd"):
        defects.append("the error line does not start with 'skgd'")
    message = normalize(lines[0] if lines else str(status), path)
    return Observation(f"skgd {name}", message, [f"{d} ({message})" for d in defects])


# ---------------------------------------------------------------- the record
class Recorder:
    """Observations of a session: counts, distinct messages, distinct defects."""

    def __init__(self):
        self.cases = 0
        self.by_runner: dict[str, int] = {}
        self.messages: set[str] = set()
        self.defects: dict[str, str] = {}  # defect -> the mutations of its first case

    def add(self, observation: Observation, mutations=()) -> None:
        self.cases += 1
        self.by_runner[observation.what] = self.by_runner.get(observation.what, 0) + 1
        if observation.outcome != "ok":
            self.messages.add(f"{observation.what}: {observation.outcome}")
        for defect in observation.defects:
            key = f"{observation.what}: {defect}"
            self.defects.setdefault(key, ", ".join(mutations))

    def check(self, observation: Observation, mutations=()) -> None:
        """Record, then fail on a defect (unless surveying)."""
        self.add(observation, mutations)
        if observation.defects and not SURVEY:
            raise AssertionError(f"{observation.what}: {observation.defects} ({mutations})")

    def write(self, path: str) -> None:
        summary = {
            "cases": self.cases,
            "cases_by_runner": self.by_runner,
            "distinct_error_messages": len(self.messages),
            "error_messages": sorted(self.messages),
            "distinct_defects": len(self.defects),
            "defects": self.defects,
            "skgd_version": skgd.__version__,
        }
        previous = {}
        if os.path.exists(path):
            with contextlib.suppress(ValueError, OSError):
                with open(path) as handle:
                    previous = json.load(handle)
        runs = previous.get("runs", []) if isinstance(previous, dict) else []
        with open(path, "w") as handle:
            json.dump({"runs": [*runs, summary]}, handle, indent=1, ensure_ascii=False)


def safe_name(text: str) -> str:
    return "".join(c if c in string.ascii_letters + string.digits else "_" for c in text)
