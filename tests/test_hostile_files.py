"""Generated hostile files and console calls (issue 18): clean answers or one clean error.

The generators and the promises checked are in ``tests/hostile_cases.py``.
The default run tries a few dozen cases per test; ``-m slow`` runs a large
fixed budget (the examples are derandomized, so a budget is the same cases on
every machine). ``SKGD_HOSTILE_REPORT=/tmp/x.json`` writes what was seen.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import pytest
from hostile_cases import (
    Recorder,
    count_series,
    run_cli,
    run_fit_csv,
    run_score_csv,
    tables,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FAST, SLOW = 25, 2000
RECORD = Recorder()
_names = itertools.count()


def budget(n: int):
    # derandomized: a fixed budget is the same cases on every run; no example
    # database, so a run leaves nothing behind
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    yield tmp_path_factory.mktemp("hostile")
    report = os.environ.get("SKGD_HOSTILE_REPORT")
    if report:
        RECORD.write(report)


def _write(folder: Path, text: str) -> str:
    path = folder / f"hostile_{next(_names)}.csv"
    path.write_bytes(text.encode("utf-8"))
    return str(path)


# ---------------------------------------------------------------- fit_csv / score_csv
def _files(folder, case):
    path = _write(folder, case.text)
    for observation in (
        run_fit_csv(case, path, prefit=False),
        run_fit_csv(case, path, prefit=True),
        run_score_csv(case, path),
    ):
        RECORD.check(observation, case.mutations)


@budget(FAST)
@given(case=st.one_of(tables("regression"), tables("classification")))
def test_hostile_files(folder, case):
    _files(folder, case)


@pytest.mark.slow
@budget(SLOW)
@given(case=st.one_of(tables("regression"), tables("classification")))
def test_hostile_files_large_budget(folder, case):
    _files(folder, case)


# ---------------------------------------------------------------- the console on files
def _console_files(folder, generated, estimator):
    text, mutations = generated
    path = _write(folder, text)
    RECORD.check(run_cli(["growth", path], path), mutations)
    column = "count"
    argv = ["compare", path, "--target", column, "--max-iter", "50"]
    if estimator:
        argv += ["--estimator", estimator]
    RECORD.check(run_cli(argv, path), mutations)


@budget(FAST)
@given(generated=count_series(), estimator=st.sampled_from([None, "growth"]))
def test_hostile_files_on_the_console(folder, generated, estimator):
    _console_files(folder, generated, estimator)


@pytest.mark.slow
@budget(SLOW // 4)
@given(generated=count_series(), estimator=st.sampled_from([None, "growth"]))
def test_hostile_files_on_the_console_large_budget(folder, generated, estimator):
    _console_files(folder, generated, estimator)


# ---------------------------------------------------------------- the console's flags
NON_FINITE = re.compile(r"(?i)(^|,)[-+]?(nan|inf)")
NUMBERS = ["nan", "inf", "-inf", "NaN", "1e308", "-1", "0", "abc", "", "0.5", "2", "1e-300",
           "99999999999999999999", "3"]  # fmt: skip


def _paths(folder: Path) -> list[str]:
    existing = folder / "a_folder"
    existing.mkdir(exist_ok=True)
    unwritable = "/sys/skgd-hostile/out.png"
    return [str(folder / "out.png"), f"{existing}/", str(existing), str(folder / "no/x.png"),
            unwritable, str(folder / "out.txt"), "", str(folder / "out")]  # fmt: skip


@st.composite
def console_calls(draw, paths):
    """argv for one subcommand with hostile values in its options."""
    number = st.sampled_from(NUMBERS)
    path = st.sampled_from(paths)
    command = draw(st.sampled_from(["growth", "compare", "landscape", "simulator"]))
    argv = [command]
    if command == "growth":
        options = {
            "--level": lambda: [draw(number)],
            "--window": lambda: [draw(number)],
            "--start": lambda: [draw(number)],
            "--end": lambda: [draw(number)],
            "--generation-time": lambda: [draw(number), draw(number)],
            "--plot": lambda: [draw(path)],
        }
    elif command == "compare":
        argv += ["--max-iter", "30"]  # fast unless the draw replaces it
        options = {
            "--learning-rate": lambda: [draw(number)],
            "--alpha": lambda: [draw(number)],
            "--tol": lambda: [draw(number)],
            "--max-iter": lambda: [draw(st.sampled_from(["0", "-1", "x", "1e3", "5", "2.5",
                                                          "99999999999999999999"]))],
            "--batch-size": lambda: [draw(number)],
            "--random-state": lambda: [draw(number)],
        }  # fmt: skip
    elif command == "landscape":
        argv += [draw(st.sampled_from(["rosenbrock", "quadratic", "saddle", "rosenbrok"]))]
        argv += ["--steps", "20", "--out", paths[0]]  # fast and harmless unless replaced
        options = {
            "--learning-rate": lambda: [draw(number)],
            "--start": lambda: [f"{draw(number)},{draw(number)}"],
            "--steps": lambda: [draw(st.sampled_from(["0", "-3", "x", "5", "nan", "1e3"]))],
            "--condition": lambda: [draw(number)],
            "--out": lambda: [draw(path)],
            "--optimizer": lambda: [draw(st.sampled_from(["sgd", "adam,lbfgs", ",", "adan"]))],
        }
    else:
        options = {
            "--condition": lambda: [draw(number)],
            "--out": lambda: [draw(path)],
            "--surface": lambda: [draw(st.sampled_from(["quadratic", "beale", "nope"]))],
        }
    chosen = draw(st.lists(st.sampled_from(sorted(options)), min_size=1, max_size=3, unique=True))
    for name in chosen:
        argv += [name, *options[name]()]
    return argv


def _files_in(folder: Path) -> set:
    return {p.relative_to(folder) for p in folder.rglob("*")}


def _flags(folder, data):
    paths = _paths(folder)
    argv = data.draw(console_calls(paths))
    before = _files_in(folder)
    cwd = os.getcwd()
    os.chdir(folder)  # default outputs (NAME.png, simulator.html) land in the temporary folder
    try:
        observation = run_cli(argv, str(folder))
    finally:
        os.chdir(cwd)
    new = _files_in(folder) - before
    hidden = sorted(str(p) for p in new if p.name.startswith("."))
    if hidden:
        observation.defects.append(f"wrote a hidden file {hidden[0]}")
    if observation.outcome != "ok" and new:
        observation.defects.append("wrote a file although it failed")
    values = [v for v in argv[1:] if not v.startswith("--")]
    if observation.outcome == "ok" and any(NON_FINITE.search(v) for v in values):
        observation.defects.append("accepted nan or inf in a numeric option")
    for path in new:  # the next case starts from the same folder
        if (folder / path).is_file():
            (folder / path).unlink()
    RECORD.check(observation, tuple(argv))


@budget(FAST)
@given(data=st.data())
def test_hostile_console_flags(folder, data):
    _flags(folder, data)


@pytest.mark.slow
@budget(SLOW // 4)
@given(data=st.data())
def test_hostile_console_flags_large_budget(folder, data):
    _flags(folder, data)
