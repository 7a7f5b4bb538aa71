"""The console commands answer bad input with one line on stderr and exit status 2 (issue 8)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skgd.cli import main

FILES = {
    "good.csv": "day,count\n1,3\n2,8\n3,20\n4,50\n",
    "nonnumeric.csv": "day,count\n1,3\n2,many\n3,9\n",
    "empty.csv": "",
    "header_only.csv": "day,count\n",
    "negative.csv": "day,count\n1,3\n2,-8\n3,20\n",
    "text_target.csv": "a,b,t\n1,2,x\n3,4,y\n5,1,z\n",
    "missing_value.csv": "a,b,t\n1,,1\n3,4,2\n5,1,3\n",
    "binary.csv": "\x00\x01\x02",
}

#: (argv, a phrase the one line must contain)
CASES = [
    # growth
    (["growth", "missing.csv"], "no such file"),
    (["growth", "good.csv", "--count", "cases"], "'cases'"),
    (["growth", "good.csv", "--time", "date"], "'date'"),
    (["growth", "nonnumeric.csv"], "non-numeric"),
    (["growth", "empty.csv"], "empty"),
    (["growth", "header_only.csv"], "no data rows"),
    (["growth", "negative.csv"], "counts must be"),
    (["growth", "good.csv", "--start", "10"], "window"),
    (["growth", "--level", "abc"], "--level"),
    (["growth", "--level", "2"], "--level"),
    (["growth", "--loss", "gaussian"], "--loss"),
    (["growth", "--generation-time", "3"], "--generation-time"),
    (["growth", "--bogus"], "--bogus"),
    (["growth", "."], "directory"),
    # compare
    (["compare", "missing.csv", "--target", "y"], "no such file"),
    (["compare", "good.csv", "--target", "cases"], "'cases'"),
    (["compare", "good.csv"], "--target"),
    (["compare", "empty.csv", "--target", "y"], "empty"),
    (["compare", "header_only.csv", "--target", "count"], "no data rows"),
    (["compare", "nonnumeric.csv", "--target", "day"], "numeric"),
    (["compare", "text_target.csv", "--target", "t"], "--estimator classifier"),
    (["compare", "missing_value.csv", "--target", "t"], "missing"),
    (["compare", "--dataset", "iris2"], "--dataset"),
    (["compare", "--estimator", "forest"], "--estimator"),
    (["compare", "--penalty", "l3"], "--penalty"),
    (["compare", "--max-iter", "x"], "--max-iter"),
    (["compare", "--max-iter", "0"], "max_iter"),
    (["compare", "--learning-rate", "-1"], "learning_rate"),
    (["compare", "--learning-rate", "fast"], "--learning-rate"),
    (["compare", "--batch-size", "0"], "batch_size"),
    (["compare", "--batch-size", "half"], "--batch-size"),
    (["compare", "--optimizer", "adan"], "adam"),
    (["compare", "--loss", "bogus"], "loss"),
    (["compare", "--optimizer", "sgd", "--learning-rate", "1e10"], "learning_rate"),
    # simulator
    (["simulator", "--surface", "rosenbrok"], "did you mean 'rosenbrock'"),
    (["simulator", "--out", "."], "directory"),
    (["simulator", "--out", "no_such_folder/page.html"], "does not exist"),
    (["simulator", "--condition", "0.5"], "condition"),
    (["simulator", "--condition", "many"], "--condition"),
    # the dispatcher itself
    ([], "command"),
    (["grow"], "grow"),
]


@pytest.fixture
def in_data_dir(tmp_path, monkeypatch):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="latin-1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("argv, phrase", CASES, ids=[" ".join(c[0]) or "none" for c in CASES])
def test_bad_input_is_one_line_and_status_2(in_data_dir, capsys, argv, phrase):
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse exits through parser.error
        status = exc.code
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("skgd"), err
    assert "error:" in lines[0]
    assert "Traceback" not in err
    assert phrase in lines[0], lines[0]


def test_help_still_prints_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["growth", "--help"])
    assert info.value.code == 0
    assert "usage: skgd growth" in capsys.readouterr().out


def test_console_script_has_no_traceback(in_data_dir):
    """The installed ``skgd`` command, end to end, in a fresh process."""
    command = str(Path(sys.executable).with_name("skgd"))
    if not Path(command).exists():
        command = shutil.which("skgd")
    for argv in (["growth", "nonnumeric.csv"], ["compare", "--max-iter", "x"]):
        result = subprocess.run(
            [command, *argv], capture_output=True, text=True, timeout=300, cwd=in_data_dir
        )
        assert result.returncode == 2
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_simulator_out_unwritable(tmp_path, capsys):
    """An --out the user may not write gets one line and status 2 (root: a sysfs path)."""
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    target = folder / "page.html"
    if os.access(folder, os.W_OK):  # root writes anywhere but in /sys
        target = Path("/sys/skgd-simulator.html")
        if not Path("/sys").is_dir():
            pytest.skip("no unwritable place to try as root")
    try:
        status = main(["simulator", "--out", str(target)])
    finally:
        folder.chmod(0o755)
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("skgd simulator: error: --out") and "cannot write" in err
