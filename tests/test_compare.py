"""skgd.objective, compare_solvers, minimize and landscapes, and the two CLI commands.

Every estimator x loss x penalty gradient is checked against central
differences here (test_objective_gradient): this is the project's "every
gradient verified" test.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.optimize
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

import skgd
from skgd import GDRegressor, check_gradient, compare_solvers, landscapes, minimize, objective
from skgd.cli import main
from skgd.optimizers import LBFGS, SGD, Adam

try:
    from skgd import GDClassifier
except ImportError:  # being written in parallel; its cases are skipped until it imports
    GDClassifier = None
try:
    from skgd import ExponentialGrowthRegressor
except ImportError:
    ExponentialGrowthRegressor = None

needs_classifier = pytest.mark.skipif(GDClassifier is None, reason="GDClassifier not available")
needs_growth = pytest.mark.skipif(
    ExponentialGrowthRegressor is None, reason="ExponentialGrowthRegressor not available"
)

PENALTIES = [None, "l2", "l1", "elasticnet"]


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _small_data(kind, seed=0):
    """(X, y, w): small enough that a finite-difference check is instant."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(40, 3))
    w = rng.uniform(0.5, 2.0, size=40)
    if kind == "regression":
        y = X @ [1.0, -2.0, 0.5] + 0.3 + rng.normal(scale=0.5, size=40)
    elif kind == "binary":
        y = (X[:, 0] + rng.normal(size=40) > 0).astype(int)
    elif kind == "multiclass":
        y = np.digitize(X[:, 0] + 0.5 * rng.normal(size=40), [-0.5, 0.5])
    else:  # growth: counts rising with X[:, 0]
        y = rng.poisson(np.exp(1.0 + 0.5 * X[:, 0])) + 1.0
    return X, y, w


def _cases():
    """(id, estimator factory, data kind) for every estimator x loss available."""
    cases = [
        (f"regressor-{loss}", lambda loss=loss, **kw: GDRegressor(loss=loss, **kw), "regression")
        for loss in ["squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"]
    ]
    for loss in ["log_loss", "hinge", "modified_huber", "squared_hinge"]:
        for kind in ["binary", "multiclass"]:
            factory = (
                (lambda loss=loss, **kw: GDClassifier(loss=loss, **kw)) if GDClassifier else None
            )
            cases.append((f"classifier-{loss}-{kind}", factory, kind))
    for loss in ["poisson", "log_squared_error", "squared_error"]:
        factory = (
            (lambda loss=loss, **kw: ExponentialGrowthRegressor(loss=loss, **kw))
            if ExponentialGrowthRegressor
            else None
        )
        cases.append((f"growth-{loss}", factory, "growth"))
    return cases


CASES = _cases()


def _away_from_kinks(obj, rng):
    """A random point with every coefficient at least 0.1 from 0 (the L1 kink).

    Growth models get small coefficients so exp(eta) stays moderate. At a random
    point the chance that some row sits within the 1e-6 finite-difference step
    of a hinge / epsilon kink is about 1e-6 per row.
    """
    scale = 0.3
    theta = obj.x0 + scale * rng.normal(size=obj.n_params)
    coef = theta[: obj.n_features * obj.n_outputs]
    coef[np.abs(coef) < 0.1] = 0.1 * np.sign(coef[np.abs(coef) < 0.1] + 1e-12)
    return theta


# ---------------------------------------------------------------- objective
@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("case_id, factory, kind", CASES, ids=[c[0] for c in CASES])
def test_objective_gradient(case_id, factory, kind, penalty):
    # Tolerance 1e-6 on check_gradient's relative-or-absolute difference: central
    # differences with eps=1e-6 are accurate to ~1e-8 on these smooth pieces.
    if factory is None:
        pytest.skip(f"{case_id}: estimator not available")
    X, y, w = _small_data(kind)
    est = factory(penalty=penalty, alpha=0.3, l1_ratio=0.4)
    if "epsilon" in est.get_params():
        est.set_params(epsilon=0.05)
    obj = objective(est, X, y, sample_weight=w)
    rng = np.random.RandomState(1)
    for _ in range(2):
        theta = _away_from_kinks(obj, rng)
        assert check_gradient(obj.value, obj.gradient, theta) < 1e-6
        value, grad = obj.value_and_gradient(theta)
        assert value == obj.value(theta)
        np.testing.assert_array_equal(grad, obj.gradient(theta))


def test_objective_without_intercept_is_over_coefficients_only(diabetes):
    X, y = diabetes
    obj = objective(GDRegressor(fit_intercept=False, penalty="l2", alpha=1.0), X, y)
    assert obj.n_params == X.shape[1] == obj.x0.shape[0]
    # J ~ 1e4 here (y is not centred): a larger step keeps rounding error small,
    # and central differences are exact on a quadratic anyway.
    assert check_gradient(obj.value, obj.gradient, obj.x0 + 0.5, eps=1e-4) < 1e-6
    coef, intercept = obj.unpack(obj.x0)
    assert coef.shape == (X.shape[1],) and intercept == 0.0


def test_objective_does_not_touch_the_estimator(diabetes):
    X, y = diabetes
    est = GDRegressor(penalty="l2")
    X_before = X.copy()
    objective(est, X, y)
    compare_solvers(clone(est).set_params(max_iter=5, tol=None), X, y)
    assert not hasattr(est, "n_features_in_") and not hasattr(est, "coef_")
    np.testing.assert_array_equal(X, X_before)


def test_objective_matches_loss_curve(diabetes):
    # The J that fit reports in loss_curve_ is the J that objective() computes.
    X, y = diabetes
    est = GDRegressor(penalty="elasticnet", alpha=0.5, max_iter=20, tol=None).fit(X, y)
    obj = objective(est, X, y)
    assert obj.value(obj.params_of(est)) == pytest.approx(est.loss_curve_[-1], rel=1e-12)


def test_objective_rejects_other_estimators(diabetes):
    from sklearn.linear_model import Ridge

    with pytest.raises(TypeError, match="skgd estimator"):
        objective(Ridge(), *diabetes)


# ---------------------------------------------------------------- lbfgs inside fit
def _fit_cases():
    cases = [(GDRegressor, "squared_error", "regression", p) for p in PENALTIES]
    cases.append((GDRegressor, "huber", "regression", "l2"))
    if GDClassifier is not None:
        cases += [
            (GDClassifier, "log_loss", "binary", "l2"),
            (GDClassifier, "log_loss", "multiclass", "l2"),
        ]
    if ExponentialGrowthRegressor is not None:
        cases += [
            (ExponentialGrowthRegressor, loss, "growth", None)
            for loss in ["poisson", "log_squared_error"]
        ]
    return cases


@pytest.mark.parametrize(
    "cls, loss, kind, penalty",
    _fit_cases(),
    ids=[f"{c[0].__name__}-{c[1]}-{c[2]}-{c[3]}" for c in _fit_cases()],
)
def test_fit_lbfgs_equals_scipy(cls, loss, kind, penalty):
    from skgd._lbfgs import lbfgs_options

    X, y, w = _small_data(kind)
    # a tight tol: run to where scipy's own tests end, as a plain scipy call does
    est = cls(loss=loss, optimizer="lbfgs", penalty=penalty, alpha=0.05, max_iter=500, tol=1e-8)
    fitted = clone(est).fit(X, y, sample_weight=w)
    obj = objective(est, X, y, sample_weight=w)
    theta_fit = obj.params_of(fitted)
    if penalty in (None, "l2"):
        # The same solver on the same function: the same answer.
        res = scipy.optimize.minimize(
            obj.value_and_gradient,
            obj.x0,
            jac=True,
            method="L-BFGS-B",
            options=lbfgs_options(LBFGS(), 500),
        )
        np.testing.assert_allclose(theta_fit, res.x, atol=1e-6)
    # And to the tight reference run of compare_solvers, in J.
    table = compare_solvers(est, X, y, sample_weight=w)
    gap = table["objective"][0] - table["objective"][1]
    assert abs(gap) <= 1e-6 * max(1.0, abs(table["objective"][1]))
    # (ExponentialGrowthRegressor may start at its answer: 0 iterations is fine.)
    assert len(fitted.loss_curve_) == fitted.n_iter_


# ---------------------------------------------------------------- compare_solvers
COLUMNS = [
    "solver",
    "objective",
    "objective_gap",
    "relative_gap",
    "max_coef_diff",
    "n_iter",
    "seconds",
    "setup_seconds",
]


def test_compare_ols_three_rows_agree(diabetes):
    X, y = diabetes
    est = GDRegressor(penalty=None, optimizer="momentum", learning_rate=0.3, max_iter=600, tol=None)
    table = compare_solvers(est, X, y)
    assert table.columns.tolist() == COLUMNS
    assert table["solver"].tolist() == [
        "GDRegressor(optimizer=momentum)",
        "scipy L-BFGS-B",
        "closed form (OLS)",
    ]
    assert np.ptp(table["objective"]) < 1e-6
    assert table["objective_gap"].min() == 0.0 and table["objective_gap"].max() < 1e-6
    assert table["max_coef_diff"].max() < 1e-4
    assert table["n_iter"].tolist()[0] == 600 and table["n_iter"].isna().tolist() == [
        False,
        False,
        True,
    ]


def test_compare_ridge_closed_form(diabetes):
    X, y = diabetes
    alpha = 0.5
    table = compare_solvers(GDRegressor(penalty="l2", alpha=alpha, optimizer="lbfgs"), X, y)
    assert table["solver"][2] == "closed form (ridge)"
    assert np.ptp(table["objective"]) < 1e-6
    # Our J's ridge optimum is scikit-learn's Ridge with alpha * n_samples.
    from sklearn.linear_model import Ridge

    ridge = Ridge(alpha=alpha * X.shape[0]).fit(X, y)
    np.testing.assert_allclose(
        table.attrs["params"]["closed form (ridge)"],
        np.append(ridge.coef_, ridge.intercept_),
        atol=1e-8,
    )


def test_compare_weighted_closed_form_equals_repeated_rows(diabetes):
    X, y = diabetes
    X, y = X[:60], y[:60]
    w = np.arange(60) % 3
    est = GDRegressor(penalty="l2", alpha=0.1, optimizer="lbfgs")
    weighted = compare_solvers(est, X, y, sample_weight=w)
    repeated = compare_solvers(est, np.repeat(X, w, axis=0), np.repeat(y, w))
    a = weighted.attrs["params"]["closed form (ridge)"]
    b = repeated.attrs["params"]["closed form (ridge)"]
    np.testing.assert_allclose(a, b, atol=1e-8)
    assert weighted["objective"][2] == pytest.approx(repeated["objective"][2], rel=1e-10)


def test_compare_l1_has_no_closed_form(diabetes):
    table = compare_solvers(GDRegressor(penalty="l1", alpha=0.5, optimizer="lbfgs"), *diabetes)
    assert len(table) == 2 and table["objective_gap"].max() < 1e-6


@needs_growth
def test_compare_growth_log_squared_error_uses_ols_on_log_y():
    X, y, _ = _small_data("growth")
    est = ExponentialGrowthRegressor(loss="log_squared_error", optimizer="lbfgs")
    table = compare_solvers(est, X, y)
    assert table["solver"][2] == "closed form (OLS on log y)"
    assert np.ptp(table["objective"]) < 1e-8
    ols = np.linalg.lstsq(np.c_[X, np.ones(len(y))], np.log(y), rcond=None)[0]
    np.testing.assert_allclose(table.attrs["params"]["closed form (OLS on log y)"], ols, atol=1e-8)


@needs_classifier
def test_compare_classifier_has_two_rows():
    X, y, _ = _small_data("multiclass")
    est = GDClassifier(penalty="l2", alpha=0.1, optimizer="nesterov", max_iter=3000, tol=None)
    table = compare_solvers(est, X, y)
    assert table["solver"].tolist() == ["GDClassifier(optimizer=nesterov)", "scipy L-BFGS-B"]
    assert table["objective_gap"].max() < 1e-6


# ---------------------------------------------------------------- minimize
def test_minimize_result_fields_match_scipy():
    surface = landscapes.rosenbrock()
    ours = minimize(surface.value, surface.start, jac=surface.gradient, max_iter=50)
    theirs = scipy.optimize.minimize(surface.value, surface.start, jac=surface.gradient)
    for field in ["x", "fun", "jac", "nit", "nfev", "njev", "success", "status", "message"]:
        assert field in ours and field in theirs
        assert type(ours[field]) is type(theirs[field]) or field in {"fun", "status", "nit"}
    assert isinstance(ours, scipy.optimize.OptimizeResult)
    assert ours.path.shape == (ours.nit + 1, 2)
    np.testing.assert_array_equal(ours.path[0], surface.start)
    np.testing.assert_array_equal(ours.path[-1], ours.x)
    assert ours.fun == surface.value(ours.x)


def test_minimize_gradient_forms_agree():
    surface = landscapes.beale()
    kw = dict(optimizer="adam", learning_rate=0.01, max_iter=200)
    joint = minimize(surface.value_and_gradient, surface.start, jac=True, **kw)
    separate = minimize(surface.value, surface.start, jac=surface.gradient, **kw)
    numeric = minimize(surface.value, surface.start, **kw)
    np.testing.assert_array_equal(joint.x, separate.x)
    np.testing.assert_allclose(numeric.x, joint.x, atol=1e-6)
    assert joint.nfev == joint.njev == 201
    assert numeric.nfev == 201 * 5


def test_minimize_momentum_converges_on_round_bowl_in_about_50_steps():
    # Heavy ball with beta = 0.9 contracts by sqrt(0.9) ~ 0.95 per step at best,
    # so ~50 steps buy a gradient ~200 times smaller than at the start
    # (measured: 34 steps for 100 times, 44 for 200, 83 for 1000), and the
    # default tol=1e-6 needs hundreds.
    surface = landscapes.quadratic(condition=1.0)
    res = minimize(surface, optimizer=SGD(momentum=0.9), learning_rate=0.1, tol=5e-3)
    assert res.success and res.status == 0
    assert 25 <= res.nit <= 60
    assert surface.distance_to_minimum(res.x) < 3e-2
    res = minimize(surface, optimizer=SGD(momentum=0.9), learning_rate=0.1)
    assert res.success and res.nit >= 200


def test_minimize_ill_conditioned_quadratic_needs_more_steps():
    steps = {}
    for condition in [1.0, 100.0]:
        surface = landscapes.quadratic(condition=condition)
        res = minimize(
            surface, optimizer="sgd", learning_rate=1.0 / condition, tol=1e-6, max_iter=10_000
        )
        assert res.success
        steps[condition] = res.nit
    assert steps[100.0] > 50 * steps[1.0]


@pytest.mark.parametrize(
    "optimizer, learning_rate, steps",
    [("sgd", 1e-3, 13_000), (SGD(momentum=0.9), 5e-4, 3_000), (Adam(), 1e-2, 4_500)],
    ids=["sgd", "momentum", "adam"],
)
def test_minimize_reaches_rosenbrock_minimum(optimizer, learning_rate, steps):
    surface = landscapes.rosenbrock()
    res = minimize(surface, optimizer=optimizer, learning_rate=learning_rate, max_iter=steps)
    assert np.isfinite(res.fun)
    assert surface.distance_to_minimum(res.x) < 1e-2
    assert res.fun < 1e-4


def test_minimize_plain_gd_lingers_at_saddle():
    surface = landscapes.saddle()  # starts at (1, 1e-3), just off the x axis
    near = {}
    for name in ["sgd", "momentum", "adam"]:
        res = minimize(surface, optimizer=name, learning_rate=0.1, max_iter=500)
        assert res.success and surface.distance_to_minimum(res.x) < 1e-6
        near[name] = int(np.sum(np.linalg.norm(res.path - surface.saddles[0], axis=1) < 0.1))
    # Measured: sgd 27 steps within 0.1 of the saddle, momentum 2, adam 0.
    assert near["sgd"] >= 20
    assert near["sgd"] > 5 * max(near["momentum"], near["adam"], 1)


def test_minimize_divergence_is_reported_not_raised():
    surface = landscapes.quadratic(condition=10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = minimize(surface, optimizer="sgd", learning_rate=1e3, max_iter=10_000)
    assert not res.success and res.status == 2
    assert "diverged" in res.message and "learning_rate" in res.message
    assert np.all(np.isfinite(res.x)) and np.all(np.isfinite(res.path))


def test_minimize_lbfgs_records_path():
    surface = landscapes.rosenbrock()
    res = minimize(surface, optimizer="lbfgs", max_iter=200)
    ref = scipy.optimize.minimize(
        surface.value_and_gradient,
        surface.start,
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-6, "maxiter": 200},
    )
    # scipy's iterations, stopped by skgd's rule (the gradient 1e6 times
    # smaller than at the start) rather than scipy's own
    assert res.success and abs(res.nit - ref.nit) <= 5
    np.testing.assert_allclose(res.x, ref.x, atol=1e-5)
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-5)
    assert res.path.shape == (res.nit + 1, 2)


def test_minimize_on_objective_and_callback(diabetes):
    obj = objective(GDRegressor(penalty="l2", alpha=1.0), *diabetes)
    seen = []

    def callback(intermediate_result):
        seen.append(intermediate_result.fun)
        if len(seen) == 5:
            raise StopIteration

    res = minimize(obj, optimizer="nesterov", learning_rate=0.1, callback=callback)
    assert res.status == 99 and res.nit == 5 and not res.success
    assert len(seen) == 5 and seen[-1] < obj.value(obj.x0)
    # tol is relative to the gradient's size at the null model: 1e-8 for 1e-5 on coef
    res = minimize(obj, optimizer="nesterov", learning_rate=0.2, max_iter=5000, tol=1e-8)
    assert res.success
    closed = compare_solvers(GDRegressor(penalty="l2", alpha=1.0, optimizer="lbfgs"), *diabetes)
    np.testing.assert_allclose(res.x, closed.attrs["params"]["closed form (ridge)"], atol=1e-5)


def test_minimize_bad_arguments():
    surface = landscapes.saddle()
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        minimize(surface, optimizer="adm")
    with pytest.raises(ValueError, match="learning_rate"):
        minimize(surface, learning_rate=-1.0)
    with pytest.raises(ValueError, match="x0 is required"):
        minimize(lambda x: float(x @ x))


# ---------------------------------------------------------------- landscapes
@pytest.mark.parametrize("name", sorted(landscapes.LANDSCAPES))
def test_landscape_gradients_and_minima(name):
    surface = landscapes.LANDSCAPES[name]()
    rng = np.random.RandomState(0)
    (x_lo, x_hi), (y_lo, y_hi) = surface.bounds
    for _ in range(5):
        point = rng.uniform([x_lo, y_lo], [x_hi, y_hi])
        assert check_gradient(surface.value, surface.gradient, point) < 1e-6
    for point in np.vstack([surface.minima, surface.saddles]):
        np.testing.assert_allclose(surface.gradient(point), 0.0, atol=1e-8)
    grid = np.stack(np.meshgrid(np.linspace(x_lo, x_hi, 50), np.linspace(y_lo, y_hi, 40)), -1)
    assert surface.value(grid).shape == (40, 50) and surface.gradient(grid).shape == (40, 50, 2)
    assert surface.value(grid).min() >= surface.min_value - 1e-12


def test_quadratic_condition_and_rotation():
    surface = landscapes.quadratic(condition=25.0, angle=0.3)
    hess = np.array(
        [(surface.gradient(e * 1e-3) - surface.gradient(-e * 1e-3)) / 2e-3 for e in np.eye(2)]
    )
    eig = np.linalg.eigvalsh(hess)
    assert eig.max() / eig.min() == pytest.approx(25.0)
    with pytest.raises(ValueError, match="condition"):
        landscapes.quadratic(condition=0.5)


# ---------------------------------------------------------------- command line
def _one_line_error(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err


def test_cli_compare_prints_table(capsys):
    assert main(["compare", "--optimizer", "lbfgs", "--penalty", "l2", "--alpha", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "standardized" in out
    for word in ["scipy L-BFGS-B", "closed form (ridge)", "objective_gap", "max_coef_diff"]:
        assert word in out


def test_cli_compare_csv(tmp_path, capsys):
    import pandas as pd

    X, y, _ = _small_data("regression")
    path = tmp_path / "data.csv"
    pd.DataFrame(np.c_[X, y], columns=["a", "b", "c", "target"]).to_csv(path, index=False)
    argv = ["compare", str(path), "--target", "target", "--optimizer", "momentum"]
    assert main([*argv, "--learning-rate", "0.1", "--max-iter", "300"]) == 0
    assert "closed form (OLS)" in capsys.readouterr().out
    assert "'nope' is not in" in _one_line_error(capsys, ["compare", str(path), "--target", "nope"])
    _one_line_error(capsys, ["compare", str(path)])


@needs_classifier
def test_cli_compare_classifier_dataset(capsys):
    assert (
        main(
            [
                "compare",
                "--dataset",
                "wine",
                "--penalty",
                "l2",
                "--alpha",
                "0.01",
                "--optimizer",
                "lbfgs",
            ]
        )
        == 0
    )
    assert "GDClassifier(optimizer=lbfgs)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["compare", "--dataset", "iris"],
        ["compare", "--learning-rate", "-1"],
        ["compare", "--optimizer", "adm"],
        ["compare", "--batch-size", "many"],
        ["compare", "missing.csv", "--target", "y"],
        ["landscape", "rosenbrok"],
        ["landscape", "saddle", "--start", "1"],
        ["landscape", "saddle", "--optimizer", "sgd,adam", "--learning-rate", "0.1,0.2,0.3"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(capsys, argv):
    _one_line_error(capsys, argv)


def test_cli_landscape_writes_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "paths.png"
    argv = ["landscape", "saddle", "--optimizer", "sgd,momentum,adam", "--steps", "100"]
    assert main([*argv, "--start", "1,0.001", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = capsys.readouterr().out
    assert "momentum" in text and "Wrote" in text


def test_public_names():
    assert skgd.objective is objective and skgd.minimize is minimize
    assert skgd.compare_solvers is compare_solvers and skgd.landscapes is landscapes
