"""Dates as times in ExponentialGrowthRegressor (issue 17, item 1)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

from skgd import ExponentialGrowthRegressor, objective

CASES = np.array([3, 8, 28, 76, 222, 293, 257], dtype=float)
DAYS = np.arange(7.0)
START = "1978-01-22"


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def by_day():
    """The fit on day numbers 0..6: what every date input must reproduce."""
    return ExponentialGrowthRegressor().fit(DAYS.reshape(-1, 1), CASES)


def _date_inputs():
    dates = pd.date_range(START, periods=7, freq="D")
    return {
        "datetime64[ns] 1-d": dates.values.astype("datetime64[ns]"),
        "datetime64[D] 2-d": dates.values.astype("datetime64[D]").reshape(-1, 1),
        "datetime64[s] 1-d": dates.values.astype("datetime64[s]"),
        "Series": pd.Series(dates, name="date"),
        "DataFrame": pd.DataFrame({"date": dates}),
        "DataFrame tz-aware": pd.DataFrame({"date": dates.tz_localize("America/New_York")}),
        "datetime.date list": [d.date() for d in dates],
        "datetime.datetime list of lists": [[d.to_pydatetime()] for d in dates],
        "Timestamp object array": np.array(list(dates), dtype=object),
        "daily periods": pd.DataFrame({"date": pd.period_range(START, periods=7, freq="D")}),
    }


@pytest.mark.parametrize("kind", list(_date_inputs()))
def test_dates_are_days_since_the_first_date(by_day, kind):
    X = _date_inputs()[kind]
    model = ExponentialGrowthRegressor().fit(X, CASES)
    # a per-nanosecond rate would be ~1e-14; per day it is the day-number fit's
    np.testing.assert_allclose(model.growth_rate_, by_day.growth_rate_, rtol=1e-12)
    np.testing.assert_allclose(model.intercept_, by_day.intercept_, rtol=1e-12)
    np.testing.assert_allclose(model.bse_, by_day.bse_, rtol=1e-10)
    assert model.time_origin_.strftime("%Y-%m-%d") == START
    np.testing.assert_allclose(model.predict(X), by_day.predict(DAYS.reshape(-1, 1)), rtol=1e-12)
    assert model.score(X, CASES) == pytest.approx(by_day.score(DAYS.reshape(-1, 1), CASES))


def test_unsorted_dates_use_the_earliest_as_origin(by_day):
    order = np.array([3, 0, 6, 1, 5, 2, 4])
    dates = pd.date_range(START, periods=7).values[order]
    model = ExponentialGrowthRegressor().fit(dates, CASES[order])
    assert str(model.time_origin_.date()) == START
    np.testing.assert_allclose(model.intercept_, by_day.intercept_, rtol=1e-10)


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_predict_takes_dates_and_day_numbers_after_a_dated_fit(by_day):
    frame = pd.DataFrame({"date": pd.date_range(START, periods=7)})
    model = ExponentialGrowthRegressor().fit(frame, CASES)
    later = pd.DataFrame({"date": pd.to_datetime(["1978-02-01", "1978-01-20"])})
    np.testing.assert_allclose(model.predict(later), by_day.predict([[10.0], [-2.0]]), rtol=1e-12)
    # datetime.date objects and a datetime64 array, against the same origin
    np.testing.assert_allclose(
        model.predict([dt.date(1978, 2, 1)]), by_day.predict([[10.0]]), rtol=1e-12
    )
    hours = np.array(["1978-01-23T12:00"], dtype="datetime64[m]")
    np.testing.assert_allclose(model.predict(hours), by_day.predict([[1.5]]), rtol=1e-12)
    # numbers are days since time_origin_
    np.testing.assert_allclose(model.predict([[10.0]]), by_day.predict([[10.0]]))


def test_dates_with_a_covariate_keep_the_frame_and_its_names():
    dates = pd.date_range(START, periods=12)
    after = (np.arange(12) >= 6).astype(float)
    y = np.round(5 * np.exp(0.3 * np.arange(12) - 0.4 * after * (np.arange(12) - 6)))
    frame = pd.DataFrame({"date": dates, "lockdown": after})
    before = frame.copy()
    model = ExponentialGrowthRegressor().fit(frame, y)
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not modified
    assert list(model.feature_names_in_) == ["date", "lockdown"]
    numeric = ExponentialGrowthRegressor().fit(np.column_stack([np.arange(12.0), after]), y)
    np.testing.assert_allclose(model.coef_, numeric.coef_, rtol=1e-10)


def test_the_growth_rate_is_the_date_columns_wherever_it_is():
    # with the dates in the second column, growth_rate_ used to be the
    # lockdown coefficient (-0.71) instead of the daily rate (0.30)
    dates = pd.date_range(START, periods=12)
    after = (np.arange(12) >= 6).astype(float)
    y = np.round(5 * np.exp(0.3 * np.arange(12) - 0.4 * after * (np.arange(12) - 6)))
    first = ExponentialGrowthRegressor().fit(pd.DataFrame({"date": dates, "lockdown": after}), y)
    second = ExponentialGrowthRegressor().fit(pd.DataFrame({"lockdown": after, "date": dates}), y)
    assert second.growth_rate_ == pytest.approx(first.growth_rate_, rel=1e-9)
    assert second.growth_rate_ == pytest.approx(second.coef_[1])
    assert first.growth_rate_ == pytest.approx(first.coef_[0])
    a, b = first.confidence_interval(), second.confidence_interval()
    np.testing.assert_allclose(a.loc["growth_rate", ["estimate", "lower", "upper"]].astype(float),
                               b.loc["growth_rate", ["estimate", "lower", "upper"]].astype(float),
                               rtol=1e-8)  # fmt: skip


def test_timedelta_times_are_days():
    X = pd.DataFrame({"since_onset": pd.to_timedelta(DAYS * 24, unit="h")})
    model = ExponentialGrowthRegressor().fit(X, CASES)
    by_day = ExponentialGrowthRegressor().fit(DAYS.reshape(-1, 1), CASES)
    np.testing.assert_allclose(model.coef_, by_day.coef_, rtol=1e-12)
    assert model.time_origin_ is None


def test_numeric_times_have_no_origin(by_day):
    assert by_day.time_origin_ is None


def test_partial_fit_keeps_the_first_chunks_origin():
    dates = pd.date_range(START, periods=7).values
    model = ExponentialGrowthRegressor(optimizer="sgd", learning_rate=1e-3, shuffle=False)
    model.partial_fit(dates[:4], CASES[:4])
    model.partial_fit(dates[4:], CASES[4:])
    assert str(model.time_origin_.date()) == START
    by_day = ExponentialGrowthRegressor(optimizer="sgd", learning_rate=1e-3, shuffle=False)
    by_day.partial_fit(DAYS[:4, None], CASES[:4]).partial_fit(DAYS[4:, None], CASES[4:])
    np.testing.assert_allclose(model.coef_, by_day.coef_, rtol=1e-10)


def test_objective_reads_dates_as_days():
    dates = pd.date_range(START, periods=7)
    a = objective(ExponentialGrowthRegressor(), pd.DataFrame({"date": dates}), CASES)
    b = objective(ExponentialGrowthRegressor(), DAYS.reshape(-1, 1), CASES)
    theta = np.array([0.5, 1.0])
    assert a.value(theta) == pytest.approx(b.value(theta), rel=1e-12)


@pytest.mark.parametrize(
    "X, match",
    [
        (pd.DataFrame({"date": [START, "1978-01-23", "1978-01-24"]}), "dates as text"),
        (np.array([dt.date(1978, 1, 22), 3.0, dt.date(1978, 1, 24)], dtype=object), "mixes dates"),
        (pd.DataFrame({"date": pd.to_datetime([START, None, "1978-01-24"])}), "missing date"),
    ],
    ids=["iso strings", "mixed", "NaT"],
)
def test_bad_dates_are_clear_value_errors(X, match):
    with pytest.raises(ValueError, match=match):
        ExponentialGrowthRegressor().fit(X, CASES[:3])


def test_dates_at_predict_after_a_numeric_fit_are_refused(by_day):
    with pytest.raises(ValueError, match="fitted with numbers"):
        by_day.predict(pd.date_range(START, periods=2).values)


def test_time_zones_must_match_the_fit():
    dates = pd.date_range(START, periods=7)
    model = ExponentialGrowthRegressor().fit(pd.Series(dates.tz_localize("UTC")), CASES)
    with pytest.raises(ValueError, match="time zone"):
        model.predict(pd.Series(dates))


def test_a_failed_fit_leaves_no_origin():
    model = ExponentialGrowthRegressor()
    with pytest.raises(ValueError, match="negative"):
        model.fit(pd.date_range(START, periods=3).values, [1.0, -2.0, 3.0])
    assert not hasattr(model, "time_origin_")


@settings(max_examples=25, deadline=None)
@given(
    shift_days=st.integers(-200_000, 200_000),
    shift_seconds=st.integers(0, 86_399),
    seed=st.integers(0, 2**16),
)
def test_shifting_all_dates_leaves_r_and_its_interval_unchanged(shift_days, shift_seconds, seed):
    rng = np.random.default_rng(seed)
    y = rng.poisson(20 * np.exp(0.15 * np.arange(10))).astype(float)
    dates = pd.date_range("2000-01-01", periods=10, freq="D")
    shifted = dates + pd.Timedelta(days=shift_days, seconds=shift_seconds)
    a = ExponentialGrowthRegressor().fit(pd.DataFrame({"date": dates}), y)
    b = ExponentialGrowthRegressor().fit(pd.DataFrame({"date": shifted}), y)
    ca, cb = a.confidence_interval(), b.confidence_interval()
    cols = ["estimate", "lower", "upper"]
    np.testing.assert_allclose(
        cb.loc["growth_rate", cols].to_numpy(float),
        ca.loc["growth_rate", cols].to_numpy(float),
        rtol=1e-12,
    )
    assert b.time_origin_ == a.time_origin_ + pd.Timedelta(days=shift_days, seconds=shift_seconds)


def test_time_zone_dates_count_calendar_days_across_daylight_saving():
    # daily dates in Europe/London across the March change were 23 hours
    # apart there: r was 0.3033 against 0.3011 without the time zone, and a
    # 5-day window held 6 days
    from skgd import growth_rates

    counts = np.round(5 * np.exp(0.3 * np.arange(10)))
    local = pd.date_range("2024-03-25", periods=10, freq="D", tz="Europe/London")
    aware = ExponentialGrowthRegressor().fit(pd.DataFrame({"d": local}), counts)
    naive = ExponentialGrowthRegressor().fit(pd.DataFrame({"d": local.tz_localize(None)}), counts)
    assert aware.growth_rate_ == pytest.approx(naive.growth_rate_, rel=1e-12)
    np.testing.assert_allclose(aware.predict(pd.DataFrame({"d": local})), naive.predict(
        pd.DataFrame({"d": local.tz_localize(None)})), rtol=1e-12)  # fmt: skip
    rates = growth_rates(local, counts, 5)
    assert (rates["n_obs"] == 5).all()
    ends = pd.DatetimeIndex(rates["window_end"])
    assert (ends == ends.normalize()).all()  # midnights, local time
