"""What a mini-batch step on CSR rows does, beyond agreeing with the recorded fits.

Built-in rules other than plain SGD take the lazy step on sparse rows (only
the touched coordinates move; see the user guide). These tests pin the
properties a user relies on: a negligible penalty is no penalty, stored
zeros are no values, and the step's scratch size does not change the model.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from skgd import GDClassifier, GDRegressor

LAZY = ["momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "nadam", "lion"]


def _wide(n=60, d=40, per_row=3, seed=0):
    rng = np.random.RandomState(seed)
    rows = np.repeat(np.arange(n), per_row)
    cols = rng.choice(d, size=n * per_row)
    X = sp.csr_matrix((rng.uniform(0.5, 2.0, n * per_row), (rows, cols)), shape=(n, d))
    X.sum_duplicates()
    y = np.asarray(X @ rng.randn(d)).ravel() + 0.1 * rng.randn(n)
    return X, y, rng


def _fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y, **kw)


@pytest.mark.parametrize("optimizer", LAZY)
def test_a_negligible_penalty_gives_the_model_of_no_penalty(optimizer):
    # the end-of-epoch catch-up used to take a step of the rule on every
    # coordinate the epoch had not touched, moved by its stale momentum:
    # alpha=1e-12 changed Adam's coefficients by 0.03 and Lion's by 0.07
    X, y, _ = _wide()
    kw = dict(optimizer=optimizer, batch_size=4, learning_rate=0.01, max_iter=5, tol=None,
              random_state=0)  # fmt: skip
    free = _fit(GDRegressor(penalty=None, **kw), X, y)
    tiny = _fit(GDRegressor(penalty="l2", alpha=1e-12, **kw), X, y)
    np.testing.assert_allclose(tiny.coef_, free.coef_, rtol=0, atol=1e-9)


@pytest.mark.parametrize("decoupled", ["adamw", "lion"])
def test_a_negligible_weight_decay_gives_the_model_of_none(decoupled):
    from skgd.optimizers import AdamW, Lion

    X, y, _ = _wide()
    cls = AdamW if decoupled == "adamw" else Lion
    kw = dict(penalty=None, batch_size=4, learning_rate=0.01, max_iter=5, tol=None,
              random_state=0)  # fmt: skip
    free = _fit(GDRegressor(optimizer=cls(weight_decay=0.0), **kw), X, y)
    tiny = _fit(GDRegressor(optimizer=cls(weight_decay=1e-12), **kw), X, y)
    np.testing.assert_allclose(tiny.coef_, free.coef_, rtol=0, atol=1e-9)


@pytest.mark.parametrize("estimator", ["regressor", "classifier"])
@pytest.mark.parametrize("batch_size", [1, 4, "full"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "adagrad", "lion", "lbfgs"])
def test_stored_zeros_are_no_values(optimizer, batch_size, estimator):
    # the same CSR matrix with some zeros stored explicitly used to give
    # coefficients up to 5e-3 apart (Adam or momentum, batch 4)
    if optimizer == "lbfgs" and batch_size != "full":
        pytest.skip("L-BFGS takes the full batch")
    X, y, rng = _wide()
    with_zeros = X.copy()
    with_zeros.data[rng.rand(with_zeros.nnz) < 0.3] = 0.0  # stored, not eliminated
    without = with_zeros.copy()
    without.eliminate_zeros()
    assert with_zeros.nnz > without.nnz
    if estimator == "classifier":
        y = (y > np.median(y)).astype(int)
        make = GDClassifier
    else:
        make = GDRegressor
    kw = dict(optimizer=optimizer, batch_size=batch_size, penalty="l2", alpha=0.01,
              learning_rate=0.01, max_iter=30, tol=None, random_state=0)  # fmt: skip
    a = _fit(make(**kw), with_zeros, y)
    b = _fit(make(**kw), without, y)
    # the same up to the order of a reassociated sum (observed <= 1.5e-14)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=0, atol=1e-12)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adagrad", "adam", "adamw", "lion"])
def test_the_step_scratch_size_does_not_change_the_model(optimizer):
    # The lazy step's per-batch lists are as long as one batch can touch
    # (here 1 row x 2 values x 3 classes + 3 intercepts, of 183 parameters). A
    # zero-weight row that touches every column is never visited but makes
    # them as long as all parameters: the fits must be identical.
    rng = np.random.RandomState(0)
    n, d = 50, 60
    rows = np.repeat(np.arange(n), 2)
    cols = rng.choice(d, size=2 * n)
    X = sp.csr_matrix((rng.uniform(0.5, 2.0, 2 * n), (rows, cols)), shape=(n, d))
    y = rng.randint(0, 3, n)
    X_wide = sp.vstack([X, sp.csr_matrix(np.ones((1, d)))], format="csr")
    w = rng.uniform(0.5, 2.0, n)
    kw = dict(optimizer=optimizer, batch_size=1, penalty="l2", alpha=0.01, learning_rate=0.01,
              max_iter=4, tol=None, random_state=0)  # fmt: skip
    short = _fit(GDClassifier(**kw), X, y, sample_weight=w)
    long = _fit(GDClassifier(**kw), X_wide, np.append(y, 0), sample_weight=np.append(w, 0.0))
    np.testing.assert_array_equal(short.coef_, long.coef_)
    np.testing.assert_array_equal(short.intercept_, long.intercept_)
