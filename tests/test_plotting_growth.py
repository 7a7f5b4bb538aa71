"""GrowthRateDisplay, GrowthPeakDisplay and LossCurveDisplay on an empty curve (issue 17)."""

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from skgd import ExponentialGrowthRegressor, GDRegressor, growth_peak, growth_rates  # noqa: E402
from skgd.datasets import load_boarding_school_flu  # noqa: E402
from skgd.plotting import GrowthPeakDisplay, GrowthRateDisplay, LossCurveDisplay  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def flu():
    frame = load_boarding_school_flu(dated=True, as_frame=True).frame
    return frame["date"], frame["in_bed"].to_numpy()


def test_rate_display_draws_the_table(flu):
    rates = growth_rates(*flu, window=7)
    display = GrowthRateDisplay.from_rates(rates, at="end")
    np.testing.assert_allclose(display.line_.get_ydata(), rates["growth_rate"])
    np.testing.assert_array_equal(
        display.line_.get_xdata().astype("datetime64[ns]"),
        rates["window_end"].to_numpy(dtype="datetime64[ns]"),
    )
    # the band spans each window's interval
    (path,) = display.band_.get_paths()
    ys = path.vertices[:, 1]
    assert ys.min() == pytest.approx(rates["growth_rate_lower"].min())
    assert ys.max() == pytest.approx(rates["growth_rate_upper"].max())
    assert display.ax_.get_xlabel() == "window end"
    assert any(np.all(np.asarray(line.get_ydata()) == 0) for line in display.ax_.lines)  # r = 0


def test_rate_display_at_the_middle_crosses_zero_near_the_peak(flu):
    rates = growth_rates(*flu, window=5)
    peak = growth_peak(*flu)
    display = GrowthRateDisplay.from_rates(rates, peak_time=peak.peak_time)
    x = display.line_.get_xdata().astype("datetime64[ns]")
    middle = rates["window_start"] + (rates["window_end"] - rates["window_start"]) / 2
    np.testing.assert_array_equal(x, middle.to_numpy(dtype="datetime64[ns]"))
    r = display.line_.get_ydata()
    first_negative = x[np.flatnonzero(r < 0)[0]]
    assert abs((first_negative - np.datetime64("1978-01-27")) / np.timedelta64(1, "D")) <= 1
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels[0] == "r over windows of 5 days (at each window's middle)"
    assert "peak (1978-01-27)" in labels


def test_doubling_axis_puts_each_doubling_time_at_ln2_over_it(flu):
    display = GrowthRateDisplay.from_data(*flu, window=7)
    axis = display.doubling_axis_
    ticks = axis.get_yticks()
    labels = [t.get_text() for t in axis.get_yticklabels()]
    assert "\u221e" in labels and ticks[labels.index("\u221e")] == 0.0
    for tick, label in zip(ticks, labels):
        if label != "\u221e":
            assert tick == pytest.approx(np.log(2) / float(label))
    assert "doubling time (days; negative: halving)" == axis.get_ylabel()


def test_rate_display_checks_its_input():
    with pytest.raises(ValueError, match="lacks"):
        GrowthRateDisplay.from_rates(pd.DataFrame({"growth_rate": [0.1]}))
    with pytest.raises(ValueError, match="lengths 2, 3"):
        GrowthRateDisplay(times=[1, 2], growth_rate=[1, 2, 3], lower=[0, 0], upper=[1, 1]).plot()


def test_peak_display_draws_both_phases_with_their_doubling_sets(flu):
    peak = growth_peak(*flu)
    display = GrowthPeakDisplay.from_peak(peak, count_label="boys in bed")
    assert display.ax_.get_yscale() == "log" and display.ax_.get_ylabel() == "boys in bed"
    texts = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert texts[1].startswith("growth: r = 0.7708/day [0.4565, 1.085]")
    assert "doubling time 95%: [0.6388, 1.518] days" in texts[1]
    assert "[-3.175, -1.478] days" in texts[2]
    assert texts[3] == "peak: 1978-01-27 (293)"
    growth = display.lines_["growth"]
    t_days = (growth.get_xdata().astype("datetime64[ns]") - np.datetime64("1978-01-22")) / (
        np.timedelta64(1, "D")
    )
    np.testing.assert_allclose(
        growth.get_ydata(), peak.growth.predict(pd.Series(growth.get_xdata())), rtol=1e-12
    )
    assert t_days.min() == 0 and t_days.max() == 5


def test_peak_display_shows_two_rays():
    # a flat decline: its rate's interval contains 0, and the legend says so
    rng = np.random.default_rng(3)
    t = np.arange(20.0)
    y = rng.poisson(np.where(t <= 8, 20 * np.exp(0.3 * (t - 8)), 20.0))
    display = GrowthPeakDisplay.from_data(t, y)
    texts = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert "growth rate not distinguishable from 0" in texts[2], texts[2]


# ------------------------------------------------------------------ empty loss curves
def test_empty_loss_curve_says_why():
    t = np.arange(8.0).reshape(-1, 1)
    y = 10 * np.exp(0.2 * t.ravel()) * np.array([1, 1.1, 0.9, 1, 1.05, 0.95, 1, 1.02])
    model = ExponentialGrowthRegressor(loss="log_squared_error").fit(t, y)
    if len(model.loss_curve_):
        pytest.skip("this fit now records its starting J; the empty case is tested directly")
    with pytest.warns(UserWarning, match=r"loss curve is empty: no epochs were run"):
        display = LossCurveDisplay.from_estimator(model)
    texts = [t.get_text() for t in display.ax_.texts]
    assert len(texts) == 1 and "started at its optimum" in texts[0].replace("\n", " ")
    assert display.ax_.get_legend().get_texts()[0].get_text().endswith("(no epochs)")


def test_empty_curve_among_others_is_marked_in_the_legend():
    with pytest.warns(UserWarning, match="1 of 2 loss curves are empty"):
        display = LossCurveDisplay(loss_curves=[[3.0, 2.0], []], labels=["a", "b"]).plot()
    texts = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert texts == ["a", "b (no epochs)"] and not display.ax_.texts
    assert len(display.lines_) == 2


def test_nonempty_curves_draw_no_text_and_no_warning(recwarn):
    X = np.random.default_rng(0).normal(size=(30, 2))
    fit = GDRegressor(max_iter=5, tol=None).fit(X, X @ [1.0, 2.0])
    display = LossCurveDisplay.from_estimator(fit)
    assert not display.ax_.texts
    assert not [w for w in recwarn if "empty" in str(w.message)]
