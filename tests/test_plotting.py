"""skgd.plotting: each Display is rendered with Agg and checked for what it drew."""

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skgd import (  # noqa: E402
    ExponentialGrowthRegressor,
    GDClassifier,
    GDRegressor,
    landscapes,
    minimize,
    objective,
)
from skgd.plotting import LandscapeDisplay, LearningRateDisplay, LossCurveDisplay  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def line_data():
    """y = 2 + 3 x + noise, x not centred: intercept and slope are correlated."""
    rng = np.random.RandomState(0)
    x = rng.uniform(0, 4, size=(60, 1))
    return x, 2.0 + 3.0 * x[:, 0] + rng.normal(scale=0.5, size=60)


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


# ------------------------------------------------------------------ LossCurveDisplay
def test_loss_curves_of_several_estimators(line_data):
    X, y = line_data
    fits = {
        name: GDRegressor(optimizer=name, learning_rate=0.05, max_iter=30, tol=None).fit(X, y)
        for name in ["sgd", "momentum", "adam"]
    }
    display = LossCurveDisplay.from_estimators(fits)
    ax = display.ax_
    assert len(display.lines_) == 3
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "objective J"
    assert legend_texts(ax) == ["sgd", "momentum", "adam"]
    assert display.figure_ is ax.figure
    for line, est in zip(display.lines_, fits.values()):
        np.testing.assert_allclose(line.get_ydata(), est.loss_curve_)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 31))


def test_loss_curve_of_a_pipeline_with_default_label_and_reference(line_data):
    X, y = line_data
    pipe = make_pipeline(StandardScaler(), GDRegressor(optimizer="sgd", batch_size=8))
    pipe.fit(X, y)
    best = min(pipe[-1].loss_curve_) - 1e-3
    fig, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(pipe, reference=best, ax=ax)
    assert display.ax_ is ax
    assert legend_texts(ax) == ["sgd, lr=0.1, batch=8"]
    assert "J - J*" in ax.get_ylabel()
    assert np.nanmin(display.lines_[0].get_ydata()) == pytest.approx(1e-3)


def test_loss_curve_display_draws_into_given_axes_and_checks_labels():
    fig, (a, b) = plt.subplots(1, 2)
    display = LossCurveDisplay(loss_curves=[[3.0, 2.0, 1.0]], labels=None).plot(ax=b)
    assert display.ax_ is b and len(b.lines) == 1 and not a.lines
    assert b.get_legend() is None
    with pytest.raises(ValueError, match="2 labels for 1"):
        LossCurveDisplay(loss_curves=[[1.0]], labels=["a", "b"]).plot()


def test_loss_curve_needs_fitted_estimators():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(GDRegressor())


# ------------------------------------------------------------------ LearningRateDisplay
def test_learning_rate_display_marks_divergence(line_data):
    X, y = line_data
    display = LearningRateDisplay.from_estimator(
        GDRegressor(optimizer="sgd", max_iter=300),
        X,
        y,
        learning_rates=[1e-3, 0.3, 0.5, 1.0],
    )
    # 0.5 is past plain GD's stability limit 2 / lambda_max (about 0.35 here):
    # J grows a millionfold by epoch 11 (the old stall rule called that converged)
    assert display.diverged_at[:2] == [None, None]
    assert display.diverged_at[3] >= 1 and display.diverged_at[2] > display.diverged_at[3]
    assert len(display.lines_) == 4 and len(display.divergence_markers_) == 2
    ax = display.ax_
    assert ax.get_yscale() == "log"
    texts = legend_texts(ax)
    assert texts[0] == "η = 0.001: still decreasing after 300 epochs"
    assert texts[1].startswith("η = 0.3: converged in")
    assert texts[2] == f"η = 0.5: diverged in epoch {display.diverged_at[2]}"
    assert texts[3] == f"η = 1: diverged in epoch {display.diverged_at[3]}"
    # the diverged run is drawn up to the epoch before it diverged
    assert len(display.lines_[3].get_xdata()) == display.diverged_at[3]
    assert ax.get_legend().get_title().get_text() == "X: training diverged"
    # every curve starts at J of the common starting point, at epoch 0
    start = objective(GDRegressor(), X, y)
    starts = [line.get_ydata()[0] for line in display.lines_]
    assert starts == pytest.approx([start.value(start.x0)] * 4)
    assert all(line.get_xdata()[0] == 0 for line in display.lines_)


# ------------------------------------------------------------------ LandscapeDisplay
def test_landscape_from_function_with_minimize_paths():
    surface = landscapes.rosenbrock()
    results = {
        name: minimize(surface, optimizer=name, learning_rate=1e-3, max_iter=200)
        for name in ["sgd", "momentum"]
    }
    display = LandscapeDisplay.from_function(surface, paths=results, grid_resolution=50)
    ax = display.ax_
    assert display.contour_ is not None and display.contour_.filled
    assert list(display.lines_) == ["sgd", "momentum"]
    np.testing.assert_allclose(display.lines_["sgd"].get_xydata(), results["sgd"].path)
    assert legend_texts(ax) == ["sgd", "momentum", "start", "minimum"]
    assert ax.get_title().startswith("rosenbrock")
    assert display.colorbar_ is not None
    assert display.contour_.norm.__class__.__name__ == "LogNorm"
    assert (ax.get_xlim(), ax.get_ylim()) == (surface.bounds[0], surface.bounds[1])


def test_landscape_from_callable_without_paths_needs_bounds():
    def bowl(theta):
        return float(theta[0] ** 2 + 4 * theta[1] ** 2)

    with pytest.raises(ValueError, match="bounds"):
        LandscapeDisplay.from_function(bowl)
    display = LandscapeDisplay.from_function(
        bowl, bounds=((-1, 1), (-2, 2)), grid_resolution=11, filled=False, colorbar=False
    )
    assert not display.contour_.filled and display.colorbar_ is None
    assert display.zz.shape == (11, 11) and display.zz[5, 5] == 0.0
    assert display.lines_ == {} and display.ax_.get_legend() is None


def test_landscape_widens_the_frame_to_show_the_whole_path():
    path = np.array([[0.0, 0.0], [5.0, -3.0]])
    display = LandscapeDisplay.from_function(
        landscapes.quadratic(), bounds=((-1, 1), (-1, 1)), paths={"p": path}, grid_resolution=5
    )
    assert display.ax_.get_xlim() == (-1.0, 5.0) and display.ax_.get_ylim() == (-3.0, 1.0)


def test_landscape_of_a_regression_with_recorded_paths(line_data):
    X, y = line_data
    sgd = GDRegressor(optimizer="sgd", learning_rate=0.1, record_path=True).fit(X, y)
    adam = GDRegressor(optimizer="adam", learning_rate=0.5, record_path=True).fit(X, y)
    display = LandscapeDisplay.from_estimator(
        sgd, X, y, paths={"sgd": sgd, "adam": adam}, grid_resolution=15
    )
    ax = display.ax_
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("intercept", "coef[0]")
    assert legend_texts(ax) == ["sgd", "adam", "start", "fitted"]
    # the path is (intercept, slope) per epoch, ending at the fitted model
    xy = display.lines_["sgd"].get_xydata()
    assert xy.shape == (sgd.n_iter_ + 1, 2)
    np.testing.assert_allclose(xy[-1], [sgd.intercept_, sgd.coef_[0]])
    np.testing.assert_allclose(display.minima, [sgd.intercept_, sgd.coef_[0]])
    # the colours are J on the grid: check one grid point against skgd.objective
    obj = objective(sgd, X, y)
    r, c = 3, 7
    theta = np.array([display.yy[r, c], display.xx[r, c]])  # (coef, intercept)
    assert display.zz[r, c] == pytest.approx(obj.value(theta))


def test_landscape_of_a_growth_fit_labels_its_parameters():
    t = np.arange(8.0).reshape(-1, 1)
    cases = np.array([3, 5, 9, 14, 25, 40, 70, 110])
    model = ExponentialGrowthRegressor(record_path=True).fit(t, cases)
    display = LandscapeDisplay.from_estimator(model, t, cases, grid_resolution=12)
    ax = display.ax_
    assert ax.get_xlabel().startswith("log I0") and ax.get_ylabel().startswith("growth rate r")
    assert len(display.lines_) == 1  # the recorded path, drawn by default
    np.testing.assert_allclose(
        next(iter(display.lines_.values())).get_xydata()[-1],
        [model.intercept_, model.growth_rate_],
    )


def test_landscape_parameter_names_for_a_multiclass_model():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = GDClassifier(max_iter=20, tol=None).fit(X, y)
    display = LandscapeDisplay.from_estimator(
        model, X, y, params=("coef[0, 2]", "coef[1, 2]"), grid_resolution=6, paths=None
    )
    assert (display.ax_.get_xlabel(), display.ax_.get_ylabel()) == ("coef[0, 2]", "coef[1, 2]")
    np.testing.assert_allclose(display.minima, model.coef_[[0, 1], 2], rtol=1e-6)
    with pytest.raises(ValueError, match="Unknown parameter 'beta'"):
        LandscapeDisplay.from_estimator(model, X, y, params=("beta", 0))


# ------------------------------------------------------------------ record_path
def test_record_path_is_off_by_default_and_continues_with_warm_start(line_data):
    X, y = line_data
    assert not hasattr(GDRegressor(optimizer="adam", max_iter=5, tol=None).fit(X, y), "path_")
    model = GDRegressor(
        optimizer="adam", max_iter=5, tol=None, record_path=True, warm_start=True
    ).fit(X, y)
    assert model.path_.shape == (6, 2)
    model.fit(X, y)
    assert model.path_.shape == (11, 2) and model.n_iter_ == 10
    np.testing.assert_allclose(model.path_[-1], [model.coef_[0], model.intercept_])
    with pytest.raises(ValueError, match="record_path"):
        GDRegressor(optimizer="adam", record_path="yes").fit(X, y)


def test_record_path_with_lbfgs(line_data):
    X, y = line_data
    model = GDRegressor(optimizer="lbfgs", record_path=True).fit(X, y)
    assert model.path_.shape == (model.n_iter_ + 1, 2)


def test_landscape_from_minimize_results_uses_the_simulators_colours():
    from skgd.simulator import OPTIMIZER_COLORS

    bowl = landscapes.quadratic(condition=5)
    results = {
        "sgd": minimize(bowl, optimizer="sgd", learning_rate=1.0, tol=1e-2),
        "momentum": minimize(bowl, optimizer="momentum", learning_rate=0.1, tol=1e-2),
        "adagrad": minimize(bowl, optimizer="adagrad", learning_rate=0.1, tol=1e-2, max_iter=50),
        "my adam": minimize(bowl, optimizer="adam", learning_rate=0.1, tol=1e-2),
    }
    display = LandscapeDisplay.from_minimize_results(bowl, results, grid_resolution=30)
    sgd_end = results["sgd"].nit + 1
    assert list(display.lines_) == [
        f"sgd: diverged at step {sgd_end}",
        "momentum: 44 steps",
        "adagrad: 50 steps, not converged",
        "my adam: 79 steps",
    ]
    lines = list(display.lines_.values())
    for line, name in zip(lines, ["sgd", "momentum", "adagrad"]):
        assert line.get_color() == OPTIMIZER_COLORS[name]
    assert lines[3].get_color() not in OPTIMIZER_COLORS.values()
    np.testing.assert_array_equal(lines[1].get_xydata(), results["momentum"].path)
