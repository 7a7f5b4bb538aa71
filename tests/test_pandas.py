"""pandas in and out: DataFrame/Series input, feature names, set_output, history_."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import config_context
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgd import ExponentialGrowthRegressor, GDClassifier, GDRegressor


@pytest.fixture(scope="module")
def frame():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(200, 3), columns=["age", "dose", "weight"])
    eta = X.to_numpy() @ np.array([1.0, -0.5, 0.25])
    y_reg = pd.Series(eta + 0.1 * rng.randn(200), name="response")
    y_clf = pd.Series(
        pd.Categorical(np.where(eta > 0, "sick", "well"), categories=["well", "sick"]),
        name="state",
    )
    y_count = pd.Series(rng.poisson(np.exp(0.3 * eta + 1)).astype(float), name="cases")
    return X, y_reg, y_clf, y_count


def _fitted(kind, frame, **params):
    X, y_reg, y_clf, y_count = frame
    params = {"max_iter": 50, "tol": None, **params}
    if kind == "regressor":
        return GDRegressor(**params).fit(X, y_reg)
    if kind == "classifier":
        return GDClassifier(**params).fit(X, y_clf)
    return ExponentialGrowthRegressor(learning_rate=0.01, **params).fit(X, y_count)


KINDS = ["regressor", "classifier", "growth"]


@pytest.mark.parametrize("kind", KINDS)
def test_dataframe_input_records_feature_names(frame, kind):
    X = frame[0]
    est = _fitted(kind, frame)
    assert est.feature_names_in_.tolist() == ["age", "dose", "weight"]
    assert est.n_features_in_ == 3
    pred = est.predict(X)
    # predictions are arrays, as for every scikit-learn regressor/classifier
    assert isinstance(pred, np.ndarray) and pred.shape == (200,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same names: no warning
        est.predict(X)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(X.to_numpy())
    with pytest.raises(ValueError, match="feature names"):
        est.predict(X[["weight", "age", "dose"]])


def test_dataframe_gives_the_same_model_as_its_array(frame):
    X, y = frame[0], frame[1]
    params = dict(batch_size=16, shuffle=False, max_iter=5, tol=None)
    a = GDRegressor(optimizer="adam", **params).fit(X, y)
    b = GDRegressor(optimizer="adam", **params).fit(X.to_numpy(), y.to_numpy())
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert not hasattr(b, "feature_names_in_")


def test_categorical_and_nullable_dtypes(frame):
    X, y_reg, y_clf, _ = frame
    clf = GDClassifier().fit(X, y_clf)
    assert clf.classes_.tolist() == ["sick", "well"]
    assert set(clf.predict(X)) <= {"sick", "well"}
    nullable = X.astype("Float64")
    reg = GDRegressor(max_iter=5, tol=None).fit(nullable, y_reg.astype("Float64"))
    assert reg.coef_.dtype == np.float64
    assert reg.feature_names_in_.tolist() == X.columns.tolist()


def test_float32_frame_stays_float32(frame):
    X, y = frame[0].astype(np.float32), frame[1]
    assert GDRegressor(max_iter=5, tol=None).fit(X, y).coef_.dtype == np.float32


def test_set_output_is_for_the_transformers_around_the_estimator(frame):
    # skgd's estimators are predictors, not transformers: like LinearRegression
    # or SGDClassifier they have no set_output, and predict returns arrays
    # whatever transform_output says. set_output on a pipeline configures
    # its transformers, so the estimator then receives named columns.
    X, y = frame[0], frame[1]
    assert not hasattr(GDRegressor(), "set_output")
    pipe = make_pipeline(StandardScaler(), GDRegressor(max_iter=20, tol=None))
    pipe.set_output(transform="pandas").fit(X.to_numpy(), y)
    assert pipe[-1].feature_names_in_.tolist() == ["x0", "x1", "x2"]
    pipe = make_pipeline(StandardScaler(), GDRegressor(max_iter=20, tol=None))
    with config_context(transform_output="pandas"):
        pipe.fit(X, y)
        pred = pipe.predict(X)
    assert pipe[-1].feature_names_in_.tolist() == ["age", "dose", "weight"]
    assert isinstance(pred, np.ndarray)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind", KINDS)
def test_history_is_a_dataframe_that_accumulates(frame, kind):
    X, y_reg, y_clf, y_count = frame
    est = _fitted(kind, frame, max_iter=4)
    history = est.history_
    assert isinstance(history, pd.DataFrame)
    assert history.columns.tolist() == [
        "epoch", "loss", "optimality", "learning_rate", "validation_score", "seconds"
    ]  # fmt: skip
    assert history["epoch"].tolist() == [0, 1, 2, 3, 4]  # the start, then each epoch
    assert history["epoch"].dtype == np.int64
    assert history["loss"].tolist()[1:] == est.loss_curve_
    y = {"regressor": y_reg, "classifier": y_clf, "growth": y_count}[kind]
    est.partial_fit(X, y)
    assert est.history_["epoch"].tolist() == [0, 1, 2, 3, 4, 5]
    assert est.history_.index.tolist() == [0, 1, 2, 3, 4, 5]
