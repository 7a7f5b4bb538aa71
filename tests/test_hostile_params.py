"""Hostile input, round two: hyperparameter objects and sample weights.

A test per defect class found by trying skgd as a hostile user would, then a
hypothesis suite that generates optimizer and schedule objects with values of
every type, and weights at the edges of float64. Every generated case must
end in a fitted model with finite coefficients or in a ValueError / TypeError
/ NotImplementedError whose message names the class and the parameter (for
objects) or ``sample_weight``; weights of any positive scale give the same
fit. Counts go to ``/tmp/skgd_hostile_params.json``.
"""

from __future__ import annotations

import json
import math
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skgd import DivergenceError, GDClassifier, GDRegressor
from skgd.optimizers import (
    LBFGS,
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    Lion,
    NAdam,
    Optimizer,
    RMSProp,
)
from skgd.schedules import (
    CosineAnnealing,
    ExponentialDecay,
    InverseScaling,
    ReduceOnPlateau,
    Schedule,
    StepDecay,
)

SUMMARY = Path("/tmp/skgd_hostile_params.json")
STATS: dict = {"cases": 0, "fitted": 0, "errors": Counter()}


@pytest.fixture(scope="module", autouse=True)
def summary():
    yield
    if STATS["cases"]:
        SUMMARY.write_text(
            json.dumps(
                {
                    "cases": STATS["cases"],
                    "fitted": STATS["fitted"],
                    "errors": sum(STATS["errors"].values()),
                    "distinct_messages": len(STATS["errors"]),
                    "messages": dict(STATS["errors"].most_common()),
                },
                indent=1,
            )
        )


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 2)
    return X, X @ [1.0, -2.0] + 0.5 + 0.1 * rng.randn(30)


def _fit(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params.setdefault("optimizer", "adam")
        return GDRegressor(max_iter=20, tol=None, random_state=0, **params).fit(X, y)


# ---------------------------------------------------------------- one test per class
def test_a_bool_is_a_bool(data):
    # SGD(nesterov="no") used to switch Nesterov on
    with pytest.raises(ValueError, match="SGD: nesterov must be True or False; got 'no'"):
        _fit(*data, optimizer=SGD(momentum=0.9, nesterov="no"))
    with pytest.raises(ValueError, match="Adam: amsgrad must be True or False; got 1"):
        _fit(*data, optimizer=Adam(amsgrad=1))


def test_an_integer_is_an_integer_but_two_point_zero_is_fine(data):
    # StepDecay(epochs_drop=2.5) used to be truncated without a word
    with pytest.raises(
        ValueError, match="StepDecay: epochs_drop must be a whole number >= 1; got 2.5"
    ):
        _fit(*data, schedule=StepDecay(epochs_drop=2.5))
    np.testing.assert_array_equal(
        _fit(*data, schedule=StepDecay(epochs_drop=2.0)).coef_,
        _fit(*data, schedule=StepDecay(epochs_drop=2)).coef_,
    )
    for schedule, name in [
        (ReduceOnPlateau(patience=True), "patience"),
        (CosineAnnealing(total_epochs=7.5), "total_epochs"),
    ]:
        with pytest.raises(ValueError, match=f"{type(schedule).__name__}: {name}"):
            _fit(*data, schedule=schedule)
    with pytest.raises(ValueError, match="LBFGS: maxcor must be a whole number"):
        _fit(*data, optimizer=LBFGS(maxcor=2.5))


@pytest.mark.parametrize("value", [-1.0, 0.0, math.nan, math.inf, "fast", None])
def test_a_schedule_multiplier_is_checked_every_epoch(data, value):
    # a multiplier of -1 used to train by gradient ascent; nan said "try nan"
    epochs = []

    def schedule(epoch):
        epochs.append(epoch)
        return 1.0 if epoch < 3 else value

    with pytest.raises(ValueError, match="positive finite multiplier") as info:
        _fit(*data, schedule=schedule)
    assert "epoch 3" in str(info.value) and "try nan" not in str(info.value)
    assert epochs[-1] == 3


def test_a_huge_power_is_a_clear_error_not_an_overflow(data):
    # InverseScaling(power_t=2000) raised a bare OverflowError
    with pytest.raises(ValueError, match="InverseScaling.multiplier returned 0.0 for epoch 1"):
        _fit(*data, schedule=InverseScaling(power_t=2000))
    assert InverseScaling(power_t=2000).multiplier(0, {}) == 1.0


def test_a_subclass_missing_a_method_is_told_which(data):
    class NoMultiplier(Schedule):
        pass

    class NoUpdate(Optimizer):
        pass

    with pytest.raises(NotImplementedError, match="NoMultiplier must implement multiplier"):
        _fit(*data, schedule=NoMultiplier())
    with pytest.raises(NotImplementedError, match="NoUpdate must implement update"):
        _fit(*data, optimizer=NoUpdate())


@pytest.mark.parametrize("scale", [1e308, 1e-320, 1e-300, 3.0])
def test_weights_are_scale_free_in_fact(data, scale):
    # all weights 1e308 or all 1e-320 used to raise a DivergenceError blaming
    # the learning rate; equal weights of any positive scale are no weights
    X, y = data
    for batch_size in ["full", 4]:
        kw = dict(max_iter=20, tol=None, random_state=0, batch_size=batch_size)
        fitted = GDRegressor(optimizer="adam", **kw).fit(X, y, sample_weight=np.full(30, scale))
        np.testing.assert_array_equal(
            fitted.coef_, GDRegressor(optimizer="adam", **kw).fit(X, y).coef_
        )


@pytest.mark.parametrize("scale", [1e300, 1e-300, 7.0])
def test_unequal_weights_keep_their_ratios_at_any_scale(data, scale):
    X, y = data
    w = np.linspace(0.5, 2.0, 30) / 2.0  # weights up to 1: times 1e300 is finite
    for batch_size in ["full", 4]:
        kw = dict(max_iter=20, tol=None, random_state=0, batch_size=batch_size)
        fitted = GDRegressor(optimizer="adam", **kw).fit(X, y, sample_weight=w * scale)
        ref = GDRegressor(optimizer="adam", **kw).fit(X, y, sample_weight=w)
        # equal up to the rounding of w * scale (1e-16), carried through 20 epochs
        np.testing.assert_allclose(fitted.coef_, ref.coef_, rtol=1e-9)


@pytest.mark.parametrize("scale", [1e308, 1e300, 1e-300, 3.0])
def test_growth_intervals_with_frequency_weights_at_any_scale(scale):
    # weights count as repeated rows in the intervals: c * w gives the
    # covariance of w divided by c and the same dispersion. All weights 1e308
    # used to give NaN intervals (sums overflowing to inf / inf) and numpy's
    # overflow warnings.
    from skgd import ExponentialGrowthRegressor
    from skgd.datasets import load_boarding_school_flu

    X, y = load_boarding_school_flu(return_X_y=True)
    X, y = X[:5], y[:5]
    w = np.array([1.0, 2.0, 1.0, 3.0, 1.0]) / 3.0  # times 1e308 stays finite
    ref = ExponentialGrowthRegressor().fit(X, y, sample_weight=w)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted = ExponentialGrowthRegressor().fit(X, y, sample_weight=w * scale)
        fitted.confidence_interval()
    np.testing.assert_allclose(fitted.coef_, ref.coef_, rtol=1e-9)
    # the Pearson sum scales with the weights, the residual df is sum(w) - 2
    total = w.sum()
    if total > 2 / scale:
        pearson = ref.dispersion_ * (total - 2)
        np.testing.assert_allclose(fitted.dispersion_, pearson / (total - 2 / scale), rtol=1e-9)
    else:
        assert np.isnan(fitted.dispersion_)
    # both dispersions are below 1, so the plain Poisson covariance is used
    assert ref.dispersion_ < 1
    np.testing.assert_allclose(fitted.covariance_ * scale, ref.covariance_, rtol=1e-9)


def test_growth_intervals_say_why_they_are_nan():
    from skgd import ExponentialGrowthRegressor
    from skgd.datasets import load_boarding_school_flu

    X, y = load_boarding_school_flu(return_X_y=True)
    # two rows, two parameters: no residual degrees of freedom
    model = ExponentialGrowthRegressor(loss="log_squared_error").fit(X[:2], y[:2])
    with pytest.warns(UserWarning, match="no residual degrees of freedom"):
        ci = model.confidence_interval()
    assert np.isnan(ci.loc["growth_rate", "lower"])
    # a known dispersion needs no degrees of freedom
    ci = model.confidence_interval(dispersion=1.0)
    assert np.isfinite(ci.loc["growth_rate", "lower"])
    # total frequency 5e-320: the information underflows
    tiny = ExponentialGrowthRegressor().fit(X[:5], y[:5], sample_weight=np.full(5, 1e-320))
    with pytest.warns(UserWarning, match="cannot be inverted"):
        tiny.confidence_interval()


def test_scalar_weights_follow_scikit_learn(data):
    X, y = data
    # sample_weight=0.0 used to be numpy's ZeroDivisionError
    with pytest.raises(ValueError, match="All sample_weight values are zero"):
        GDRegressor().fit(X, y, sample_weight=0.0)
    np.testing.assert_array_equal(
        GDRegressor(max_iter=5, tol=None).fit(X, y, sample_weight=2.5).coef_,
        GDRegressor(max_iter=5, tol=None).fit(X, y).coef_,
    )
    with pytest.raises(ValueError, match="sample_weight must be a real number"):
        GDRegressor().fit(X, y, sample_weight=-1.0)


@pytest.mark.parametrize(
    "weights, message",
    [
        (np.ones(30) * (1 + 1j), "sample_weight must be real numbers; got complex"),
        (np.array([None] * 30, dtype=object), "sample_weight contains missing values"),
        (np.array(["1"] * 30), "sample_weight must be numeric"),
    ],
    ids=["complex", "None", "text"],
)
def test_weights_of_the_wrong_kind_are_refused(data, weights, message):
    # a complex weight used to lose its imaginary part silently
    with pytest.raises(ValueError, match=message):
        GDRegressor().fit(*data, sample_weight=weights)


def test_y_with_none_is_nan_not_a_learning_rate_problem(data):
    X, y = data
    y = y.astype(object)
    y[3] = None
    with pytest.raises(ValueError, match="y contains NaN") as info:
        GDRegressor().fit(X, y)
    assert not isinstance(info.value, DivergenceError)


# ---------------------------------------------------------------- generated cases
RULES = {
    SGD: {"momentum": "real01", "nesterov": "bool"},
    AdaGrad: {"eps": "positive"},
    RMSProp: {"rho": "real01", "eps": "positive"},
    Adam: {"beta1": "real01", "beta2": "real01", "eps": "positive", "amsgrad": "bool"},
    AdamW: {"beta1": "real01", "weight_decay": "nonnegative", "amsgrad": "bool"},
    NAdam: {"beta1": "real01", "beta2": "real01", "eps": "positive"},
    Lion: {"beta1": "real01", "beta2": "real01", "weight_decay": "nonnegative"},
    LBFGS: {"maxcor": "maxcor", "gtol": "nonnegative", "precondition": "bool"},
}
SCHEDULES = {
    StepDecay: {"drop_rate": "real01c", "epochs_drop": "whole"},
    ExponentialDecay: {"decay_rate": "real01c"},
    CosineAnnealing: {"total_epochs": "whole_or_none", "min_factor": "real01closed"},
    InverseScaling: {"power_t": "nonnegative"},
    ReduceOnPlateau: {"factor": "real01open", "patience": "whole"},
}
ANY = st.one_of(
    st.booleans(),
    st.integers(-5, 50),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([2.0, 2.5, 0.5, 1e308, -0.0, "0.9", "yes", None, [0.9], np.float32(0.3)]),
)


def _valid(kind, value) -> bool:
    """Whether ``value`` is a valid value of a parameter of this kind."""
    real = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    finite = real and math.isfinite(value)
    if kind == "bool":
        return isinstance(value, (bool, np.bool_))
    if kind == "maxcor":
        return _valid("whole", value) and value <= 1000
    if kind in ("whole", "whole_or_none"):
        if value is None:
            return kind == "whole_or_none"
        return finite and value == int(value) and value >= 1
    if not finite:
        return False
    return {
        "real01": 0 <= value < 1,
        "real01open": 0 < value < 1,
        "real01closed": 0 <= value <= 1,
        "real01c": 0 < value <= 1,
        "positive": value > 0,
        "nonnegative": value >= 0,
    }[kind]


@st.composite
def hyperparameter_objects(draw):
    table = draw(st.sampled_from([RULES, SCHEDULES]))
    cls = draw(st.sampled_from(sorted(table, key=lambda c: c.__name__)))
    values = {name: draw(ANY) for name in table[cls] if draw(st.booleans())}
    return table is RULES, cls, values


def _run_object_case(data, case):
    is_rule, cls, values = case
    kinds = (RULES if is_rule else SCHEDULES)[cls]
    bad = [name for name, value in values.items() if not _valid(kinds[name], value)]
    obj = cls(**values)
    if cls is SGD and not bad and obj.nesterov is True and obj.momentum == 0:
        bad = ["nesterov", "momentum"]  # Nesterov needs momentum
    params = {"optimizer": obj} if is_rule else {"schedule": obj}
    STATS["cases"] += 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = GDRegressor(max_iter=3, tol=None, random_state=0, **params).fit(*data)
    except (ValueError, TypeError, NotImplementedError) as exc:
        message = str(exc)
        STATS["errors"][message] += 1
        if isinstance(exc, DivergenceError) or "multiplier returned" in message:
            # valid values that train badly (a power of 1e308 makes the rate 0)
            assert not bad or cls.__name__ in message, message
            return
        assert bad, f"{cls.__name__}({values}) is valid but raised: {message}"
        assert cls.__name__ in message, message
        assert any(name in message for name in bad), message
        return
    STATS["fitted"] += 1
    if bad:
        raise AssertionError(f"{cls.__name__}({values}) has bad {bad} but fitted")
    assert np.all(np.isfinite(est.coef_))


@st.composite
def weights(draw):
    kind = draw(st.sampled_from(["scale", "scale", "zeros", "scalar", "odd"]))
    if kind == "scale":
        # unequal weights keep their ratios only where floats are normal
        exponent = draw(st.floats(-300, 300))
        return kind, 10.0**exponent
    if kind == "zeros":
        return kind, draw(st.lists(st.booleans(), min_size=30, max_size=30))
    if kind == "scalar":
        return kind, draw(
            st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 3))
        )
    return kind, draw(st.sampled_from(["complex", "object", "text", "short", "2d", "negative"]))


def _run_weight_case(data, case):
    X, y = data
    kind, value = case
    STATS["cases"] += 1
    base = np.linspace(0.5, 2.0, 30)
    if kind == "scale":
        w = base / base.max() * value
        got = GDRegressor(max_iter=10, tol=None).fit(X, y, sample_weight=w)
        ref = GDRegressor(max_iter=10, tol=None).fit(X, y, sample_weight=base)
        np.testing.assert_allclose(got.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
        STATS["fitted"] += 1
        return
    if kind == "zeros":
        w = np.where(value, base, 0.0)
        if not w.any():
            with pytest.raises(ValueError, match="sample_weight values are zero"):
                GDRegressor().fit(X, y, sample_weight=w)
            return
        kept = w > 0
        # a weight of 0 is the same as dropping the row (plain gradient steps:
        # Adam's normalized steps would magnify the last-digit differences of
        # sums over 30 rows or over the kept ones)
        kw = dict(max_iter=10, tol=None, optimizer="sgd")
        got = GDRegressor(**kw).fit(X, y, sample_weight=w)
        ref = GDRegressor(**kw).fit(X[kept], y[kept], sample_weight=w[kept])
        np.testing.assert_allclose(got.coef_, ref.coef_, rtol=1e-10, atol=1e-12)
        STATS["fitted"] += 1
        return
    w = {
        "complex": base * (1 + 0.5j),
        "object": np.array([None, *base[1:]], dtype=object),
        "text": base.astype(str),
        "short": base[:-1],
        "2d": base.reshape(15, 2),
        "negative": -base,
    }.get(value, value)
    ok = kind == "scalar" and isinstance(w, (int, float)) and math.isfinite(w) and w > 0
    try:
        GDRegressor(max_iter=3, tol=None).fit(X, y, sample_weight=w)
    except ValueError as exc:
        STATS["errors"][str(exc)] += 1
        assert not ok, exc
        assert "sample_weight" in str(exc), exc
        return
    assert ok, f"sample_weight={w!r} fitted"
    STATS["fitted"] += 1


FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
LONG = settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))


@FAST
@given(case=hyperparameter_objects())
def test_generated_hyperparameter_objects(data, case):
    _run_object_case(data, case)


@FAST
@given(case=weights())
def test_generated_weights(data, case):
    _run_weight_case(data, case)


@pytest.mark.slow
@LONG
@given(case=hyperparameter_objects())
def test_generated_hyperparameter_objects_long(data, case):
    _run_object_case(data, case)


@pytest.mark.slow
@LONG
@given(case=weights())
def test_generated_weights_long(data, case):
    _run_weight_case(data, case)


def test_classifier_class_weight_with_extreme_weights_is_scale_free():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 2)
    y = (X[:, 0] > 0).astype(int)
    fits = [
        GDClassifier(optimizer="adam", max_iter=10, tol=None, batch_size=4, random_state=0)
        .fit(X, y, sample_weight=np.full(60, scale))
        .coef_
        for scale in [1.0, 1e300, 1e-310]
    ]
    np.testing.assert_allclose(fits[1], fits[0], rtol=1e-12)
    np.testing.assert_allclose(fits[2], fits[0], rtol=1e-12)


def test_a_user_rule_with_a_wrong_result_is_named(data):
    from skgd.optimizers import Optimizer

    class Short(Optimizer):
        def update(self, grad, state, params, learning_rate, n_coef=None):
            return params[:1], state  # used to be broadcast into every parameter

    class Bare(Optimizer):
        def update(self, grad, state, params, learning_rate, n_coef=None):
            return params - learning_rate * grad  # no state

    with pytest.raises(ValueError, match=r"Short.update returned parameters of shape \(1,\)"):
        _fit(*data, optimizer=Short())
    with pytest.raises(ValueError, match=r"Bare.update must return \(params, state\)"):
        _fit(*data, optimizer=Bare(), batch_size=4)


def test_minimize_names_what_fun_and_jac_returned():
    from skgd import minimize

    with pytest.raises(ValueError, match="fun must return a single number"):
        minimize(lambda x: (x - 3) ** 2, np.zeros(2))
    with pytest.raises(ValueError, match=r"With jac=True, fun must return \(value, gradient\)"):
        minimize(lambda x: float(x @ x), np.zeros(2), jac=True)
    with pytest.raises(ValueError, match=r"gradient has shape \(1,\), but x has shape \(2,\)"):
        minimize(lambda x: float(((x - 3) ** 2).sum()), np.zeros(2), jac=lambda x: 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = minimize(lambda x: float(np.log(x).sum()), -np.ones(2))
    # about x0 and fun, not about "X or y", which minimize does not have
    assert not result.success and "not finite at x0" in result.message


def test_minimize_passes_copies_so_fun_cannot_move_the_iterate():
    from skgd import minimize

    def shifts_its_argument(x):
        x -= 3.0  # in place, as scipy allows
        return float(x @ x)

    result = minimize(shifts_its_argument, np.zeros(2), learning_rate=0.1)
    np.testing.assert_allclose(result.x, [3.0, 3.0], atol=1e-4)


def test_check_gradient_names_a_bad_step_and_a_vector_function():
    from skgd import check_gradient

    for eps in (0.0, -1e-6, math.nan):
        # eps=0 used to be a ZeroDivisionError
        with pytest.raises(ValueError, match="eps must be a real number in"):
            check_gradient(lambda x: float(x @ x), lambda x: 2 * x, np.ones(2), eps=eps)
    with pytest.raises(ValueError, match="fun must return a single number"):
        check_gradient(lambda x: x * x, lambda x: 2 * x, np.ones(2))
