"""The console against a hostile user (issue 18): one line, the right exit status, no work wasted.

One test per fault: usage errors of every subcommand, Ctrl-C, output paths,
NaN and inf in numeric options, overflowing inputs, ``--version``, string
labels given to ``compare``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import skgd
from skgd.cli import main

COUNTS = "day,count\n1,3\n2,8\n3,20\n4,50\n5,120\n"


def _run(argv, capsys):
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def _one_line_error(status, out, err, name):
    assert status == 2, (status, out, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"skgd {name}: error: ")
    return lines[0]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "counts.csv").write_text(COUNTS)
    (tmp_path / "a_folder").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------- usage errors, every subcommand
USAGE = [
    (["growth", "--window", "x"], "--window"),
    (["growth", "--generation-time", "0", "2"], "--generation-time"),
    (["growth", "--split", "--loss", "squared_error"], "--split"),
    (["compare", "--alpha", "lots"], "--alpha"),
    (["compare", "--tol", ""], "--tol"),
    (["landscape"], "name"),
    (["landscape", "rosenbrock", "--steps", "0"], "--steps"),
    (["landscape", "rosenbrock", "--steps", "10000000"], "--steps"),
    (["landscape", "rosenbrock", "--start", "1,2,3"], "--start"),
    (["landscape", "rosenbrock", "--optimizer", ","], "--optimizer"),
    (["landscape", "rosenbrok"], "did you mean 'rosenbrock'"),
    (["simulator", "--condition", "x"], "--condition"),
    (["simulator", "--condition", "1e308"], "--condition must be between 1 and 1e+06"),
    (["landscape", "quadratic", "--condition", "1e300"], "--condition must be between 1 and"),
    (["simulator", "--bogus"], "--bogus"),
]


@pytest.mark.parametrize("argv, phrase", USAGE, ids=[" ".join(a) for a, _ in USAGE])
def test_every_usage_error_is_one_line_and_status_2(folder, capsys, argv, phrase):
    line = _one_line_error(*_run(argv, capsys), argv[0])
    assert phrase in line


# ---------------------------------------------------------------- NaN and inf in numbers
NON_FINITE = [
    (["growth", "--level", "nan"], "--level"),
    (["growth", "--window", "inf"], "--window"),
    (["growth", "--generation-time", "nan", "2"], "--generation-time"),
    (["growth", "--start", "inf"], "--start"),
    (["growth", "--end=-inf"], "--end"),
    (["compare", "--learning-rate", "nan"], "--learning-rate"),
    (["compare", "--alpha", "inf"], "--alpha"),
    (["compare", "--tol", "NaN"], "--tol"),
    (["landscape", "rosenbrock", "--start", "nan,0"], "--start"),
    (["landscape", "rosenbrock", "--learning-rate", "0.1,inf", "--optimizer", "sgd,adam"],
     "--learning-rate"),
    (["landscape", "quadratic", "--condition", "inf"], "--condition"),
    (["simulator", "--condition", "nan"], "--condition"),
]  # fmt: skip


@pytest.mark.parametrize("argv, phrase", NON_FINITE, ids=[" ".join(a) for a, _ in NON_FINITE])
def test_nan_and_inf_in_numeric_options_are_refused(folder, capsys, argv, phrase):
    line = _one_line_error(*_run(argv, capsys), argv[0])
    assert phrase in line and "finite" in line


# ---------------------------------------------------------------- output paths
OUTPUTS = [
    ("growth", "--plot"),
    ("landscape", "--out"),
    ("simulator", "--out"),
]
BAD_PATHS = [
    ("a_folder/", "is a directory"),
    ("a_folder", "is a directory"),
    ("new_folder/", "is a directory"),
    ("missing/x.png", "does not exist"),
]


@pytest.mark.parametrize("command, option", OUTPUTS)
@pytest.mark.parametrize("path, phrase", BAD_PATHS)
def test_bad_output_paths_are_refused_before_any_work(folder, capsys, command, option, path,
                                                      phrase):  # fmt: skip
    argv = [command] + (["rosenbrock"] if command == "landscape" else []) + [option, path]
    before = sorted(folder.rglob("*"))
    line = _one_line_error(*_run(argv, capsys), command)  # stdout empty: nothing was run
    assert phrase in line
    assert sorted(folder.rglob("*")) == before  # no hidden DIR/.png, no file DIR


@pytest.mark.parametrize("command, option", [("growth", "--plot"), ("landscape", "--out")])
def test_a_picture_needs_a_picture_extension(folder, capsys, command, option):
    argv = [command] + (["rosenbrock"] if command == "landscape" else [])
    for name, phrase in (("out.txt", "'.txt' is not a picture format"), ("out", "no extension")):
        line = _one_line_error(*_run([*argv, option, name], capsys), command)
        assert phrase in line and ".png" in line
        assert not (folder / name).exists() and not (folder / f"{name}.png").exists()


def test_an_unwritable_output_is_refused_before_any_work(folder, capsys):
    locked = folder / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    target = locked / "plot.png"
    if os.access(locked, os.W_OK):  # root writes anywhere but in /sys
        target = Path("/sys/skgd-hostile-plot.png")
        if not Path("/sys").is_dir():
            pytest.skip("no unwritable place to try as root")
    try:
        line = _one_line_error(*_run(["growth", "--plot", str(target)], capsys), "growth")
    finally:
        locked.chmod(0o755)
    assert "cannot write it" in line


# ---------------------------------------------------------------- overflowing inputs
def test_overflowing_counts_are_named_without_warnings(folder, capsys):
    (folder / "huge.csv").write_text("day,count\n1,3e200\n2,8e200\n3,2e201\n4,5e201\n")
    line = _one_line_error(*_run(["growth", "huge.csv"], capsys), "growth")
    assert "too large for float64" in line and "line 5" in line


def test_overflowing_features_are_named_without_warnings(folder, capsys):
    (folder / "huge.csv").write_text("a,b,y\n1,1e200,3\n2,5,4\n3,1,1\n4,2,2\n")
    line = _one_line_error(*_run(["compare", "huge.csv", "--target", "y"], capsys), "compare")
    assert "column 'b'" in line and "too large for float64" in line


def test_the_console_prints_no_numpy_warning(folder, capsys):
    # an installed console script, in a fresh process where warnings are shown
    (folder / "huge.csv").write_text("a,b,y\n1,1e200,3\n2,5,4\n3,1,1\n4,2,2\n")
    result = subprocess.run(
        [sys.executable, "-W", "always", "-c", "from skgd.cli import main; main()",
         "compare", "huge.csv", "--target", "y"],
        capture_output=True, text=True, timeout=300, cwd=folder,
    )  # fmt: skip
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr


# ---------------------------------------------------------------- Ctrl-C
@pytest.mark.parametrize("command", ["growth", "compare", "landscape", "simulator"])
def test_ctrl_c_is_one_line_and_status_130(folder, capsys, monkeypatch, command):
    import importlib

    module = importlib.import_module(f"skgd.cli.{command}")

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "run", interrupted)
    argv = [command] + (["rosenbrock"] if command == "landscape" else [])
    status, out, err = _run(argv, capsys)
    assert status == 130
    assert err == f"skgd {command}: interrupted\n"


def test_sigint_in_a_long_run_is_one_line_and_status_130(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from skgd.cli import main; sys.exit(main())",
         "compare", "--optimizer", "sgd", "--learning-rate", "1e-4", "--tol", "0",
         "--max-iter", "100000000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )  # fmt: skip
    time.sleep(4)  # past the imports, in the fit
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert err == "skgd compare: interrupted\n"


# ---------------------------------------------------------------- --version, string labels
def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"skgd {skgd.__version__}\n"


def test_string_labels_suggest_the_classifier(folder, capsys):
    (folder / "labels.csv").write_text("a,b,y\n1,2,yes\n2,5,no\n3,1,yes\n4,4,no\n")
    line = _one_line_error(*_run(["compare", "labels.csv", "--target", "y"], capsys), "compare")
    assert "'yes'" in line and "--estimator classifier" in line
    status, out, err = _run(
        ["compare", "labels.csv", "--target", "y", "--estimator", "classifier"], capsys
    )
    assert status == 0 and err == "" and "GDClassifier" in out


def test_a_reader_that_goes_away_is_not_an_error():
    # `skgd growth | head -1` used to end with "error: [Errno 32] Broken pipe", exit 2
    import subprocess
    import sys

    code = "import sys; from skgd.cli import main; sys.exit(main(['growth', '--window', '3']))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    # the reader goes away before the first line (the command is still
    # importing), so every write of the report meets a closed pipe
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert b"Broken pipe" not in err and b"Error" not in err
