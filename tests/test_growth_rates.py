"""skgd.growth_rates: r(t) over sliding windows (issue 17, item 4)."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from threadpoolctl import threadpool_limits

from skgd import ExponentialGrowthRegressor, growth_rates
from skgd.datasets import load_boarding_school_flu

sm = pytest.importorskip("statsmodels.api")


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):
        yield


def _flu_dated():
    frame = load_boarding_school_flu(dated=True, as_frame=True).frame
    return frame["date"], frame["in_bed"].to_numpy()


def _noisy_series(seed=0, n=40):
    """Rise and fall with negative-binomial noise (over-dispersed) and some zero counts."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    mu = 2.0 * np.exp(0.25 * t - 0.009 * t**2)
    return t, rng.negative_binomial(5, 5 / (5 + mu)).astype(float)


def _glm(t, y, scale=None):
    model = sm.GLM(y, sm.add_constant(t), family=sm.families.Poisson())
    return model.fit(tol=1e-14, scale=scale)


def _close(got, want, scale):
    """Agreement to 1e-6 relative to the value, or to its standard error near 0."""
    got, want = np.asarray(got, float), np.asarray(want, float)
    np.testing.assert_array_less(np.abs(got - want), 1e-6 * np.maximum(np.abs(want), scale))


@pytest.mark.parametrize("data", ["flu", "noisy"])
def test_each_window_equals_statsmodels_glm_poisson(data):
    times, counts = _flu_dated() if data == "flu" else _noisy_series()
    t = np.arange(len(counts), dtype=float)
    window = 7
    plain = growth_rates(times, counts, window, dispersion=1.0)
    auto = growth_rates(times, counts, window)
    assert len(plain) == len(counts) - window + 1
    q = stats.norm.ppf(0.975)
    n_widened = 0
    for i, (row, row_auto) in enumerate(zip(plain.itertuples(), auto.itertuples())):
        tw, yw = t[i : i + window], counts[i : i + window]
        glm = _glm(tw, yw)
        se = glm.bse[1]
        _close(row.growth_rate, glm.params[1], se)
        _close(row.std_error, se, se)
        lo, hi = glm.conf_int(alpha=0.05)[1]
        _close([row.growth_rate_lower, row.growth_rate_upper], [lo, hi], se)
        _close(row.growth_rate_upper - row.growth_rate, q * se, se)
        # 'auto': quasi-Poisson (Pearson scale, Student's t) where the dispersion is above 1
        quasi = _glm(tw, yw, scale="X2")
        _close(row_auto.dispersion, quasi.scale, 1.0)
        if quasi.scale > 1:
            n_widened += 1
            q_t = stats.t.ppf(0.975, window - 2)
            _close(row_auto.std_error, quasi.bse[1], quasi.bse[1])
            _close(row_auto.growth_rate_upper - row_auto.growth_rate, q_t * quasi.bse[1], se)
        else:
            _close(row_auto.growth_rate_upper, hi, se)
    assert n_widened >= 1  # the 'auto' branch was exercised


def test_window_columns_dates_and_reproduction_number():
    times, counts = _flu_dated()
    rates = growth_rates(times, counts, window=7, generation_time=(2.5, 1.0))
    assert list(rates.columns[:3]) == ["window_start", "window_end", "n_obs"]
    assert rates["window_end"].iloc[0] == pd.Timestamp("1978-01-28")
    assert rates["window_start"].iloc[0] == pd.Timestamp("1978-01-22")
    assert rates["window_end"].iloc[-1] == pd.Timestamp("1978-02-04")
    assert (rates["n_obs"] == 7).all()
    assert rates.attrs["level"] == 0.95 and rates.attrs["time_unit"] == "day"
    # R = (1 + r * sd^2/mean) ** (mean/sd)^2, increasing in r: the ends map
    shape, scale = (2.5 / 1.0) ** 2, 1.0**2 / 2.5
    for col in ["", "_lower", "_upper"]:
        np.testing.assert_allclose(
            rates[f"reproduction_number{col}"],
            (1 + rates[f"growth_rate{col}"] * scale) ** shape,
            rtol=1e-12,
        )
    # the doubling-time set is ln 2 over r's interval, two rays where it contains 0
    contains_zero = (rates["growth_rate_lower"] < 0) & (rates["growth_rate_upper"] > 0)
    assert contains_zero.sum() == 2
    np.testing.assert_array_equal(rates["two_rays"], contains_zero)
    np.testing.assert_allclose(
        rates["doubling_time_lower"], np.log(2) / rates["growth_rate_upper"], rtol=1e-12
    )


def test_a_window_is_a_span_of_time():
    # weekly data: window=28 days holds 4 weeks; a timedelta works too
    dates = pd.date_range("2024-01-07", periods=10, freq="7D")
    counts = np.round(20 * np.exp(0.2 * np.arange(10)))
    weekly = growth_rates(dates, counts, window=28)
    assert (weekly["n_obs"] == 4).all() and len(weekly) == 7
    np.testing.assert_allclose(weekly["growth_rate"], 0.2 / 7, rtol=0.05)
    same = growth_rates(dates, counts, window=pd.Timedelta(weeks=4))
    pd.testing.assert_frame_equal(weekly, same)
    # daily data without day 10: windows end on observed days; the 6 that span day 10 hold 6
    days = np.delete(np.arange(20.0), 10)
    gappy = growth_rates(days, np.round(30 * np.exp(0.1 * days)), window=7)
    np.testing.assert_array_equal(gappy["window_end"], np.delete(np.arange(6.0, 20.0), 4))
    np.testing.assert_array_equal(gappy["n_obs"], [7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 7, 7, 7])


def test_unsorted_input_and_date_objects():
    times, counts = _flu_dated()
    order = np.random.default_rng(0).permutation(len(counts))
    shuffled = growth_rates([times.iloc[i].date() for i in order], counts[order], window=7)
    ordered = growth_rates(times, counts, window=7)
    for col in ["window_start", "window_end"]:  # the resolution of the dates may differ
        shuffled[col] = shuffled[col].astype(ordered[col].dtype)
    pd.testing.assert_frame_equal(shuffled, ordered)


def test_windows_without_an_estimate_are_nan_with_a_warning():
    t = np.arange(12.0)
    y = np.array([0, 0, 0, 0, 0, 3, 5, 8, 12, 20, 30, 50], dtype=float)
    with pytest.warns(UserWarning, match=r"3 window\(s\) have no growth rate.*ending 3 \(all"):
        rates = growth_rates(t, y, window=4)
    assert np.isnan(rates["growth_rate"].iloc[:2]).all()
    # a window whose only cases are on its last day has r = +inf: not estimated either
    assert np.isnan(rates["growth_rate"].iloc[2]) and rates["n_obs"].iloc[2] == 4
    assert np.isfinite(rates["growth_rate"].iloc[3:]).all()
    assert rates["window_end"].tolist() == list(range(3, 12))


def test_an_estimator_error_names_its_window():
    y = np.r_[1.0, 2.0, 0.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    log_fit = ExponentialGrowthRegressor(loss="log_squared_error")
    with pytest.raises(ValueError, match=r"In the window ending 3: .*needs y > 0"):
        growth_rates(np.arange(8.0), y, 4, estimator=log_fit)


def test_another_loss_through_the_estimator():
    t = np.arange(15.0)
    y = np.round(10 * np.exp(0.15 * t) * np.exp(np.random.default_rng(1).normal(0, 0.1, 15)))
    rates = growth_rates(t, y, 5, estimator=ExponentialGrowthRegressor(loss="log_squared_error"))
    ols = np.polyfit(t[:5], np.log(y[:5]), 1)[0]
    np.testing.assert_allclose(rates["growth_rate"].iloc[0], ols, rtol=1e-8)


@pytest.mark.parametrize(
    "times, counts, kwargs, match",
    [
        (np.arange(10.0), np.ones(10), {"window": 2}, "at most 2 observations"),
        (np.arange(5.0), np.ones(5), {"window": 7}, "shorter than one window"),
        (np.arange(10.0), np.ones(9), {}, "times has 10 values but counts has 9"),
        ([1.0, 2.0, 2.0, 3.0], [1, 2, 3, 4], {"window": 3}, "repeated values"),
        (np.arange(10.0), -np.ones(10), {}, "negative at rows"),
        (np.arange(10.0), np.ones(10), {"window": "7D"}, "window must be"),
        (np.arange(10.0), np.ones(10), {"window": 0}, "window must be positive"),
        (np.arange(10.0), np.ones(10), {"level": 95}, "level must be"),
        (np.arange(10.0), np.ones(10), {"generation_time": 5}, "generation_time must be"),
        (np.arange(10.0), np.ones(10), {"generation_time": (0, 1)}, "generation_time_mean"),
        (["a"] * 10, np.ones(10), {}, "times must be numbers or dates"),
        (np.r_[np.arange(9.0), np.nan], np.ones(10), {}, r"times has missing.*\[9\]"),
    ],
)
def test_bad_input_is_a_clear_value_error(times, counts, kwargs, match):
    with pytest.raises(ValueError, match=match):
        growth_rates(times, counts, **kwargs)


def test_nothing_passed_is_modified():
    times = pd.Series(pd.date_range("2024-03-01", periods=10)[::-1], name="date")
    counts = np.arange(10.0, 0.0, -1.0) + 5
    before_t, before_y = times.copy(), counts.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        growth_rates(times, counts, window=dt.timedelta(days=5))
    pd.testing.assert_series_equal(times, before_t)
    np.testing.assert_array_equal(counts, before_y)
