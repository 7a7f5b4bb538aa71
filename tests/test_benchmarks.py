"""The benchmark suite runs end to end (no timing is asserted: timings belong in the
benchmark's own table, never in a unit test)."""

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def run_module(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("run", None)
    import run

    return run


def test_quick_benchmark_writes_the_expected_table(run_module, tmp_path):
    pytest.importorskip("sklearn.neural_network")
    frame = run_module.main(
        ["--quick", "--n", "400", "--skip", "gap,startup,memory", "--out", str(tmp_path)]
    )
    assert list(frame.columns) == run_module.COLUMNS
    assert (tmp_path / "results.csv").exists() and (tmp_path / "results.md").exists()
    epochs = frame[frame.section == "epoch"]
    for opt in run_module.OPTIMIZERS:
        for bs in run_module.BATCHES:
            assert ((epochs.method == f"skgd {opt}") & (epochs.setting == str(bs))).any()
    methods = set(frame.method)
    assert {"sklearn SGDRegressor", "BLAS X.T @ (X @ w - y)", "MLPRegressor adam"} <= methods
    assert {"sklearn SGDClassifier", "skgd ExponentialGrowthRegressor"} <= methods
    assert frame.loc[frame.target != "", "met"].isin(["yes", "no"]).all()
