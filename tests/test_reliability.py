"""Reliability (issue 8): bad input, divergence, interrupts, persistence, threads.

The property suite feeds all three estimators random data in every container
and dtype a user might have, with NaN/inf, empty and degenerate shapes,
extreme magnitudes and random hyperparameters in and out of range. Every case
must end in a fitted model with finite coefficients or in a ValueError /
TypeError whose message names the offending argument, and must leave the
inputs untouched. The number of cases and of distinct error messages is
written to ``/tmp/skgd_reliability_summary.json`` at the end of the module
(and printed with ``pytest -s``).
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import re
import subprocess
import sys
import textwrap
import threading
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

import skgd._kernels
from skgd import DivergenceError, ExponentialGrowthRegressor, GDClassifier, GDRegressor
from skgd.optimizers import OPTIMIZERS, SGD, Adam

ESTIMATORS = {
    "regressor": GDRegressor,
    "classifier": GDClassifier,
    "growth": ExponentialGrowthRegressor,
}
GD_OPTIMIZERS = sorted(name for name in OPTIMIZERS if name != "lbfgs")
SUMMARY_PATH = Path("/tmp/skgd_reliability_summary.json")

# ---------------------------------------------------------------- bookkeeping
#: Filled by every generated case; written out by the module fixture below.
STATS: dict = {"cases": 0, "fitted": 0, "errors": Counter(), "by_estimator": Counter()}


def _template(message: str) -> str:
    """The message with numbers and quoted values blanked, to count kinds of message."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message)
    message = re.sub(r"\[[^\]]*\]|\([^)]*\)", "(…)", message)
    return re.sub(r"[-+]?\d+(\.\d*)?(e[-+]?\d+)?|\bnan\b|\binf\b", "#", message)


@pytest.fixture(scope="module", autouse=True)
def reliability_summary():
    """Write how many cases ran and how many distinct messages they produced."""
    yield
    if not STATS["cases"]:
        return
    errors = STATS["errors"]
    summary = {
        "generated_cases": STATS["cases"],
        "fitted": STATS["fitted"],
        "errors": sum(errors.values()),
        "distinct_error_messages": len(errors),
        "distinct_message_templates": len({_template(m) for m in errors}),
        "cases_by_estimator": dict(STATS["by_estimator"]),
        "messages": dict(errors.most_common()),
    }
    SUMMARY_PATH.write_text(json.dumps(summary, indent=1, default=str))
    print(
        f"\nreliability: {summary['generated_cases']} generated cases, "
        f"{summary['fitted']} fitted, {summary['errors']} errors with "
        f"{summary['distinct_error_messages']} distinct messages "
        f"({summary['distinct_message_templates']} templates); see {SUMMARY_PATH}"
    )


# ---------------------------------------------------------------- strategies
MAGNITUDES = [1.0, 1.0, 1.0, 1e-150, 1e150, 1e-8, 1e8]

#: name -> (strategy of valid values, list of invalid values), for every estimator.
PARAMS = {
    "learning_rate": (st.floats(1e-4, 1.0), [0, -0.1, np.nan, np.inf, "0.1", None, True]),
    "batch_size": (
        st.one_of(st.integers(1, 20), st.just("full")),
        [0, -3, 2.5, "half", None, True],
    ),
    "max_iter": (st.integers(1, 4), [0, -1, 1.5, None, "10"]),
    "tol": (st.one_of(st.none(), st.floats(0, 1)), [-1.0, np.nan, "small"]),
    "n_iter_no_change": (st.integers(1, 4), [0, 2.0, None]),
    "early_stopping": (st.booleans(), ["yes", 1, None]),
    "validation_fraction": (st.floats(0.1, 0.5), [0, 1, 1.5, -0.1, None]),
    "penalty": (st.sampled_from([None, "l2", "l1", "elasticnet"]), ["l3", 0, "ridge"]),
    "alpha": (st.floats(0, 1), [-1.0, np.inf, np.nan, "0.1"]),
    "l1_ratio": (st.floats(0, 1), [-0.1, 1.1, None]),
    "fit_intercept": (st.booleans(), ["true", None, 0]),
    "shuffle": (st.booleans(), [None, "no"]),
    "warm_start": (st.booleans(), [None, "false"]),
    "random_state": (st.one_of(st.none(), st.integers(0, 2**32 - 1)), [-1, "seed", 2**40, 1.5]),
    "optimizer": (
        st.sampled_from(sorted(OPTIMIZERS) + ["ADAM"]).map(str),
        ["adan", 3, None, SGD(momentum=-1), Adam(beta1=1.5), SGD(momentum="high")],
    ),
    "schedule": (
        st.sampled_from(["constant", "step", "exponential", "cosine", "invscaling", "plateau"]),
        ["cosin", 5, None],
    ),
    "verbose": (st.just(0), [-1, "loud", None]),
}
EXTRA_PARAMS = {
    "regressor": {
        "loss": (
            st.sampled_from(
                ["squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"]
            ),
            ["squared", None, "log_loss"],
        ),
        "epsilon": (st.floats(0, 1), [-1.0, np.nan, "wide"]),
    },
    "classifier": {
        "loss": (
            st.sampled_from(["log_loss", "hinge", "modified_huber", "squared_hinge"]),
            ["squared_error", None, "logistic"],
        ),
        "class_weight": (st.sampled_from([None, "balanced"]), ["balance", 3, {0: -1.0}]),
    },
    "growth": {
        "loss": (
            st.sampled_from(["poisson", "log_squared_error", "squared_error"]),
            ["gaussian", None, "huber"],
        ),
    },
}
#: Names that may appear in the message of a bad nested optimizer.
NESTED_NAMES = {"optimizer": ("optimizer", "momentum", "beta1")}
#: A schedule callable that misbehaves is reported in epoch terms.
SCHEDULE_WORDS = ("schedule",)

CONTAINERS = [
    "float64",
    "float32",
    "int64",
    "bool",
    "object",
    "list",
    "frame",
    "Int64",
    "Float64",
    "boolean",
    "csr",
]


@st.composite
def hyperparameters(draw, kind):
    """A few hyperparameters, each valid or (sometimes) not; returns (params, bad names)."""
    table = {**PARAMS, **EXTRA_PARAMS[kind]}
    names = draw(st.lists(st.sampled_from(sorted(table)), max_size=5, unique=True))
    params = {"max_iter": draw(st.integers(1, 4)), "tol": None, "random_state": 0}
    bad = set()
    for name in names:
        valid, invalid = table[name]
        if draw(st.integers(0, 5)) == 0:
            params[name] = draw(st.sampled_from(invalid))
            bad.add(name)
        else:
            params[name] = draw(valid)
            bad.discard(name)
    return params, bad


@st.composite
def datasets(draw, kind):
    """(X, y, sample_weight, description of what was made bad)."""
    n = draw(st.sampled_from([0, 1, 2, 3, 5, 8, 13]))
    d = draw(st.sampled_from([0, 1, 1, 2, 3, 5]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n, d)).round(2)
    bad = set()
    scale = draw(st.sampled_from(MAGNITUDES))
    base = base * scale
    if n and d and draw(st.booleans()):  # a constant column
        base[:, draw(st.integers(0, d - 1))] = draw(st.sampled_from([0.0, 1.0, 1e150, -3.5]))
    if n and draw(st.integers(0, 3)) == 0:  # duplicated rows
        base = np.concatenate([base, base[: draw(st.integers(1, n))]])
    n = base.shape[0]

    # the target, before any poisoning
    if kind == "regressor":
        y = rng.normal(size=n) * draw(st.sampled_from(MAGNITUDES))
    elif kind == "classifier":
        labels = draw(
            st.sampled_from(
                [np.array([0, 1]), np.array([-1, 1]), np.array(["a", "b", "c"]), np.array([1])]
            )
        )
        y = labels[rng.integers(0, labels.shape[0], size=n)]
    else:
        y = rng.poisson(5.0, size=n).astype(float) * draw(st.sampled_from(MAGNITUDES))
        if n and draw(st.integers(0, 5)) == 0:
            y[draw(st.integers(0, n - 1))] = -1.0
            bad.add("y")

    poison = draw(st.sampled_from(["none"] * 4 + ["X_nan", "X_inf", "y_nan", "y_inf", "w"]))
    if poison.startswith("X") and n and d:
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, d - 1))
        base[i, j] = np.nan if poison == "X_nan" else draw(st.sampled_from([np.inf, -np.inf]))
        bad.add("X")
    if poison.startswith("y") and n and kind != "classifier":
        y[draw(st.integers(0, n - 1))] = np.nan if poison == "y_nan" else np.inf
        bad.add("y")

    sample_weight = None
    w_kind = draw(st.sampled_from(["none", "none", "ones", "random", "bad"]))
    if w_kind == "ones":
        sample_weight = np.ones(n)
    elif w_kind == "random":
        sample_weight = rng.uniform(0, 2, size=n)
    elif w_kind == "bad":
        sample_weight = draw(
            st.sampled_from(
                [
                    -np.ones(n),
                    np.full(n, np.nan),
                    np.zeros(n),
                    np.ones(n + 1),
                    np.array(["heavy"] * n, dtype=object),
                    np.ones((n, 2)),
                ]
            )
        )
        bad.add("sample_weight")

    container = draw(st.sampled_from(CONTAINERS))
    X = _wrap(base, container)
    y_container = draw(st.sampled_from(["array", "list", "series", "nullable"]))
    y = _wrap_y(y, y_container, kind)
    return X, y, sample_weight, bad, container


def _wrap(base, container):
    """``base`` in one of the containers a user might pass."""
    finite = np.nan_to_num(base, nan=0.0, posinf=0.0, neginf=0.0)
    missing = ~np.isfinite(base)
    columns = [f"x{j}" for j in range(base.shape[1])]
    if container in ("float64", "float32"):
        with np.errstate(over="ignore"):
            return base.astype(container)
    if container == "int64":
        # NaN cannot be an integer: the poisoned cell becomes a big value instead
        return np.clip(finite, -1e6, 1e6).round().astype(np.int64)
    if container == "bool":
        return finite > 0
    if container == "object":
        return base.astype(object)
    if container == "list":
        return base.tolist()
    if container == "frame":
        return pd.DataFrame(base, columns=columns)
    if container == "csr":
        return sp.csr_matrix(base)
    # pandas nullable dtypes, with pd.NA where base was not finite
    if container == "Int64":
        values = np.clip(finite, -1e6, 1e6).round()
    elif container == "boolean":
        values = finite > 0
    else:
        values = finite
    frame = pd.DataFrame(values, columns=columns).astype(container)
    return frame.mask(pd.DataFrame(missing, columns=columns), pd.NA)


def _wrap_y(y, container, kind):
    if container == "array":
        return y
    if container == "list":
        return y.tolist()
    if container == "series":
        return pd.Series(y, name="target")
    # nullable: Int64 / Float64 / string with pd.NA where y is NaN
    if y.dtype.kind in "US":
        return pd.Series(y, dtype="string")
    missing = ~np.isfinite(y)
    finite = np.where(missing, 0.0, y)
    if kind == "classifier" or np.all(finite == np.round(finite)) and np.all(abs(finite) < 1e15):
        s = pd.Series(np.round(finite)).astype("Int64")
    else:
        s = pd.Series(finite).astype("Float64")
    return s.mask(missing, pd.NA)


# ---------------------------------------------------------------- the property
def _snapshot(value):
    return copy.deepcopy(value)


def _assert_unchanged(before, after):
    """The user's X / y / sample_weight are exactly as before the call."""
    assert type(before) is type(after)
    if isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(before, after)
    elif isinstance(before, pd.Series):
        pd.testing.assert_series_equal(before, after)
    elif sp.issparse(before):
        assert (before != after).nnz == 0 or np.array_equal(
            before.toarray(), after.toarray(), equal_nan=True
        )
    elif isinstance(before, np.ndarray):
        assert before.dtype == after.dtype and before.shape == after.shape
        if before.dtype == object:
            # NaN != NaN element-wise in object arrays; compare missingness too
            same = (before == after) | (pd.isna(before) & pd.isna(after))
            assert same.all()
        else:
            np.testing.assert_array_equal(before, after)
    else:
        assert repr(before) == repr(after)


def _names(message, names):
    """True if ``message`` names one of ``names`` as a word."""
    return any(re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", message) for name in names)


def _fitted_state(est):
    if not hasattr(est, "coef_"):
        return None
    return (
        np.array(est.coef_, copy=True),
        np.array(est.intercept_, copy=True),
        est.n_features_in_,
        est.n_iter_,
    )


def run_case(kind, data, params_and_bad, method, prefit):
    """Fit one generated case and check the contract; returns 'fitted' or the message."""
    X, y, sample_weight, bad_data, container = data
    params, bad_params = params_and_bad
    cls = ESTIMATORS[kind]
    est = cls()
    if prefit:
        # A good model first: a failed call afterwards must leave it as it was.
        rng = np.random.default_rng(0)
        X0 = rng.normal(size=(20, 2))
        y0 = {
            "regressor": X0 @ [1.0, -2.0],
            "classifier": (X0[:, 0] > 0).astype(int),
            "growth": rng.poisson(np.exp(1 + 0.3 * X0[:, 0])).astype(float) + 1,
        }[kind]
        est.set_params(max_iter=3, tol=None).fit(X0, y0)
    before_state = _fitted_state(est)
    copies = [_snapshot(v) for v in (X, y, sample_weight)]
    est.set_params(**params)
    STATS["cases"] += 1
    STATS["by_estimator"][kind] += 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning etc. are expected here
            if method == "partial_fit":
                kwargs = {}
                if kind == "classifier" and not prefit:
                    # the first call needs every label; missing values are y's problem
                    labels = pd.Series(np.asarray(y, dtype=object).ravel()).dropna().unique()
                    kwargs["classes"] = labels if labels.size else None
                est.partial_fit(X, y, sample_weight=sample_weight, **kwargs)
            else:
                est.fit(X, y, sample_weight=sample_weight)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        STATS["errors"][message] += 1
        assert "numba" not in message.lower(), message
        assert "Traceback" not in message
        if bad_params:
            allowed = set(bad_params)
            for name in bad_params:
                allowed.update(NESTED_NAMES.get(name, ()))
            if "schedule" in bad_params:
                allowed.update(SCHEDULE_WORDS)
        else:
            allowed = {"X", "y", "sample_weight", "classes", *params, "learning_rate"}
            allowed.update(EXTRA_PARAMS[kind])
        assert _names(message, allowed), f"{type(exc).__name__} names none of {allowed}: {message}"
        if isinstance(exc, DivergenceError):
            assert "learning_rate" in message or "L-BFGS-B" in message, message
        # nothing half-done: the previous model (or none) is still there
        after = _fitted_state(est)
        if before_state is None:
            assert after is None, "a failed first fit left coefficients behind"
        else:
            for old, new in zip(before_state, after):
                np.testing.assert_array_equal(old, new)
        outcome = message
    else:
        STATS["fitted"] += 1
        assert not bad_params, f"accepted invalid {bad_params}: {params}"
        assert np.all(np.isfinite(est.coef_)), est.coef_
        assert np.all(np.isfinite(est.intercept_)), est.intercept_
        assert np.all(np.isfinite(est.loss_curve_))
        assert len(est.loss_curve_) == est.n_iter_
        outcome = "fitted"
    for before, after in zip(copies, (X, y, sample_weight)):
        _assert_unchanged(before, after)
    return outcome


def _property(kind, max_examples):
    @settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        data=datasets(kind),
        params=hyperparameters(kind),
        method=st.sampled_from(["fit", "fit", "partial_fit"]),
        prefit=st.booleans(),
    )
    def check(data, params, method, prefit):
        run_case(kind, data, params, method, prefit)

    return check


@pytest.mark.parametrize("kind", sorted(ESTIMATORS))
def test_any_input_fits_or_raises_a_clear_error(kind):
    _property(kind, max_examples=100)()


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(ESTIMATORS))
def test_any_input_fits_or_raises_a_clear_error_long(kind):
    _property(kind, max_examples=3000)()


# ---------------------------------------------------------------- divergence
@pytest.fixture(scope="module")
def regression_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=60)
    return X, y


#: learning rates that overflow within a few epochs on standardized data; the
#: adaptive optimizers (and Lion) take steps of about learning_rate, so they need more.
HUGE_RATE = {name: 1e3 for name in GD_OPTIMIZERS}
HUGE_RATE.update({name: 1e200 for name in ("adagrad", "rmsprop", "adam", "adamw", "nadam", "lion")})


@pytest.mark.parametrize("optimizer", GD_OPTIMIZERS)
@pytest.mark.parametrize("batch_size", ["full", 16])
def test_divergence_is_reported_at_its_epoch(regression_data, optimizer, batch_size):
    X, y = regression_data
    lr = HUGE_RATE[optimizer]
    params = dict(optimizer=optimizer, learning_rate=lr, batch_size=batch_size, tol=None)
    est = GDRegressor(max_iter=200, random_state=0, **params)
    with pytest.raises(DivergenceError) as info:
        est.fit(X, y)
    err = info.value
    message = str(err)
    assert f"learning_rate={lr:.6g}" in message
    assert f"epoch {err.epoch}" in message
    assert "Lower the learning rate" in message  # the suggested fix
    assert err.learning_rate == lr
    assert not hasattr(est, "coef_") and not hasattr(est, "n_features_in_")
    # every epoch before the reported one was still finite and not blown up
    if err.epoch > 1:
        before = GDRegressor(max_iter=err.epoch - 1, random_state=0, **params).fit(X, y)
        assert np.all(np.isfinite(before.coef_))


def test_lbfgs_ignores_the_learning_rate(regression_data):
    # L-BFGS-B chooses its own steps: no learning rate can make it overflow.
    X, y = regression_data
    est = GDRegressor(optimizer="lbfgs", learning_rate=1e200, max_iter=50).fit(X, y)
    assert np.all(np.isfinite(est.coef_))


def _state(est):
    return (
        est.coef_.copy(),
        np.copy(est.intercept_),
        est.n_iter_,
        est.t_,
        est.optimizer_state_.slots.copy(),
        len(est.history_),
    )


def _assert_same_state(a, b):
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("optimizer", GD_OPTIMIZERS)
def test_divergence_keeps_the_previous_model(regression_data, optimizer):
    X, y = regression_data
    good = dict(optimizer=optimizer, learning_rate=0.01, tol=None, max_iter=5, random_state=0)
    # warm_start=True
    est = GDRegressor(warm_start=True, **good).fit(X, y)
    before = _state(est)
    est.set_params(learning_rate=HUGE_RATE[optimizer], max_iter=200)
    with pytest.raises(DivergenceError, match="learning_rate"):
        est.fit(X, y)
    _assert_same_state(before, _state(est))
    assert np.all(np.isfinite(est.predict(X)))
    # partial_fit, and partial_fit still works afterwards
    est = GDRegressor(**good)
    for _ in range(3):
        est.partial_fit(X, y)
    before = _state(est)
    est.set_params(learning_rate=HUGE_RATE[optimizer] * 1e100)
    with pytest.raises(DivergenceError, match="learning_rate"):
        for _ in range(50):
            est.partial_fit(X, y)
    assert np.all(np.isfinite(est.coef_))
    est.set_params(learning_rate=0.01)
    n_iter = est.n_iter_
    est.partial_fit(X, y)
    assert est.n_iter_ == n_iter + 1 and np.all(np.isfinite(est.coef_))
    del before


def test_failed_refit_keeps_the_fitted_input_description(regression_data):
    # Validation of the new X succeeds (and used to reset n_features_in_) before
    # the weights fail: the model fitted on 3 features must still predict.
    X, y = regression_data
    est = GDRegressor(max_iter=3, tol=None).fit(X, y)
    X4 = np.hstack([X, X[:, :1]])
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X4, y, sample_weight=-np.ones(len(y)))
    assert est.n_features_in_ == 3
    est.predict(X)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    est.fit(frame, y)
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(pd.DataFrame(X4, columns=list("wxyz")), y, sample_weight=np.zeros(len(y)))
    assert list(est.feature_names_in_) == ["a", "b", "c"]


def test_failed_first_fit_leaves_the_estimator_unfitted(regression_data):
    from sklearn.exceptions import NotFittedError

    X, y = regression_data
    est = GDClassifier(max_iter=3)
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X, y > 0, sample_weight=np.full(len(y), np.nan))
    assert vars(est) == vars(GDClassifier(max_iter=3))
    with pytest.raises(NotFittedError):
        est.predict(X)


# ---------------------------------------------------------------- interrupts
class _Interrupt:
    """Wrap a kernel: after ``at`` calls, run it (half an epoch's damage) and interrupt."""

    def __init__(self, function, at):
        self.function, self.at, self.calls = function, at, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        result = self.function(*args, **kwargs)
        if self.calls == self.at:
            for arg in args:  # scramble the parameters being updated in place
                if isinstance(arg, np.ndarray) and arg.ndim == 1 and arg.dtype == np.float64:
                    arg += 1e3
            raise KeyboardInterrupt
        return result


@pytest.mark.parametrize(
    "batch_size, kernel", [(16, "run_epoch"), ("full", "step_all")], ids=["minibatch", "full"]
)
@pytest.mark.parametrize("k", [1, 3])
def test_interrupt_inside_an_epoch_commits_the_last_complete_one(
    regression_data, monkeypatch, batch_size, kernel, k
):
    X, y = regression_data
    params = dict(
        optimizer="adam", batch_size=batch_size, tol=None, random_state=0, learning_rate=0.01
    )
    est = GDRegressor(max_iter=10, **params)
    monkeypatch.setattr(skgd._kernels, kernel, _Interrupt(getattr(skgd._kernels, kernel), k))
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    monkeypatch.undo()
    if k == 1:
        assert not hasattr(est, "coef_") and not hasattr(est, "n_features_in_")
    else:
        reference = GDRegressor(max_iter=k - 1, **params).fit(X, y)
        assert est.n_iter_ == k - 1 == len(est.loss_curve_)
        np.testing.assert_array_equal(est.coef_, reference.coef_)
        assert est.intercept_ == reference.intercept_
        assert est.t_ == reference.t_
    # and it can go on
    est.partial_fit(X, y)
    assert np.all(np.isfinite(est.coef_))


@pytest.mark.parametrize("kind", sorted(ESTIMATORS))
def test_interrupt_from_a_schedule_callable(kind, regression_data):
    X, y = regression_data
    X = X[:, :1]
    y = np.abs(y) + 1 if kind == "growth" else (y > 0 if kind == "classifier" else y)

    def schedule(epoch):
        if epoch == 2:
            raise KeyboardInterrupt
        return 1.0

    cls = ESTIMATORS[kind]
    common = dict(optimizer="sgd", learning_rate=0.01, tol=None, random_state=0)
    est = cls(max_iter=10, schedule=schedule, **common)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    reference = cls(max_iter=2, **common).fit(X, y)
    assert est.n_iter_ == 2
    np.testing.assert_allclose(est.coef_, reference.coef_, rtol=0, atol=0)
    # an interrupt in the first epoch of a warm start keeps the fitted model
    before = _state(est)
    est.set_params(warm_start=True, schedule=lambda epoch: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    _assert_same_state(before, _state(est))
    est.set_params(schedule="constant")
    est.partial_fit(X, y)
    assert est.n_iter_ == 3


def test_interrupt_in_the_validation_hook(regression_data, monkeypatch):
    X, y = regression_data
    est = GDRegressor(
        optimizer="adam",
        early_stopping=True,
        max_iter=10,
        tol=None,
        random_state=0,
        learning_rate=0.01,
    )
    real = est._score_params
    calls = []

    def score(*args):
        calls.append(1)
        # call 1 scores the start, call k + 1 epoch k: interrupt while scoring epoch 4
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(est, "_score_params", score)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    monkeypatch.undo()
    assert est.n_iter_ == 3 == len(est.validation_scores_)
    reference = GDRegressor(
        optimizer="adam",
        early_stopping=True,
        max_iter=3,
        tol=None,
        random_state=0,
        learning_rate=0.01,
    ).fit(X, y)
    np.testing.assert_array_equal(est.coef_, reference.coef_)


@pytest.mark.parametrize("kind", sorted(ESTIMATORS))
def test_partial_fit_works_after_an_error(kind, regression_data):
    X, y = regression_data
    y = np.abs(y) + 1 if kind == "growth" else (y > 0 if kind == "classifier" else y)
    kwargs = {"classes": [False, True]} if kind == "classifier" else {}
    est = ESTIMATORS[kind](learning_rate=0.01)
    with pytest.raises(ValueError, match="X"):
        est.partial_fit(np.full_like(X, np.nan), y, **kwargs)
    assert not hasattr(est, "n_features_in_")
    est.partial_fit(X, y, **kwargs)
    with pytest.raises(ValueError, match="sample_weight"):
        est.partial_fit(X, y, sample_weight=-np.ones(len(y)))
    est.partial_fit(X, y)
    assert est.n_iter_ == 2


# ---------------------------------------------------------------- persistence
def _fit_data(kind, regression_data):
    X, y = regression_data
    if kind == "growth":
        return X[:, :1], np.round(np.exp(1 + 0.5 * X[:, 0]))
    if kind == "classifier":
        return X, np.where(y > 1, "high", np.where(y < -1, "low", "mid"))
    return X, y


@pytest.mark.parametrize("kind", sorted(ESTIMATORS))
@pytest.mark.parametrize("dumper", ["pickle", "joblib"])
def test_round_trip_resumes_identically(kind, dumper, regression_data, tmp_path):
    X, y = _fit_data(kind, regression_data)
    est = ESTIMATORS[kind](
        optimizer=Adam(beta1=0.8), learning_rate=0.01, random_state=0, batch_size=8
    )
    kwargs = {"classes": np.unique(y)} if kind == "classifier" else {}
    est.partial_fit(X, y, **kwargs)
    est.partial_fit(X, y)
    if dumper == "pickle":
        copy_ = pickle.loads(pickle.dumps(est))
    else:
        joblib.dump(est, tmp_path / "est.joblib")
        copy_ = joblib.load(tmp_path / "est.joblib")
    np.testing.assert_array_equal(copy_.predict(X), est.predict(X))
    np.testing.assert_array_equal(copy_.optimizer_state_.slots, est.optimizer_state_.slots)
    for model in (est, copy_):
        model.partial_fit(X, y)
        model.set_params(warm_start=True, max_iter=3, tol=None).fit(X, y)
    np.testing.assert_array_equal(copy_.coef_, est.coef_)
    np.testing.assert_array_equal(copy_.intercept_, est.intercept_)
    assert copy_.t_ == est.t_ and copy_.n_iter_ == est.n_iter_ == 6
    pd.testing.assert_frame_equal(
        copy_.history_.drop(columns="seconds"), est.history_.drop(columns="seconds")
    )


@pytest.mark.parametrize("kind", sorted(ESTIMATORS))
def test_clone_of_fitted_and_unfitted(kind, regression_data):
    X, y = _fit_data(kind, regression_data)
    est = ESTIMATORS[kind](optimizer=Adam(beta1=0.8), schedule="cosine", max_iter=3)
    for original in (est, clone(est).fit(X, y)):
        copy_ = clone(original)
        assert not hasattr(copy_, "coef_") and not hasattr(copy_, "n_features_in_")
        assert copy_.get_params()["optimizer__beta1"] == 0.8
        assert copy_.optimizer is not original.optimizer
        copy_.fit(X, y)
    assert est.optimizer.get_params() == Adam(beta1=0.8).get_params()  # not mutated by fit


# ---------------------------------------------------------------- threads
def _thread_data(i):
    rng = np.random.default_rng(i)
    X = rng.normal(size=(40 + 10 * i, 2 + i % 3))
    return X, X @ rng.normal(size=X.shape[1])


def test_separate_instances_in_threads_match_serial_fits():
    params = dict(max_iter=20, tol=None, batch_size=8, random_state=0)
    data = [_thread_data(i) for i in range(6)]
    serial = [GDRegressor(optimizer="adam", **params).fit(X, y).coef_ for X, y in data]
    with ThreadPoolExecutor(max_workers=3) as pool:
        threaded = list(
            pool.map(lambda d: GDRegressor(optimizer="adam", **params).fit(*d).coef_, data)
        )
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_objective_does_not_depend_on_the_number_of_threads(monkeypatch, sparse):
    # J and its gradient are sums over fixed row chunks added in chunk order;
    # the threads only share out the chunks (4 here: 4 * 2048 rows or more).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(9000, 6)) * [1, 10, 100, 0.1, 1, 5]
    X = sp.csr_matrix(np.where(rng.random(X.shape) < 0.5, X, 0.0)) if sparse else X
    y = rng.normal(size=9000)
    data = skgd._kernels.make_data(X, y, rng.random(9000))
    model = skgd._kernels.Model(6, 1, 1, 1.35, 1e-3, 0.0, True)  # huber
    params = rng.normal(size=7)
    results = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(skgd._kernels, "_THREADS", threads)
        grad = np.empty(7)
        value = skgd._kernels.objective(data, model, params, grad, True)
        results.append((value, grad))
    for value, grad in results[1:]:
        assert value == results[0][0]
        np.testing.assert_array_equal(grad, results[0][1])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_objective_runs_in_a_forked_child():
    # The parent's thread pool does not survive a fork; the child builds its own.
    import multiprocessing

    X = np.random.default_rng(1).normal(size=(9000, 3))
    est = GDRegressor(batch_size="full", max_iter=3, tol=None).fit(X, X @ [1.0, 2.0, 3.0])
    with multiprocessing.get_context("fork").Pool(1) as pool:
        coef = pool.apply_async(_fit_coef, (X,)).get(timeout=120)
    np.testing.assert_array_equal(coef, est.coef_)


def _fit_coef(X):
    return GDRegressor(batch_size="full", max_iter=3, tol=None).fit(X, X @ [1.0, 2.0, 3.0]).coef_


def test_one_instance_in_threads_ends_as_one_complete_fit():
    # Fits of one instance run one at a time (see BaseGD._guard): the result
    # is the complete fit of one of the threads' data sets, never a mix of two.
    params = dict(max_iter=20, tol=None, batch_size=8, random_state=0)
    data = [_thread_data(i) for i in range(6)]
    serial = [GDRegressor(optimizer="adam", **params).fit(X, y) for X, y in data]
    est = GDRegressor(optimizer="adam", **params)
    barrier = threading.Barrier(3)

    def fit(d):
        barrier.wait()
        est.fit(*d)

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(fit, data[:3]))
    matches = [
        i
        for i, ref in enumerate(serial[:3])
        if est.n_features_in_ == ref.n_features_in_
        and np.array_equal(est.coef_, ref.coef_)
        and est.intercept_ == ref.intercept_
        and est.t_ == ref.t_
    ]
    assert len(matches) == 1
    est.predict(data[matches[0]][0])


# ---------------------------------------------------------------- compiled ahead of time
def test_a_read_only_install_with_no_writable_home_fits(tmp_path):
    # The kernels are compiled at install: nothing is written at run time, so
    # a package copied to a read-only place, with HOME and the temporary
    # directory unwritable, fits (the numba cache used to crash here), and a
    # read-only X is used as it is.
    import shutil

    import skgd

    package = Path(skgd.__file__).parent
    copy_ = tmp_path / "site" / "skgd"
    shutil.copytree(package, copy_, ignore=shutil.ignore_patterns("__pycache__", "*.c"))
    for path in [*copy_.rglob("*"), copy_, copy_.parent]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    blocker = tmp_path / "not_a_directory"
    blocker.write_text("")
    env = dict(os.environ, HOME=str(blocker), TMPDIR=str(blocker), PYTHONDONTWRITEBYTECODE="1")
    code = textwrap.dedent(
        f"""
        import sys, warnings
        sys.path.insert(0, {str(copy_.parent)!r})
        warnings.simplefilter("ignore")
        import numpy as np
        import skgd
        assert skgd.__file__.startswith({str(copy_.parent)!r}), skgd.__file__
        X = np.random.default_rng(0).normal(size=(30, 2))
        X.setflags(write=False)
        for batch_size in ("full", 8):
            model = skgd.GDRegressor(max_iter=5, batch_size=batch_size).fit(X, X @ [1.0, 2.0])
            assert np.all(np.isfinite(model.coef_))
        print("ok")
        """
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        for path in [copy_.parent, copy_, *copy_.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")
    assert not list(copy_.rglob("__pycache__"))


@pytest.mark.parametrize("kind", sorted(ESTIMATORS))
@pytest.mark.parametrize("method", ["warm_start", "partial_fit"])
def test_changing_optimizer_or_schedule_between_calls_restarts_their_state(
    kind, method, regression_data
):
    # Continuing SGD's one slot as Adam's three once overran memory in the
    # compiled update, and a plateau schedule found no state of its own.
    X, y = _fit_data(kind, regression_data)
    est = ESTIMATORS[kind](optimizer="sgd", max_iter=3, tol=None, random_state=0)
    est.fit(X, y)
    coef = est.coef_.copy()
    est.set_params(optimizer="adam", schedule="plateau", learning_rate=1e-3)
    if method == "warm_start":
        est.set_params(warm_start=True).fit(X, y)
    else:
        est.partial_fit(X, y)
    assert est.optimizer_state_.slots.shape[0] == 3
    assert set(est.schedule_state_) >= {"multiplier", "best", "wait"}
    assert np.all(np.isfinite(est.coef_))
    # the parameters continued (a small Adam step), they did not restart
    assert np.max(np.abs(est.coef_ - coef)) < 0.1 * (np.max(np.abs(coef)) + 1)
    # and a second call continues the new state
    t = est.t_
    est.partial_fit(X, y) if method == "partial_fit" else est.fit(X, y)
    assert est.t_ > t


def test_optimizer_update_refuses_a_state_of_another_rule():
    sgd_state = SGD().init(4)
    with pytest.raises(ValueError, match="slots of shape"):
        Adam().update(np.ones(4), sgd_state, np.zeros(4), 0.1)
    with pytest.raises(ValueError, match="one shape"):
        Adam().update(np.ones(3), Adam().init(4), np.zeros(4), 0.1)


def test_malformed_sparse_matrix_is_refused_not_overrun():
    import scipy.sparse as sp

    X = sp.csr_matrix((np.ones(3), np.array([0, 1, 7]), np.array([0, 1, 2, 3])), shape=(3, 2))
    for est in (GDRegressor(), GDClassifier()):
        with pytest.raises(ValueError, match="column indices"):
            est.fit(X, np.array([0, 1, 0]))
