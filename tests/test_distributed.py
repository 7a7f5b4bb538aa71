"""skgd on dask: dask-ml's Incremental wrapper and joblib's dask backend.

Needs the ``[distributed]`` extra (dask, distributed, dask-ml); without it the
whole module is skipped. Each test runs on a real two-process
``distributed.LocalCluster`` bound to 127.0.0.1, started here and closed when
the module ends. The module is marked slow (starting worker processes takes a
while), so CI runs it in its second step.

Tolerance: after the same number of passes, training through dask must reach
the in-memory score within ``TOL`` (R^2 for the regressor, accuracy for the
classifier). Incremental gives the blocks to ``partial_fit`` one at a time, in
a shuffled block order, so it is not bit-identical to an in-memory fit.
"""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask_ml")
distributed = pytest.importorskip("distributed")

import dask.array as da  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import joblib  # noqa: E402
from dask_ml.wrappers import Incremental  # noqa: E402
from sklearn.metrics import accuracy_score, r2_score  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from skgd import GDClassifier, GDRegressor  # noqa: E402

pytestmark = pytest.mark.slow

TOL = 0.02
N, D, BLOCK, PASSES = 4000, 6, 500, 4


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        host="127.0.0.1",
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _data(kind):
    rng = np.random.RandomState(0)
    X = rng.randn(N, D)
    eta = X @ rng.randn(D)
    if kind == "regressor":
        return X, eta + 0.5 * rng.randn(N) + 1.0
    return X, np.digitize(eta + 0.5 * rng.randn(N), [-1.0, 1.0])  # three classes


def _estimator(kind):
    params = dict(optimizer="adam", batch_size=50, learning_rate=0.02, random_state=0)
    return GDRegressor(**params) if kind == "regressor" else GDClassifier(**params)


def _as_dask(X, y, container):
    if container == "array":
        return da.from_array(X, chunks=(BLOCK, D)), da.from_array(y, chunks=BLOCK)
    columns = [f"x{j}" for j in range(D)]
    n_parts = N // BLOCK
    Xd = dd.from_pandas(pd.DataFrame(X, columns=columns), npartitions=n_parts)
    yd = dd.from_pandas(pd.Series(y, name="y"), npartitions=n_parts)
    return Xd, yd


def _score(kind, y, pred):
    return r2_score(y, pred) if kind == "regressor" else accuracy_score(y, pred)


@pytest.mark.parametrize("container", ["array", "dataframe"])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_incremental_on_a_cluster_reaches_the_in_memory_score(client, kind, container):
    X, y = _data(kind)
    Xd, yd = _as_dask(X, y, container)
    inc = Incremental(_estimator(kind), shuffle_blocks=True, random_state=0)
    fit_kwargs = {"classes": np.unique(y)} if kind == "classifier" else {}
    for _ in range(PASSES):  # one call = one pass over the blocks, state kept
        inc.partial_fit(Xd, yd, **fit_kwargs)
    fitted = inc.estimator_
    assert fitted.n_iter_ == PASSES * (N // BLOCK)  # one epoch per block
    assert fitted.t_ == PASSES * N // 50
    if container == "dataframe":
        assert fitted.feature_names_in_.tolist() == list(Xd.columns)

    # Predicting through dask runs block-wise on the workers.
    # (Incremental.score would use dask_ml.metrics.r2_score, which fails on
    # dask 2026.8 with "cannot broadcast shape (nan,)"; sklearn's metrics on
    # the computed predictions give the same number.)
    pred = inc.predict(Xd).compute()
    dask_score = _score(kind, y, np.asarray(pred))

    in_memory = _estimator(kind).set_params(max_iter=50, tol=None).fit(X, y)
    memory_score = in_memory.score(X, y)
    assert dask_score == pytest.approx(memory_score, abs=TOL)


def test_grid_search_runs_on_the_dask_workers(client):
    X, y = _data("regressor")
    grid = {"learning_rate": [0.01, 0.1], "optimizer": ["adam", "sgd"]}
    estimator = GDRegressor(
        optimizer="adam", batch_size=100, max_iter=30, tol=None, random_state=0
    )
    local = GridSearchCV(estimator, grid, cv=3).fit(X, y)
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_backend("dask"):
            remote = GridSearchCV(estimator, grid, cv=3, n_jobs=-1).fit(X, y)
    # the fits ran as tasks on the cluster's workers (joblib batches the 12
    # fits into as many tasks as it likes, so only their presence is checked) ...
    assert len(stream.data) >= 1
    workers = {task["worker"] for task in stream.data}
    assert workers <= set(client.scheduler_info()["workers"])
    # ... and gave exactly the sequential search's results
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], rtol=1e-12
    )
    assert remote.best_params_ == local.best_params_
