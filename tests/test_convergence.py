"""Convergence you can trust: one engine, one stopping rule, weights that count.

The property grid runs every optimizer at learning rates 1e-3 to 1 and batch
sizes 1, 32 and full on six problems, and checks each fit against an
optimum computed by another library (closed-form least squares, scikit-learn's
LogisticRegression and PoissonRegressor). Every fit must end in one of three
honest ways: within 1 % of that optimum (max-abs over coefficients and
intercepts, relative to the largest optimal coefficient), with a
ConvergenceWarning, or with a DivergenceError; and J never ends above its
start without one of the last two. The counts go to
``/tmp/skgd_convergence_grid.json`` for the record.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, PoissonRegressor
from sklearn.preprocessing import StandardScaler

from skgd import (
    DivergenceError,
    ExponentialGrowthRegressor,
    GDClassifier,
    GDRegressor,
    compare_solvers,
    fit_csv,
    minimize,
    objective,
)
from skgd._optimality import optimality
from skgd.datasets import load_boarding_school_flu
from skgd.optimizers import OPTIMIZERS

GRID_SUMMARY = Path("/tmp/skgd_convergence_grid.json")


# ---------------------------------------------------------------- the problems
def _line():
    rng = np.random.RandomState(42)
    x = 2 * rng.rand(100, 1)
    y = 4 + 3 * x[:, 0] + rng.randn(100)
    theta = np.linalg.lstsq(np.c_[x, np.ones(100)], y, rcond=None)[0]
    return GDRegressor(), x, y, theta[:1], theta[1:]


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)  # raw y: coefficients up to 38
    theta = np.linalg.lstsq(np.c_[X, np.ones(len(y))], y, rcond=None)[0]
    return GDRegressor(), X, y, theta[:-1], theta[-1:]


def _logistic(X, y):
    # the L2 strength of LogisticRegression's default C=1: alpha = 1 / n
    ref = LogisticRegression(C=1.0, tol=1e-12, max_iter=100_000).fit(X, y)
    intercept = (
        ref.intercept_ - ref.intercept_.mean() if ref.intercept_.size > 1 else ref.intercept_
    )
    est = GDClassifier(penalty="l2", alpha=1.0 / X.shape[0])
    return est, X, y, ref.coef_.ravel(), intercept


def _cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return _logistic(StandardScaler().fit_transform(X), y)


def _iris():
    X, y = load_iris(return_X_y=True)
    return _logistic(StandardScaler().fit_transform(X), y)


def _flu():
    t, counts = load_boarding_school_flu(return_X_y=True)
    return t[:5], counts[:5]


def _flu_poisson():
    t, counts = _flu()
    ref = PoissonRegressor(alpha=0.0, solver="lbfgs", tol=1e-14, max_iter=100_000).fit(t, counts)
    return ExponentialGrowthRegressor(), t, counts, ref.coef_, np.r_[ref.intercept_]


def _flu_log_squared():
    t, counts = _flu()
    theta = np.linalg.lstsq(np.c_[t, np.ones(5)], np.log(counts), rcond=None)[0]
    return ExponentialGrowthRegressor(loss="log_squared_error"), t, counts, theta[:1], theta[1:]


PROBLEMS = {
    "line": _line,
    "diabetes": _diabetes,
    "cancer": _cancer,
    "iris": _iris,
    "flu-poisson": _flu_poisson,
    "flu-log-squared": _flu_log_squared,
}
RATES = [1e-3, 1e-2, 0.1, 1.0]
BATCHES = [1, 32, "full"]
GRID: dict = {}


def _public(est) -> np.ndarray:
    intercept = np.atleast_1d(est.intercept_).astype(np.float64)
    if intercept.size > 1:  # softmax: only differences of intercepts are identified
        intercept = intercept - intercept.mean()
    return np.r_[np.asarray(est.coef_, dtype=np.float64).ravel(), intercept]


@pytest.fixture(scope="module", autouse=True)
def grid_summary():
    yield
    if GRID:
        totals = pd.DataFrame(GRID).T
        summary = {
            "by_problem": {k: dict(v) for k, v in GRID.items()},
            "total": totals.sum().astype(int).to_dict(),
        }
        GRID_SUMMARY.write_text(json.dumps(summary, indent=1))


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_no_silent_under_convergence(name):
    base, X, y, coef, intercept = PROBLEMS[name]()
    optimum = np.r_[coef, intercept]
    largest = np.max(np.abs(coef))
    obj = objective(base, X, y)
    start = obj.value(obj.x0)
    counts = {"converged": 0, "warned": 0, "diverged": 0}
    false_certificates = []
    for optimizer in sorted(OPTIMIZERS):
        line_search = optimizer == "lbfgs"
        for rate in [0.1] if line_search else RATES:
            for batch in ["full"] if line_search else BATCHES:
                est = base.__class__(**base.get_params()).set_params(
                    optimizer=optimizer, learning_rate=rate, batch_size=batch, random_state=0
                )
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        est.fit(X, y)
                    except DivergenceError:
                        counts["diverged"] += 1
                        continue
                warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
                # J never ends above its start (up to the rounding of mapping the
                # growth model's standardized parameters back), warning or not:
                # a fit that is not certified returns its lowest-J epoch
                end = obj.value(obj.params_of(est))
                assert end <= start * (1 + 1e-12), (optimizer, rate, batch, start, end)
                if warned:
                    counts["warned"] += 1
                    assert not est.converged_
                    continue
                assert est.converged_ and est.optimality_ <= est.tol
                error = np.max(np.abs(_public(est) - optimum)) / largest
                counts["converged"] += 1
                if error > 0.01:
                    false_certificates.append((optimizer, rate, batch, error, est.n_iter_))
    GRID[name] = counts
    assert not false_certificates, false_certificates
    # lbfgs at the defaults always certifies its optimum on these problems
    assert counts["converged"] >= 1


def test_defaults_converge_on_standardized_problems():
    # the common case: default hyperparameters (full batch Adam, lr 0.1)
    for name in ["line", "cancer", "iris", "flu-poisson", "flu-log-squared"]:
        base, X, y, coef, intercept = PROBLEMS[name]()
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            est = base.fit(X, y)
        assert est.converged_, name
        assert np.max(np.abs(_public(est) - np.r_[coef, intercept])) <= 0.01 * np.max(np.abs(coef))


@pytest.mark.parametrize("name", ["diabetes", "cancer", "iris", "wine"])
def test_the_defaults_certify_common_problems_at_the_default_alpha(name):
    # The common case: standardized data and every hyperparameter at its
    # default (for classifiers with an L2 penalty at the default alpha=1e-4:
    # without one, separable classes have no optimum). Full-batch Adam at 0.1,
    # the default before, warned on all four within max_iter=1000 (it needs
    # 2,125 to 5,206 epochs); L-BFGS-B certifies each in 18 to 80 iterations.
    from sklearn.datasets import load_wine
    from sklearn.linear_model import LinearRegression

    loader = {"diabetes": load_diabetes, "cancer": load_breast_cancer, "iris": load_iris,
              "wine": load_wine}[name]  # fmt: skip
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    if name == "diabetes":
        est = GDRegressor()
        assert est.penalty is None
        ref = LinearRegression().fit(X, y)
    else:
        est = GDClassifier(penalty="l2")
        # J = mean log-loss + alpha / 2 |w|^2 is LogisticRegression's with C = 1 / (n alpha)
        ref = LogisticRegression(C=1.0 / (est.alpha * X.shape[0]), tol=1e-12, max_iter=100_000)
        ref.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.fit(X, y)
    assert est.converged_
    intercept = np.ravel(ref.intercept_)
    if intercept.size > 1:  # softmax: only differences of intercepts are identified
        intercept = intercept - intercept.mean()
    error = np.max(np.abs(_public(est) - np.r_[np.ravel(ref.coef_), intercept]))
    assert error <= 0.01 * np.max(np.abs(ref.coef_)), error


@pytest.mark.parametrize("degree", [5, 7, 9])
def test_no_false_certificate_on_nearly_collinear_features(degree):
    # Standardized powers of a positive variable: condition numbers up to 1e12.
    # A gradient measure of 8e-6 used to certify a fit 87 % of the largest
    # coefficient away from least squares (degree 7, L-BFGS, no warning).
    from sklearn.preprocessing import PolynomialFeatures

    rng = np.random.RandomState(0)
    x = rng.uniform(0, 2, 200)  # all positive: its powers are nearly collinear
    y = np.sin(3 * x) + 0.1 * rng.randn(200)
    powers = PolynomialFeatures(degree, include_bias=False).fit_transform(x[:, None])
    P = StandardScaler().fit_transform(powers)
    theta = np.linalg.lstsq(np.c_[P, np.ones(200)], y, rcond=None)[0]
    largest = np.max(np.abs(theta[:-1]))
    certified = 0
    for optimizer, rates in [("lbfgs", [0.1]), ("adam", [0.01, 0.1]), ("nesterov", [0.1, 0.5])]:
        for rate in rates:
            est = GDRegressor(optimizer=optimizer, learning_rate=rate, penalty=None,
                              max_iter=3000)  # fmt: skip
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    est.fit(P, y)
                except DivergenceError:
                    continue
            if any(issubclass(w.category, ConvergenceWarning) for w in caught):
                assert not est.converged_
                continue
            certified += 1
            error = np.max(np.abs(_public(est) - theta)) / largest
            assert error <= 0.01, (optimizer, rate, error, est.n_iter_)
    if degree <= 7:
        assert certified >= 1  # L-BFGS gets there
    # degree 9 (condition number 4e12): L-BFGS-B stops at float64's limit with
    # the optimum a Newton step of about 100 % away, and says so


def test_separated_classes_without_a_penalty_are_not_certified():
    # breast cancer (standardized) is separable: without a penalty the
    # log-loss has no minimum, and L-BFGS "certified" coefficients of 2e4
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with pytest.warns(ConvergenceWarning, match="separate the classes of every training row"):
        est = GDClassifier(penalty=None).fit(X, y)
    assert not est.converged_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert GDClassifier(penalty="l2").fit(X, y).converged_
        # overlapping classes (iris) have an optimum without a penalty
        Xi, yi = load_iris(return_X_y=True)
        assert GDClassifier(penalty=None).fit(StandardScaler().fit_transform(Xi), yi).converged_


def test_stochastic_noise_floor_is_reported_with_advice():
    _, X, y, *_ = _line()
    est = GDRegressor(optimizer="sgd", learning_rate=0.1, batch_size=8, max_iter=300)
    with pytest.warns(ConvergenceWarning, match="noise floor") as record:
        est.fit(X, y)
    message = str(record[0].message)
    assert "batch_size='full', warm_start=True" in message
    # the advice works: exact steps from there reach the optimum
    est.set_params(batch_size="full", warm_start=True, optimizer="lbfgs")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    assert est.converged_


def test_returns_the_best_iterate_when_not_converged():
    _, X, y, *_ = _diabetes()
    est = GDRegressor(
        optimizer="sgd", learning_rate=0.02, batch_size=4, max_iter=40, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="lowest J"):
        est.fit(X, y)
    obj = objective(est, X, y)
    assert obj.value(obj.params_of(est)) == pytest.approx(min(est.history_["loss"]), rel=1e-12)
    assert obj.value(obj.params_of(est)) <= est.loss_curve_[-1]


def test_history_holds_the_measure_the_rule_reads():
    _, X, y, *_ = _line()
    est = GDRegressor(optimizer="momentum", learning_rate=0.1).fit(X, y)
    measures = est.history_["optimality"].to_numpy()
    assert est.history_["epoch"].iloc[0] == 0
    # stopped at the first epoch whose measure is <= tol, and not before
    assert measures[-1] <= est.tol < measures[:-1].min()
    assert est.optimality_ == measures[-1]
    # the measure is the documented formula: max_j |g_j| / s_j
    obj = objective(est, X, y)
    _, grad = obj.value_and_gradient(obj.params_of(est))
    assert optimality(grad, obj.params_of(est), obj.gradient_scale()) == pytest.approx(
        est.optimality_, rel=1e-9
    )


def test_a_start_at_the_optimum_takes_no_step():
    # the log-linear start of log_squared_error is its exact optimum: Adam used
    # to walk away from it (J 0.00147 -> 0.00182)
    t, counts = _flu()
    est = ExponentialGrowthRegressor(loss="log_squared_error", optimizer="adam").fit(t, counts)
    assert est.n_iter_ == 0 and est.loss_curve_ == [] and est.converged_
    assert est.history_["epoch"].tolist() == [0]


# ---------------------------------------------------------------- weights
def _weighted_line():
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, size=(60, 1))
    heavy = x[:, 0] > 0
    # the heavy half has slope 2, the light half slope 0
    y = np.where(heavy, 2.0 * x[:, 0], 0.0) + 0.05 * rng.randn(60)
    w = np.where(heavy, 10.0, 1.0)
    return x, y, w


def _weighted_ols(x, y, w):
    A = np.c_[x, np.ones(len(y))] * np.sqrt(w)[:, None]
    return np.linalg.lstsq(A, y * np.sqrt(w), rcond=None)[0]


@pytest.mark.parametrize("batch_size", [1, 4, 32, "full"])
def test_a_batch_step_is_unbiased_for_the_weighted_gradient(batch_size):
    # one epoch of plain SGD with a tiny step moves by minus the step times the
    # sum of the batch gradients: at every batch size that sum, divided by the
    # number of batches, must be the gradient of the weighted J
    x, y, w = _weighted_line()
    lr = 1e-9
    est = GDRegressor(optimizer="sgd", learning_rate=lr, batch_size=batch_size, shuffle=False)
    est.set_params(max_iter=1, tol=None).fit(x, y, sample_weight=w)
    obj = objective(est, x, y, sample_weight=w)
    _, grad = obj.value_and_gradient(obj.x0)
    n_batches = 1 if batch_size == "full" else int(np.ceil(60 / batch_size))
    moved = (obj.x0 - obj.params_of(est)) / (lr * n_batches)
    size = 60 if batch_size == "full" else batch_size
    if 60 % size == 0:
        np.testing.assert_allclose(moved, grad, rtol=1e-5, atol=1e-6)
    # weights count at batch size 1 too: not the unweighted gradient
    _, unweighted = objective(est, x, y).value_and_gradient(obj.x0)
    assert np.max(np.abs(moved - unweighted)) > 0.1 * np.max(np.abs(unweighted))


@pytest.mark.parametrize("batch_size", [1, 4, 32, "full"])
def test_weighted_fits_reach_weighted_least_squares(batch_size):
    x, y, w = _weighted_line()
    slope, intercept = _weighted_ols(x, y, w)
    unweighted = _weighted_ols(x, y, np.ones(60))[0]
    assert abs(slope - unweighted) > 0.3  # 1.83 against 1.0: the weights matter
    if batch_size == "full":
        # plain gradient descent converges on its own
        est = GDRegressor(optimizer="sgd", learning_rate=0.5, max_iter=5000, tol=1e-8)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            est.fit(x, y, sample_weight=w)
    else:
        est = GDRegressor(optimizer="sgd", learning_rate=0.05, batch_size=batch_size)
        est.set_params(schedule="invscaling", max_iter=300, tol=None, random_state=0)
        est.fit(x, y, sample_weight=w)
        # then finish with exact steps, as the noise-floor warning advises
        est.set_params(batch_size="full", warm_start=True, tol=1e-8, optimizer="lbfgs")
        est.set_params(schedule="constant")  # L-BFGS-B takes its own steps
        est.fit(x, y, sample_weight=w)
    assert est.converged_
    assert est.coef_[0] == pytest.approx(slope, abs=1e-3)
    assert est.intercept_ == pytest.approx(intercept, abs=1e-3)


def test_stochastic_fits_see_the_weights_before_any_polish():
    x, y, w = _weighted_line()
    slope = _weighted_ols(x, y, w)[0]
    unweighted = _weighted_ols(x, y, np.ones(60))[0]
    for batch_size in [1, 4]:
        est = GDRegressor(optimizer="sgd", learning_rate=0.02, batch_size=batch_size)
        est.set_params(schedule="invscaling", max_iter=400, tol=None, random_state=0)
        est.fit(x, y, sample_weight=w)
        # the old per-batch normalization gave batch 1 the unweighted slope
        assert abs(est.coef_[0] - slope) < 0.1 < abs(est.coef_[0] - unweighted)


@pytest.mark.parametrize("batch_size", [1, 4, 32, "full"])
def test_class_weight_counts_at_every_batch_size(batch_size):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    alpha = 1.0 / X.shape[0]
    weights = {0: 5.0, 1: 1.0}
    ref = LogisticRegression(C=1.0, class_weight=weights, tol=1e-12, max_iter=100_000)
    ref.fit(X, y)
    est = GDClassifier(
        optimizer="adam", penalty="l2", alpha=alpha, class_weight=weights, batch_size=batch_size
    )
    est.set_params(optimizer="sgd", learning_rate=0.05, random_state=0, max_iter=60, tol=None)
    est.fit(X, y)
    # the stochastic phase already leans towards the heavy class ...
    plain = GDClassifier(penalty="l2", alpha=alpha, batch_size=batch_size, optimizer="sgd")
    plain.set_params(learning_rate=0.05, random_state=0, max_iter=60, tol=None).fit(X, y)
    heavy = X[y == 0]
    assert est.decision_function(heavy).mean() < plain.decision_function(heavy).mean() - 0.3
    # ... and exact steps from there certify the weighted optimum
    est.set_params(batch_size="full", warm_start=True, optimizer="lbfgs", tol=1e-8, max_iter=500)
    est.fit(X, y)
    assert est.converged_
    # class weights change J; the weighted optimum is LogisticRegression's
    # (C = 1 / (alpha * n) with J normalized by the weight sum: same optimum
    # when C is scaled by n / sum(w) -- checked against the objective instead)
    obj = objective(est, X, y)
    from scipy.optimize import minimize as scipy_minimize

    res = scipy_minimize(
        obj.value_and_gradient, obj.x0, jac=True, method="L-BFGS-B",
        options={"gtol": 1e-12, "ftol": 0, "maxiter": 10_000},
    )  # fmt: skip
    np.testing.assert_allclose(obj.params_of(est), res.x, atol=1e-4)


def test_weighted_logistic_matches_logistic_regression():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    w = np.random.RandomState(0).uniform(0.5, 3.0, size=y.shape[0])
    alpha = 1e-2
    # J = sum w L / sum w + alpha/2 |b|^2  <=>  LogisticRegression C = 1 / (alpha sum w)
    ref = LogisticRegression(C=1.0 / (alpha * w.sum()), tol=1e-12, max_iter=100_000)
    ref.fit(X, y, sample_weight=w)
    for batch_size in [1, 32, "full"]:
        est = GDClassifier(penalty="l2", alpha=alpha, optimizer="adam", batch_size=batch_size)
        est.set_params(learning_rate=0.01, max_iter=50, tol=None, random_state=0)
        est.fit(X, y, sample_weight=w)
        est.set_params(batch_size="full", warm_start=True, optimizer="lbfgs", tol=1e-8)
        est.set_params(max_iter=1000).fit(X, y, sample_weight=w)
        assert est.converged_
        np.testing.assert_allclose(est.coef_, ref.coef_, atol=2e-5)
        np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=2e-5)


def test_weights_are_scale_free():
    x, y, w = _weighted_line()
    fits = [
        GDRegressor(optimizer="sgd", batch_size=4, learning_rate=0.05, max_iter=20, tol=None)
        .set_params(random_state=0)
        .fit(x, y, sample_weight=w * scale)
        for scale in [1.0, 1e-300, 1e300]
    ]
    for other in fits[1:]:
        np.testing.assert_allclose(other.coef_, fits[0].coef_, rtol=1e-12)


# ---------------------------------------------------------------- numeric traps
def test_adam_second_moment_overflow_is_an_error_not_a_silent_zero():
    rng = np.random.RandomState(0)
    X = rng.randn(50, 2) * 1e160
    y = X @ np.array([2e-160, -1e-160]) + 3.0
    with pytest.raises(DivergenceError, match="overflowed.*standardize"):
        GDRegressor(optimizer="adam").fit(X, y)
    # L-BFGS in standardized coordinates fits it for real
    est = GDRegressor(optimizer="lbfgs").fit(X, y)
    np.testing.assert_allclose(est.coef_, [2e-160, -1e-160], rtol=1e-6)


def test_lbfgs_fits_targets_of_order_1e15():
    # L-BFGS-B used to stop ABNORMAL at iteration 0 with R^2 = 0 and no warning
    rng = np.random.RandomState(0)
    X = rng.randn(50, 2)
    y = (X @ [1.0, 2.0] + 3.0 + 0.1 * rng.randn(50)) * 1e15
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = GDRegressor(optimizer="lbfgs").fit(X, y)
    theta = np.linalg.lstsq(np.c_[X, np.ones(50)], y, rcond=None)[0]
    np.testing.assert_allclose(np.r_[est.coef_, est.intercept_], theta, rtol=1e-6)
    assert est.score(X, y) > 0.99


def test_lbfgs_that_cannot_meet_tol_passes_scipys_message_on():
    # float64 cannot resolve J's decrease at a measure of 1e-15 on this data:
    # L-BFGS-B stops on its own and says why
    _, X, y, *_ = _diabetes()
    with pytest.warns(ConvergenceWarning, match="L-BFGS-B stopped: .*larger tol"):
        est = GDRegressor(optimizer="lbfgs", tol=1e-15).fit(X, y)
    assert not est.converged_ and est.optimality_ < 1e-6


def test_a_run_that_makes_j_grow_is_never_called_converged():
    # momentum 0.9 at lr 0.1 on single rows: the old rule stopped such runs
    # after a few epochs of J not improving and called them converged
    _, X, y, *_ = _line()
    est = GDRegressor(optimizer="momentum", learning_rate=0.1, batch_size=1, random_state=0)
    with pytest.warns(ConvergenceWarning, match="not certified"):
        est.fit(X, y)
    assert est.history_["loss"].max() > 5 * est.history_["loss"].iloc[0]  # J went up ...
    assert est.score(X, y) > 0.5  # ... but what is returned is the best epoch
    # and a real blow-up is an error naming the rate, not a model
    with pytest.raises(DivergenceError, match="learning_rate=3"):
        GDRegressor(optimizer="momentum", learning_rate=3.0, batch_size=1).fit(X, y)


# ---------------------------------------------------------------- one rule everywhere
def test_minimize_on_an_objective_stops_where_fit_stops():
    _, X, y, *_ = _cancer()
    est = GDClassifier(penalty="l2", alpha=1e-2, optimizer="nesterov", learning_rate=0.5)
    est.fit(X, y)
    obj = objective(est, X, y)
    res = minimize(obj, optimizer="nesterov", learning_rate=0.5, tol=est.tol)
    assert res.success and res.nit == est.n_iter_
    np.testing.assert_allclose(res.x, obj.params_of(est), rtol=1e-10, atol=1e-12)
    assert res.optimality == pytest.approx(est.optimality_, rel=1e-9)


def test_minimize_stops_at_the_first_iterate_within_tol():
    def fun(x):
        return float(x @ (np.array([1.0, 10.0]) * x)), 2 * np.array([1.0, 10.0]) * x

    res = minimize(fun, np.array([3.0, -2.0]), jac=True, optimizer="sgd", learning_rate=0.04)
    grads = np.array([fun(x)[1] for x in res.path])
    measures = np.max(np.abs(grads), axis=1) / np.max(np.abs(grads[0]))
    assert res.success and measures[-1] <= 1e-6 < measures[:-1].min()
    assert res.optimality == measures[-1]


def test_fit_csv_stops_by_the_same_rule(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.randn(600, 3)
    frame = pd.DataFrame(X, columns=list("abc")).assign(y=X @ [1.0, -2.0, 0.5] + 1.0)
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    est = GDRegressor(optimizer="adam", learning_rate=0.1, tol=1e-4)
    history = fit_csv(est, path, target="y", chunksize=200, n_passes=400)
    measures = history["optimality"].to_numpy()
    assert measures[-1] <= 1e-4 < measures[:-1].min()
    assert len(history) < 400
    # the measure is over the whole file: the same as in memory
    obj = objective(est, frame[list("abc")], frame["y"])
    _, grad = obj.value_and_gradient(obj.params_of(est))
    theta = obj.params_of(est)
    assert optimality(grad, theta, est._gradient_scale) == pytest.approx(measures[-1], rel=1e-6)
    assert history["loss"].iloc[-1] == pytest.approx(obj.value(theta), rel=1e-9)
    # and running out of passes first is a warning, as in fit
    with pytest.warns(ConvergenceWarning, match="fit_csv: Maximum number of passes over the file"):
        fit_csv(
            GDRegressor(optimizer="adam", learning_rate=1e-3),
            path,
            target="y",
            chunksize=200,
            n_passes=2,
        )


# ---------------------------------------------------------------- growth and compare
def test_growth_intervals_warn_on_a_fit_not_at_its_optimum():
    t, counts = _flu()
    with pytest.warns(ConvergenceWarning):
        est = ExponentialGrowthRegressor(optimizer="sgd", learning_rate=1e-3, max_iter=5).fit(
            t, counts
        )
    with pytest.warns(ConvergenceWarning, match="not valid"):
        est.confidence_interval()
    # at the default settings: no warning, certified
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ExponentialGrowthRegressor().fit(t, counts).confidence_interval()


def test_compare_solvers_reports_relative_gap_and_keeps_setup_apart():
    _, X, y, *_ = _diabetes()
    est = GDRegressor(optimizer="adam", learning_rate=0.5, max_iter=50, tol=None)
    table = compare_solvers(est, X, y)
    best = table["objective"].min()
    np.testing.assert_allclose(table["relative_gap"], table["objective_gap"] / best)
    assert (table["setup_seconds"] >= 0).all()
    fitted = est.fit(X, y)
    assert table["seconds"][0] < table["seconds"][0] + table["setup_seconds"][0]
    assert table["n_iter"][0] == fitted.n_iter_ == 50
