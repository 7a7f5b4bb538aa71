"""``skgd growth`` on real surveillance files: dates, headers, windows, the peak (issue 17)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from skgd import ExponentialGrowthRegressor
from skgd.cli import main
from skgd.datasets import load_boarding_school_flu

FLU = [3, 8, 28, 76, 222, 293, 257, 237, 192, 126, 70, 28, 12, 5]
DATES = [f"1978-01-{d}" for d in range(22, 32)] + [f"1978-02-0{d}" for d in range(1, 5)]


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):
        yield


def _write(tmp_path, text, name="cases.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _dated_csv(tmp_path, header=True, order=("date", "cases")):
    rows = [dict(zip(("date", "cases"), (d, str(c)))) for d, c in zip(DATES, FLU)]
    lines = [",".join(order)] if header else []
    lines += [",".join(row[k] for k in order) for row in rows]
    return _write(tmp_path, "\n".join(lines) + "\n")


def _run(argv, capsys):
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 0, err
    assert err == ""
    return out


def _flat(text: str) -> str:
    """The report with its wrapped lines joined, to look for phrases."""
    return " ".join(text.split())


def _number(out, label):
    """The estimate printed after a row label."""
    match = re.search(rf"{label}\s+(-?[0-9.e+-]+)", out)
    assert match, out
    return float(match.group(1))


# ------------------------------------------------------------------ dates
def test_a_date_column_is_read_as_days(tmp_path, capsys):
    out = _run(["growth", _dated_csv(tmp_path), "--end", "1978-01-26"], capsys)
    flat = _flat(out)
    assert "counts 'cases' against 'date', 1978-01-22 to 1978-01-26" in flat
    assert "days 0 to 4 counted from 1978-01-22" in flat and "5 rows of 14" in flat
    assert "dates are read as days; r is per day" in flat
    assert "at 1978-01-22" in out  # I0's date
    by_day = ExponentialGrowthRegressor().fit(np.arange(5.0).reshape(-1, 1), FLU[:5])
    assert _number(out, "growth rate r") == pytest.approx(by_day.growth_rate_, rel=1e-3)


def test_the_time_column_is_found_wherever_it_is(tmp_path, capsys):
    path = _dated_csv(tmp_path, order=("cases", "date"))
    out = _run(["growth", path, "--end", "4"], capsys)
    assert "counts 'cases' against 'date'" in out
    assert "the time column is 'date', the first column of dates" in out


@pytest.mark.parametrize(
    "bounds",
    [
        ["--start", "1978-01-22", "--end", "1978-01-26"],
        ["--start", "0", "--end", "4"],
        ["--start", "1978-01-22", "--end", "4"],
        ["--end", "1978-01-26T00:00"],
    ],
    ids=["dates", "day numbers", "mixed", "datetime"],
)
def test_start_and_end_as_dates_or_day_numbers(tmp_path, capsys, bounds):
    out = _run(["growth", _dated_csv(tmp_path), *bounds], capsys)
    assert "1978-01-22 to 1978-01-26" in out and "5 rows of 14" in out


# ------------------------------------------------------------------ headers
def test_a_headerless_file_is_read_as_data(tmp_path, capsys):
    headed = _run(["growth", _dated_csv(tmp_path), "--end", "4"], capsys)
    path = _dated_csv(tmp_path, header=False)
    out = _run(["growth", path, "--end", "4"], capsys)
    assert "has no header row: its columns are numbered 1 to 2" in _flat(out)
    assert "1978-01-22 to 1978-01-26" in out  # the first row is data, not lost
    assert _number(out, "growth rate r") == _number(headed, "growth rate r")
    # numbers only: the first row is data too
    numeric = _write(tmp_path, "".join(f"{d},{c}\n" for d, c in zip(range(1, 15), FLU)))
    out = _run(["growth", numeric, "--end", "5"], capsys)
    assert "counts column 2 against column 1, time 1 to 5; 5 rows of 14" in out
    assert "column 1 is the time, in its own unit; r is per time unit" in _flat(out)
    assert _number(out, "doubling time") == pytest.approx(0.6481, abs=1e-4)
    # columns are chosen by number
    out = _run(["growth", numeric, "--time", "1", "--count", "2", "--end", "5"], capsys)
    assert "5 rows of 14" in out


def test_a_header_over_text_and_numbers_is_a_header(tmp_path, capsys):
    path = _write(tmp_path, "region,day,cases\nnorth,1,3\nnorth,2,8\nnorth,3,28\n")
    out = _run(["growth", path], capsys)
    assert "counts 'cases' against 'day'" in out and "3 rows" in out
    assert "no header row" not in out


# ------------------------------------------------------------------ the report
def test_report_names_method_window_units_and_dispersion(capsys):
    out = _flat(_run(["growth"], capsys))
    assert "day 1 to 5; 5 rows of 14" in out
    assert "column 'day' counts days; r is per day" in out
    assert "Poisson maximum likelihood (the Poisson GLM with log link)" in out
    assert "Wald, from the Fisher information of the Poisson likelihood" in out
    assert "estimate +- 1.960 standard errors (normal quantile)" in out
    # a dispersion below 1, in words
    assert "Pearson chi^2/df = 0.07931 on 3 residual df" in out
    assert "a dispersion below 1 is ignored, so the intervals are not narrowed" in out


def test_report_of_an_overdispersed_fit_says_the_intervals_were_widened(capsys):
    out = _run(["growth", "--start", "1", "--end", "14"], capsys)
    flat = _flat(out)
    assert "Pearson chi^2/df = 110.6 on 12 residual df" in flat
    assert "over-dispersed" in flat and "widened 10.52 times" in flat
    assert "Student's t quantile on 12 df" in flat
    # the example: r's interval contains 0, so the doubling time is two rays
    assert "-45.22   <= -4.344 or >= 5.378 days (growth rate not distinguishable from 0)" in out


# ------------------------------------------------------------------ --window and --split
def test_window_prints_one_row_per_window(capsys):
    out = _run(["growth", "--window", "7", "--generation-time", "2.5", "1"], capsys)
    assert "Growth rate over sliding windows of 7 days" in out
    assert "a window ending at time e holds the times in (e - 7, e]; 8 windows" in _flat(out)
    rows = [line.split() for line in out.splitlines() if re.match(r"\s+\d+\s+7\s", line)]
    assert [int(r[0]) for r in rows] == list(range(7, 15))
    assert rows[0][2] == "0.5191" and rows[3][2] == "0.006059"
    assert "<= -3.531 or >= 3.326" in out  # the window ending on day 10
    assert "in 2 window(s) r's interval contains 0" in _flat(out)
    assert "Wallinga and Lipsitch" in _flat(out)
    assert "Above 1 in 8 of 8 windows" in _flat(out)


def test_window_on_a_dated_file(tmp_path, capsys):
    out = _run(["growth", _dated_csv(tmp_path), "--window", "7"], capsys)
    ends = re.findall(r"^\s+(1978-\d\d-\d\d)\s+7\s", out, flags=re.M)
    assert ends[0] == "1978-01-28" and ends[-1] == "1978-02-04" and len(ends) == 8


def test_split_prints_the_peak_and_both_phases(tmp_path, capsys):
    out = _run(["growth", "--split"], capsys)
    assert "peak:       day 6 (293 in_bed)" in out
    assert "growth phase: 1 to 6 (6 rows)" in out and "decline phase: 6 to 14 (9 rows)" in out
    assert "after the peak the counts halve every 2.017 days" in _flat(out)
    assert "They take the peak time as known" in _flat(out)
    out = _run(["growth", _dated_csv(tmp_path), "--split"], capsys)
    assert "peak:       1978-01-27 (293 cases)" in out


def test_window_and_split_plots(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    for option in (["--window", "5"], ["--split"]):
        png = tmp_path / f"{option[0][2:]}.png"
        out = _run(["growth", _dated_csv(tmp_path), *option, "--plot", str(png)], capsys)
        assert f"written to {png}" in out and png.stat().st_size > 10_000


def test_help_shows_the_new_options(capsys):
    with pytest.raises(SystemExit) as info:
        main(["growth", "--help"])
    assert info.value.code == 0
    text = _flat(capsys.readouterr().out)
    for option in ("--window N", "--split", "--start T", "YYYY-MM-DD", "without a header row"):
        assert option in text, option


# ------------------------------------------------------------------ bad input: one line
@pytest.mark.parametrize(
    "content, extra, phrase",
    [
        ("date,cases\n03/05/2024,3\n03/06/2024,5\n", [], "neither numbers nor ISO dates"),
        ("date,cases\n2024-03-01,3\n2,5\n2024-03-03,9\n", [], "mixes dates and numbers"),
        ("date,cases\n2024-03-01,3\n,5\n2024-03-03,9\n", [], "missing value(s), first on line 3"),
        ("day,cases\n1,3\n2,5\n3,9\n", ["--start", "2024-03-01"], "is a date, but the time"),
        ("day,cases\n1,3\n2,5\n3,9\n", ["--start", "soon"], "--start must be a number"),
        ("date,cases\n2024-03-01,3\n2024-03-02,5\n", ["--end", "x"], "ISO date (YYYY-MM-DD)"),
        ("day,cases\n1,3\n2,5\n3,9\n", ["--window", "-1"], "--window must be a positive"),
        ("day,cases\n1,3\n2,5\n3,9\n4,9\n", ["--window", "2"], "at most 2 observations"),
        ("day,cases\n1,3\n1,5\n2,9\n3,9\n", ["--window", "3"], "repeated values"),
        ("day,cases\n1,3\n2,5\n3,9\n", ["--split", "--loss", "squared_error"], "--split"),
        ("day,cases\n1,3\n2,5\n3,9\n", ["--split"], "too few to split"),
        ("day,cases\n1,3\n2,5\n", ["--window", "3", "--split"], "not allowed with"),
        ("day,day\n1,3\n2,5\n", [], "repeated column names"),
    ],
)
def test_bad_input_is_one_line_and_status_2(tmp_path, capsys, content, extra, phrase):
    path = _write(tmp_path, content)
    try:
        status = main(["growth", path, *extra])
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    captured = capsys.readouterr()
    assert status == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert phrase in lines[0], lines[0]
    assert "Traceback" not in captured.err


def test_the_bundled_dated_csv_is_shipped():
    flu = load_boarding_school_flu(dated=True)
    with open(flu.filename) as fh:
        assert fh.readline().strip() == "date,in_bed"
        assert fh.readline().strip() == "1978-01-22,3"


def test_repeated_dates_are_fitted_with_a_warning_and_refused_by_windows(tmp_path, capsys):
    # two regions stacked in one file used to be pooled without a word
    path = tmp_path / "regions.csv"
    path.write_text(
        "date,cases\n2024-03-01,5\n2024-03-02,7\n2024-03-03,10\n"
        "2024-03-01,50\n2024-03-02,40\n2024-03-03,30\n"
    )
    out = _run(["growth", str(path)], capsys)
    assert "3 row(s) repeat a time" in re.sub(r"\s+", " ", out)
    assert main(["growth", str(path), "--window", "2"]) == 2
    assert "fit each on its own" in capsys.readouterr().err


def test_split_on_counts_with_no_peak_says_so_first(tmp_path, capsys):
    # a steadily growing series used to be headlined "peak: day 2", with a
    # rising "decline phase", and the doubt only in a warning at the end
    t = np.arange(15)
    path = tmp_path / "rising.csv"
    path.write_text(
        "day,cases\n" + "".join(f"{a},{int(b)}\n" for a, b in zip(t, np.round(5 * np.exp(0.2 * t))))
    )
    status = main(["growth", str(path), "--split"])
    out = re.sub(r"\s+", " ", capsys.readouterr().out)
    assert status == 0
    assert "peak: none found" in out
    assert not re.search(r"decline phase: \d", out) and "after the peak" not in out, out


def test_a_file_without_its_final_newline_gets_a_note(tmp_path, capsys):
    # "19,2" of a download cut short reads as a number: say that it may be cut
    cut = tmp_path / "cut.csv"
    cut.write_text("day,cases\n1,2\n2,4\n3,8\n4,1")
    out = re.sub(r"\s+", " ", _run(["growth", str(cut)], capsys))
    assert "does not end with a newline" in out and "(line 5)" in out
    whole = tmp_path / "whole.csv"
    whole.write_text("day,cases\n1,2\n2,4\n3,8\n4,16\n")
    assert "newline" not in _run(["growth", str(whole)], capsys)
