"""Streaming: chunked partial_fit is exactly one long fit, and fit_csv / score_csv."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from skgd import ExponentialGrowthRegressor, GDClassifier, GDRegressor, fit_csv, score_csv
from skgd.optimizers import SGD, AdaGrad, Adam
from skgd.schedules import ExponentialDecay

N, D, BATCH = 240, 4, 16
# Chunk lengths, all multiples of BATCH, so the batches are those of one fit epoch.
CHUNKS = [48, 96, 16, 80]


def _data(kind, dtype=np.float64, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(N, D).astype(dtype)
    eta = X.astype(np.float64) @ rng.randn(D)
    if kind == "regression":
        return X, eta + 0.3 * rng.randn(N) + 2.0
    if kind == "binary":
        return X, (eta + 0.5 * rng.randn(N) > 0).astype(int)
    if kind == "multiclass":
        return X, np.digitize(eta + 0.5 * rng.randn(N), [-0.7, 0.7])
    return X, rng.poisson(np.exp(0.3 * eta + 1.0)).astype(np.float64)  # counts


ESTIMATORS = {
    "regression": GDRegressor(),
    "binary": GDClassifier(),
    "multiclass": GDClassifier(),
    "counts": ExponentialGrowthRegressor(),
}
OPTIMIZERS = [Adam(), SGD(momentum=0.9), AdaGrad()]


def _configured(kind, optimizer, **params):
    settings = dict(
        optimizer=optimizer,
        learning_rate=0.02,
        batch_size=BATCH,
        shuffle=False,
        tol=None,
        schedule="constant",
    )
    return clone(ESTIMATORS[kind]).set_params(**{**settings, **params})


def _stream(est, X, y, n_passes=1):
    classes = np.unique(y) if isinstance(est, GDClassifier) else None
    for _ in range(n_passes):
        start = 0
        for size in CHUNKS:
            rows = slice(start, start + size)
            if classes is not None:
                est.partial_fit(X[rows], y[rows], classes=classes)
            else:
                est.partial_fit(X[rows], y[rows])
            start += size
    assert start == N
    return est


def _assert_same_model(a, b, atol=1e-10):
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=0, atol=atol)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=0, atol=atol)
    assert a.t_ == b.t_
    np.testing.assert_allclose(
        a.optimizer_state_.slots, b.optimizer_state_.slots, rtol=0, atol=atol
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("kind", ["regression", "binary", "multiclass"])
def test_chunks_of_one_pass_equal_one_fit_epoch(kind, optimizer, dtype):
    # Without an intercept both start at zero, so the whole run is comparable
    # from the first update. float32 too: the exact float64 parameters are
    # kept between calls, so rounding coef_ to float32 does not leak in.
    X, y = _data(kind, dtype)
    fitted = _configured(kind, optimizer, fit_intercept=False, max_iter=1).fit(X, y)
    streamed = _stream(_configured(kind, optimizer, fit_intercept=False), X, y)
    _assert_same_model(fitted, streamed)
    assert fitted.t_ == N // BATCH
    assert streamed.n_iter_ == len(CHUNKS)  # one schedule epoch per partial_fit call
    assert streamed.coef_.dtype == dtype


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("kind", ["regression", "binary", "multiclass", "counts"])
def test_passes_of_chunks_continue_a_fit_exactly(kind, optimizer):
    # With an intercept, fit starts it at the best constant of all rows and a
    # first partial_fit at that of its chunk. From a common first epoch, two
    # passes of chunks must then equal two more epochs of the same long fit:
    # moments, update count and parameters carried exactly between calls.
    X, y = _data(kind)
    # a rate at which J falls: a fit whose J ends above its start returns its
    # lowest-J epoch instead of the last, which chunk passes do not do
    rate = {"learning_rate": 0.005} if kind == "counts" else {}
    long_fit = _configured(kind, optimizer, max_iter=3, **rate).fit(X, y)
    first = _configured(kind, optimizer, max_iter=1, **rate).fit(X, y)
    streamed = _stream(first, X, y, n_passes=2)
    _assert_same_model(long_fit, streamed)
    assert streamed.n_iter_ == 1 + 2 * len(CHUNKS)
    assert len(streamed.history_) == streamed.n_iter_ + 1  # and the start


def test_warm_start_fit_equals_passes_of_chunks():
    X, y = _data("regression")
    warm = _configured("regression", Adam(), max_iter=1, warm_start=True)
    warm.fit(X, y).fit(X, y)
    streamed = _stream(_configured("regression", Adam(), max_iter=1).fit(X, y), X, y)
    _assert_same_model(warm, streamed)


def test_each_partial_fit_call_is_one_schedule_epoch():
    X, y = _data("regression")
    est = _configured("regression", Adam(), schedule=ExponentialDecay(decay_rate=0.5))
    _stream(est, X, y)
    expected = 0.02 * 0.5 ** np.arange(len(CHUNKS))
    trained = est.history_.iloc[1:]  # row 0: the start of the first call
    np.testing.assert_allclose(trained["learning_rate"], expected)
    assert est.history_["epoch"].tolist() == [0, 1, 2, 3, 4]


def test_float32_partial_fit_continues_from_float64_parameters():
    X, y = _data("regression", np.float32)
    est = _configured("regression", Adam()).partial_fit(X, y)
    exact = est._params64[0].copy()
    assert not np.array_equal(exact[:-1], est.coef_.astype(np.float64))  # coef_ is rounded
    # A coef_ set by hand is respected rather than silently replaced.
    est.coef_ = np.zeros(D, dtype=np.float32)
    assert np.array_equal(est._continue_params()[:-1], np.zeros(D))


# ---------------------------------------------------------------- fit_csv / score_csv
@pytest.fixture(scope="module")
def regression_csv(tmp_path_factory):
    rng = np.random.RandomState(1)
    X = rng.randn(3000, 5)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(5)])
    frame["y"] = X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + 5.0 + 0.5 * rng.randn(3000)
    frame["w"] = rng.uniform(0.5, 2.0, 3000)
    path = tmp_path_factory.mktemp("csv") / "regression.csv"
    frame.to_csv(path, index=False)
    return path, frame


@pytest.fixture(scope="module")
def classification_csv(tmp_path_factory):
    rng = np.random.RandomState(2)
    X = rng.randn(3000, 4)
    eta = X @ np.array([2.0, -1.0, 0.5, 1.5])
    labels = np.array(["bird", "cat", "dog"])[np.digitize(eta + 0.3 * rng.randn(3000), [-1, 1])]
    frame = pd.DataFrame(X, columns=list("abcd")).assign(label=labels)
    path = tmp_path_factory.mktemp("csv") / "classes.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_fit_csv_matches_the_manual_chunk_loop(regression_csv):
    path, frame = regression_csv
    est = GDRegressor(optimizer="adam", batch_size=50, learning_rate=0.05, shuffle=False)
    history = fit_csv(clone(est), path, target="y", sample_weight="w", chunksize=500)
    manual = clone(est)
    X, y, w = frame.drop(columns=["y", "w"]), frame["y"], frame["w"].to_numpy()
    for start in range(0, 3000, 500):
        rows = slice(start, start + 500)
        manual.partial_fit(X.iloc[rows], y.iloc[rows], sample_weight=w[rows])
    helper = clone(est)
    fit_csv(helper, path, target="y", sample_weight="w", chunksize=500)
    _assert_same_model(helper, manual)
    assert history.columns.tolist() == [
        "pass", "rows", "epochs", "loss", "optimality", "validation_score", "seconds"
    ]  # fmt: skip
    assert history["rows"].tolist() == [3000] and history["epochs"].tolist() == [6]
    assert np.isnan(history["validation_score"].iloc[0])


def test_fit_csv_several_passes_reach_the_in_memory_score(regression_csv, tmp_path):
    path, frame = regression_csv
    X, y = frame.drop(columns=["y", "w"]), frame["y"]
    in_memory = GDRegressor(optimizer="adam").fit(X, y).score(X, y)
    est = GDRegressor(optimizer="adam", batch_size=32, learning_rate=0.02, random_state=0)
    history = fit_csv(est, path, target="y", features=list(X.columns), chunksize=400,
                      n_passes=4, validation=0.25)  # fmt: skip
    assert history["pass"].tolist() == [1, 2, 3, 4]
    assert est.n_iter_ == 4 * 8 and len(est.history_) == est.n_iter_ + 1
    # the held-out quarter: about 750 rows, the same ones every pass
    assert history["rows"].nunique() == 1 and 2100 < history["rows"].iloc[0] < 2400
    assert history["validation_score"].iloc[-1] == pytest.approx(in_memory, abs=0.01)
    assert est.feature_names_in_.tolist() == list(X.columns)


def test_fit_csv_patience_stops_on_the_validation_score(regression_csv):
    path, _ = regression_csv
    est = GDRegressor(optimizer="adam", batch_size=32, learning_rate=0.02, random_state=0)
    history = fit_csv(est, path, target="y", sample_weight="w", chunksize=1000, n_passes=50,
                      validation=0.2, patience=2, tol=1e-3)  # fmt: skip
    assert 3 <= len(history) < 50


def test_fit_csv_classifier_finds_the_labels_and_scores_on_a_second_file(
    classification_csv, tmp_path
):
    path, frame = classification_csv
    train, valid = frame.iloc[:2400], frame.iloc[2400:]
    train_path, valid_path = tmp_path / "train.csv", tmp_path / "valid.csv"
    train.to_csv(train_path, index=False)
    valid.to_csv(valid_path, index=False)
    est = GDClassifier(optimizer="adam", batch_size=32, learning_rate=0.05, random_state=0)
    history = fit_csv(est, train_path, target="label", chunksize=300, n_passes=3,
                      validation=valid_path)  # fmt: skip
    assert est.classes_.tolist() == ["bird", "cat", "dog"]
    features = list("abcd")
    expected = est.score(valid[features], valid["label"])
    assert history["validation_score"].iloc[-1] == pytest.approx(expected, abs=1e-12)
    in_memory = GDClassifier(optimizer="adam").fit(train[features], train["label"])
    assert expected >= in_memory.score(valid[features], valid["label"]) - 0.03


def test_score_csv_is_the_exact_whole_file_score(regression_csv, classification_csv):
    path, frame = regression_csv
    X, y, w = frame.drop(columns=["y", "w"]), frame["y"], frame["w"]
    reg = GDRegressor(max_iter=20, tol=None).fit(X, y)
    got = score_csv(reg, path, target="y", sample_weight="w", chunksize=7)
    assert got == pytest.approx(reg.score(X, y, sample_weight=w), abs=1e-12)
    path, frame = classification_csv
    clf = GDClassifier(max_iter=20, tol=None).fit(frame[list("abcd")], frame["label"])
    got = score_csv(clf, path, target="label", chunksize=1000)
    assert got == pytest.approx(clf.score(frame[list("abcd")], frame["label"]), abs=1e-12)


def test_fit_csv_float32_reads_keep_float32(regression_csv):
    path, _ = regression_csv
    est = GDRegressor(optimizer="adam", batch_size=100)
    fit_csv(est, path, target="y", chunksize=1000, read_csv_kwargs={"dtype": np.float32})
    assert est.coef_.dtype == np.float32


def test_fit_csv_never_holds_more_than_one_chunk(regression_csv):
    path, _ = regression_csv
    sizes = []

    class Spy(GDRegressor):
        def partial_fit(self, X, y, sample_weight=None):
            sizes.append(X.shape[0])
            return super().partial_fit(X, y, sample_weight=sample_weight)

    fit_csv(Spy(optimizer="adam", batch_size=64), path, target="y", chunksize=256)
    assert max(sizes) == 256 and sum(sizes) == 3000


def test_fit_csv_errors(regression_csv):
    path, _ = regression_csv
    from sklearn.linear_model import LinearRegression

    with pytest.raises(TypeError, match="no partial_fit"):
        fit_csv(LinearRegression(), path, target="y")
    with pytest.raises(ValueError, match="target column 'nope'"):
        fit_csv(GDRegressor(), path, target="nope")
    with pytest.raises(ValueError, match="patience needs validation"):
        fit_csv(GDRegressor(), path, target="y", patience=2)
    with pytest.raises(ValueError, match="in \\(0, 1\\)"):
        fit_csv(GDRegressor(), path, target="y", validation=1.5)
    with pytest.raises(ValueError, match="chunksize must be an integer"):
        fit_csv(GDRegressor(), path, target="y", chunksize=0)
