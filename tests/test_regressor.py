"""GDRegressor: agreement with OLS, the scikit-learn API, and the training semantics."""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skgd import DivergenceError, GDRegressor
from skgd.optimizers import SGD, Adam


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


# Learning rate and schedule per optimizer and batch size, chosen once by hand
# on standardized diabetes. Batch size 1 needs a decaying schedule: at a fixed
# rate the gradient noise keeps J from improving by tol and training stops early.
SETTINGS = {
    "sgd": {1: (0.01, "step"), 32: (0.05, "constant"), "full": (0.3, "constant")},
    "momentum": {1: (0.001, "step"), 32: (0.01, "constant"), "full": (0.1, "constant")},
    "nesterov": {1: (0.001, "step"), 32: (0.01, "constant"), "full": (0.1, "constant")},
    "adagrad": {1: (1.0, "invscaling"), 32: (3.0, "constant"), "full": (10.0, "constant")},
    "rmsprop": {1: (0.01, "invscaling"), 32: (0.1, "constant"), "full": (0.3, "constant")},
    "adam": {1: (0.05, "invscaling"), 32: (0.3, "constant"), "full": (1.0, "constant")},
    "adamw": {1: (0.05, "invscaling"), 32: (0.3, "constant"), "full": (1.0, "constant")},
    "nadam": {1: (0.05, "invscaling"), 32: (0.3, "constant"), "full": (1.0, "constant")},
    "lbfgs": {1: (1.0, "constant"), 32: (1.0, "constant"), "full": (1.0, "constant")},
}


@pytest.mark.parametrize("optimizer", sorted(SETTINGS))
@pytest.mark.parametrize("batch_size", [1, 32, "full"])
def test_every_optimizer_reaches_ols_r2(diabetes, optimizer, batch_size):
    X, y = diabetes
    best = LinearRegression().fit(X, y).score(X, y)
    lr, schedule = SETTINGS[optimizer][batch_size]
    model = GDRegressor(
        optimizer=optimizer,
        batch_size=batch_size,
        learning_rate=lr,
        schedule=schedule,
        max_iter=300,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert (best - model.score(X, y)) / best < 0.01


@pytest.mark.parametrize(
    "optimizer, learning_rate, max_iter",
    [("lbfgs", 1.0, 200), ("nesterov", 0.2, 3000), (SGD(momentum=0.9), 0.2, 3000)],
)
def test_coef_matches_ols(diabetes, optimizer, learning_rate, max_iter):
    # Converging setting: full batch, no penalty, tol=None (run every epoch).
    X, y = diabetes
    ref = LinearRegression().fit(X, y)
    model = GDRegressor(
        optimizer=optimizer,
        learning_rate=learning_rate,
        batch_size="full",
        max_iter=max_iter,
        tol=None,
        penalty=None,
    ).fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-4)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, rtol=1e-4)


def test_l2_penalty_matches_ridge(diabetes):
    # J = mean(loss) + alpha/2 ||w||^2  <=>  Ridge(alpha = alpha * n_samples)
    X, y = diabetes
    alpha = 0.05
    ref = Ridge(alpha=alpha * X.shape[0]).fit(X, y)
    model = GDRegressor(optimizer="lbfgs", penalty="l2", alpha=alpha, tol=1e-8).fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-5)


def test_grid_search_over_optimizer_objects_and_nested_names(diabetes):
    X, y = diabetes
    pipe = Pipeline([("scale", StandardScaler()), ("gd", GDRegressor(max_iter=200))])
    grid = GridSearchCV(
        pipe,
        {
            "gd__optimizer": [Adam()],
            "gd__optimizer__beta1": [0.5, 0.9],
            "gd__learning_rate": [0.1, 0.3],
        },
        cv=3,
        n_jobs=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_estimator_[-1].optimizer.beta1 in (0.5, 0.9)
    assert grid.best_score_ > 0.4
    # clone keeps the nested object's parameters without sharing it
    est = GDRegressor(optimizer=Adam(beta1=0.7))
    copy = clone(est)
    assert copy.optimizer is not est.optimizer and copy.optimizer.beta1 == 0.7


def test_grid_with_diverging_rate_ranks_it_last(diabetes):
    X, y = diabetes
    grid = GridSearchCV(
        GDRegressor(optimizer="sgd", max_iter=50, tol=None),
        {"learning_rate": [0.01, 0.1, 50.0]},
        cv=3,
    )
    with pytest.warns(Warning, match=r"epoch \d+ with learning_rate=50"):
        grid.fit(X, y)
    ranks = grid.cv_results_["rank_test_score"]
    assert ranks[2] == ranks.max() and ranks[2] > ranks[:2].max()
    assert grid.best_params_["learning_rate"] != 50.0


def test_divergence_is_an_error_and_keeps_previous_fit(diabetes):
    X, y = diabetes
    model = GDRegressor(optimizer="sgd", learning_rate=0.1, max_iter=20, tol=None)
    model.fit(X, y)
    coef = model.coef_.copy()
    model.set_params(warm_start=True, learning_rate=100.0)
    with pytest.raises(DivergenceError, match=r"epoch \d+ with learning_rate=100") as info:
        model.fit(X, y)
    assert info.value.learning_rate == 100.0 and info.value.epoch > 20
    np.testing.assert_array_equal(model.coef_, coef)
    assert np.all(np.isfinite(model.coef_))


@pytest.mark.parametrize("momentum", [0.0, 0.5])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_batch_one_sgd_takes_the_textbook_step_per_row(momentum, fit_intercept):
    # Plain SGD on one dense row has a fused compiled path, momentum the
    # general one: both must be w <- w - lr (x_i r_i + alpha w), row by row,
    # with zero-weight rows skipped.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3)) * [1.0, 5.0, 0.2]
    y = X @ [1.0, -2.0, 0.5] + 3.0 + rng.normal(size=40)
    w = np.where(np.arange(40) % 7 == 0, 0.0, 1.0)
    lr, alpha = 0.01, 0.05
    est = GDRegressor(
        optimizer=SGD(momentum=momentum), batch_size=1, learning_rate=lr, penalty="l2", alpha=alpha,
        max_iter=3, tol=None, shuffle=False, fit_intercept=fit_intercept,
    ).fit(X, y, sample_weight=w)
    # the intercept starts at the weighted mean of y (the best constant)
    coef, b, velocity = np.zeros(3), np.average(y, weights=w) if fit_intercept else 0.0, np.zeros(4)
    for _ in range(3):
        for i in np.flatnonzero(w):
            r = X[i] @ coef + b - y[i]
            grad = np.append(X[i] * r + alpha * coef, r if fit_intercept else 0.0)
            velocity = momentum * velocity + grad
            coef = coef - lr * velocity[:3]
            b = b - lr * velocity[3]
    np.testing.assert_allclose(est.coef_, coef, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(est.intercept_, b, rtol=1e-12, atol=1e-14)


def test_coefficients_beyond_float32_are_an_error_not_inf():
    # Found by the long property test: training runs in float64, and coef_
    # takes X's dtype; 1.7e131 has no float32 value.
    X = np.array([[0.13], [0.13]], dtype=np.float32)
    y = np.array([-1.32104863e149, 6.40422650e149])
    est = GDRegressor(optimizer="momentum", max_iter=1, tol=None, random_state=0)
    with pytest.raises(ValueError, match="beyond the range of float32, the dtype of X"):
        est.fit(X, y)
    assert not hasattr(est, "coef_")
    assert np.isfinite(est.fit(X.astype(np.float64), y).coef_).all()


def test_sample_weight_is_repetition_for_every_batch_size():
    X, y = make_regression(n_samples=60, n_features=4, noise=1.0, random_state=0)
    w = np.random.RandomState(0).randint(0, 4, size=60)
    kw = dict(optimizer="lbfgs")
    a = GDRegressor(**kw).fit(X, y, sample_weight=w)
    b = GDRegressor(**kw).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6)
    # J itself is the same function: compare the first epoch of full-batch GD
    a = GDRegressor(optimizer="sgd", max_iter=3, tol=None).fit(X, y, sample_weight=w)
    b = GDRegressor(optimizer="sgd", max_iter=3, tol=None).fit(
        np.repeat(X, w, axis=0), np.repeat(y, w)
    )
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-10)


def test_float32_stays_float32_and_sparse_equals_dense(diabetes):
    X, y = diabetes
    kw = dict(optimizer="adam", batch_size=16, max_iter=5, tol=None, random_state=0)
    m32 = GDRegressor(**kw).fit(X.astype(np.float32), y)
    assert m32.coef_.dtype == np.float32
    assert m32.predict(X.astype(np.float32)).dtype == np.float32
    dense = GDRegressor(**kw).fit(X, y)
    sparse = GDRegressor(**kw).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-10)
    np.testing.assert_allclose(sparse.predict(sp.csr_matrix(X)), dense.predict(X), rtol=1e-10)


def test_pandas_input_feature_names_and_history():
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    before = frame.copy()
    model = GDRegressor(optimizer="adam", max_iter=30, tol=None).fit(frame, pd.Series(y))
    pd.testing.assert_frame_equal(frame, before)
    assert list(model.feature_names_in_) == ["a", "b", "c"]
    assert list(model.history_.columns) == [
        "epoch",
        "loss",
        "optimality",
        "learning_rate",
        "validation_score",
        "seconds",
    ]
    # the start (epoch 0) and one row per epoch; loss_curve_ is J after each epoch
    assert len(model.history_) - 1 == model.n_iter_ == len(model.loss_curve_) == 30
    assert model.history_["epoch"].tolist() == list(range(0, 31))
    assert model.history_["loss"].tolist()[1:] == model.loss_curve_


def test_same_random_state_same_model_and_shuffle_matters(diabetes):
    X, y = diabetes
    kw = dict(optimizer="sgd", batch_size=8, learning_rate=0.01, max_iter=5, tol=None)
    a = GDRegressor(random_state=3, **kw).fit(X, y)
    b = GDRegressor(random_state=3, **kw).fit(X, y)
    c = GDRegressor(random_state=4, **kw).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert not np.array_equal(a.coef_, c.coef_)


def test_warm_start_and_partial_fit_continue_state(diabetes):
    X, y = diabetes
    kw = dict(optimizer="adam", batch_size=32, learning_rate=0.1, tol=None, shuffle=False)
    # ten epochs in one fit == five, then five more with warm_start
    one = GDRegressor(max_iter=10, **kw).fit(X, y)
    two = GDRegressor(max_iter=5, warm_start=True, **kw).fit(X, y)
    two.fit(X, y)
    np.testing.assert_allclose(two.coef_, one.coef_, rtol=1e-12)
    assert two.n_iter_ == 10 and two.t_ == one.t_ == 10 * int(np.ceil(442 / 32))
    np.testing.assert_allclose(two.loss_curve_, one.loss_curve_, rtol=1e-12)
    # partial_fit: one epoch per call, same as fit epoch by epoch
    part = GDRegressor(**kw)
    for _ in range(10):
        part.partial_fit(X, y)
    np.testing.assert_allclose(part.coef_, one.coef_, rtol=1e-12)
    assert part.n_iter_ == 10


def test_schedule_position_continues_across_partial_fit(diabetes):
    X, y = diabetes
    model = GDRegressor(optimizer="sgd", learning_rate=0.1, schedule="exponential")
    for _ in range(3):
        model.partial_fit(X, y)
    trained = model.history_.iloc[1:]  # row 0 is the start of the first call
    np.testing.assert_allclose(trained["learning_rate"], 0.1 * 0.95 ** np.arange(3))


def test_tol_none_runs_max_iter_without_warning_and_tol_warns(diabetes):
    X, y = diabetes
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GDRegressor(max_iter=7, tol=None).fit(X, y)
    assert model.n_iter_ == 7
    with pytest.warns(ConvergenceWarning, match="Maximum number of epochs"):
        GDRegressor(max_iter=7, optimizer="sgd", learning_rate=0.001).fit(X, y)


def test_stopping_rule_watches_full_objective(diabetes):
    X, y = diabetes
    model = GDRegressor(optimizer="lbfgs", penalty="l2", alpha=1.0).fit(X, y)
    j_opt = model.loss_curve_[-1]
    # plain GD decreases J monotonically here, so the rule fires only at the optimum
    gd = GDRegressor(
        optimizer="sgd",
        learning_rate=0.2,
        penalty="l2",
        alpha=1.0,
        tol=1e-9,
        n_iter_no_change=5,
        max_iter=5000,
    ).fit(X, y)
    assert gd.n_iter_ < 5000
    # the curve is J with the penalty: it ends at the penalized optimum, above the OLS J
    assert abs(gd.loss_curve_[-1] - j_opt) < 1e-6 * j_opt
    ols_j = 0.5 * np.mean((LinearRegression().fit(X, y).predict(X) - y) ** 2)
    assert j_opt > ols_j


def test_early_stopping_uses_positive_weight_rows_only(diabetes):
    X, y = diabetes
    w = np.ones(len(y))
    w[:200] = 0.0
    model = GDRegressor(optimizer="adam",
        early_stopping=True,
        validation_fraction=0.2,
        random_state=0,
        batch_size=32,
        learning_rate=0.1,
        max_iter=200,
    )
    model.fit(X, y, sample_weight=w)
    assert len(model.validation_scores_) == model.n_iter_
    assert model.validation_scores_[-1] > 0.3
    with pytest.raises(ValueError, match="leaves no rows"):
        GDRegressor(optimizer="adam", early_stopping=True).fit(X[:1], y[:1])


def test_verbose_prints_one_line_per_epoch(diabetes, capsys):
    X, y = diabetes
    GDRegressor(optimizer="adam", max_iter=3, tol=None, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4  # the start, then one line per epoch
    assert re.match(r"GDRegressor: epoch 0: loss=[\d.e+-]+, optimality=[\d.e+-]+, ", lines[0])
    assert re.match(
        r"GDRegressor: epoch 3: loss=[\d.e+-]+, optimality=[\d.e+-]+, learning_rate=0.1, "
        r"[\d.]+ s",
        lines[3],
    )


def test_pickle_round_trip_resumes_identically(diabetes):
    X, y = diabetes
    model = GDRegressor(optimizer="adam", batch_size=32, shuffle=False).partial_fit(X, y)
    copy = pickle.loads(pickle.dumps(model))
    model.partial_fit(X, y)
    copy.partial_fit(X, y)
    np.testing.assert_array_equal(model.coef_, copy.coef_)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"learning_rate": 0}, "learning_rate must be"),
        ({"learning_rate": -1.0}, "learning_rate must be"),
        ({"batch_size": 0}, "batch_size must be"),
        ({"batch_size": "half"}, "batch_size must be"),
        ({"optimizer": "adamm"}, "Did you mean 'adam'"),
        ({"schedule": "cosin"}, "Did you mean 'cosine'"),
        ({"penalty": "l3"}, "penalty must be"),
        ({"max_iter": 0}, "max_iter must be"),
        ({"loss": "hinge"}, "loss must be"),
        ({"optimizer": Adam(beta1=1.5)}, "beta1 must be"),
        ({"validation_fraction": 1.0}, "validation_fraction must be"),
    ],
)
def test_bad_hyperparameters_are_named(params, message):
    X, y = make_regression(n_samples=20, n_features=2, random_state=0)
    with pytest.raises(ValueError, match=message):
        GDRegressor(**params).fit(X, y)


def test_bad_sample_weight_and_inputs_untouched():
    X, y = make_regression(n_samples=20, n_features=2, random_state=0)
    Xc, yc = X.copy(), y.copy()
    w = np.ones(20)
    with pytest.raises(ValueError, match="non-negative"):
        GDRegressor().fit(X, y, sample_weight=-w)
    with pytest.raises(ValueError, match="shape"):
        GDRegressor().fit(X, y, sample_weight=w[:5])
    GDRegressor(max_iter=5, tol=None).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(X, Xc)
    np.testing.assert_array_equal(y, yc)
    np.testing.assert_array_equal(w, np.ones(20))


@pytest.mark.parametrize("batch_size", [1, 8, "full"])
def test_intercept_learned_on_uncentered_features(batch_size):
    # Centered features leave the intercept at its starting value (the mean
    # of y), so only uncentered ones show that the intercept's gradient is
    # right in every batch path of the kernels.
    rng = np.random.RandomState(0)
    X = rng.uniform(2.0, 6.0, size=(300, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 4.0 + 0.01 * rng.randn(300)
    ols = LinearRegression().fit(X, y)
    model = GDRegressor(
        optimizer="adam",
        batch_size=batch_size,
        learning_rate=0.05 if batch_size == "full" else 0.01,
        schedule="constant" if batch_size == "full" else "invscaling",
        max_iter=3000,
        tol=None,
        random_state=0,
    ).fit(X, y)
    tol = 1e-3 if batch_size == "full" else 0.05
    np.testing.assert_allclose(model.intercept_, ols.intercept_, atol=tol * 10)
    np.testing.assert_allclose(model.coef_, ols.coef_, atol=tol)


def test_objective_gradient_matches_finite_differences_on_uncentered_rows():
    from skgd import check_gradient, objective

    rng = np.random.RandomState(1)
    X = rng.uniform(2.0, 6.0, size=(50, 3))
    y = rng.randn(50) + 3.0
    obj = objective(GDRegressor(penalty="l2", alpha=0.1), X, y)
    theta = rng.randn(4)
    assert check_gradient(obj.value, lambda p: obj.value_and_gradient(p)[1], theta) < 1e-6
