"""``optimizer="lbfgs"``: the standardized (preconditioned) run finds the same minimum, faster."""

import numpy as np
import pytest
import scipy.sparse as sp

from skgd import GDClassifier, GDRegressor, objective
from skgd.optimizers import LBFGS


def _unscaled(n=400, d=6, seed=0):
    # columns of scales 0.01 to 100 with means far from 0: badly conditioned
    rng = np.random.RandomState(seed)
    scales = np.logspace(-2, 2, d)
    X = rng.standard_normal((n, d)) * scales + 5.0 * scales
    y = X @ (rng.standard_normal(d) / scales) + 1.0 + 0.1 * rng.standard_normal(n)
    return X, y


def _fit(est_cls, precondition, X, y, **kw):
    return est_cls(optimizer=LBFGS(precondition=precondition), max_iter=2000, **kw).fit(X, y)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_same_minimum_fewer_iterations_on_unscaled_columns(fit_intercept):
    X, y = _unscaled()
    kw = dict(penalty="l2", alpha=1e-3, fit_intercept=fit_intercept, tol=None)
    plain = _fit(GDRegressor, False, X, y, **kw)
    pre = _fit(GDRegressor, True, X, y, **kw)
    obj = objective(GDRegressor(**kw), X, y)
    j_plain, j_pre = obj.value(obj.params_of(plain)), obj.value(obj.params_of(pre))
    assert j_pre <= j_plain + 1e-9 * abs(j_plain)
    np.testing.assert_allclose(pre.coef_, plain.coef_, rtol=1e-5, atol=1e-8)
    # the whole point: a handful of iterations instead of many (tol=None:
    # both run until float64 cannot lower J any further)
    assert pre.n_iter_ <= 40 < plain.n_iter_


def test_matches_the_normal_equations():
    X, y = _unscaled(seed=1)
    est = GDRegressor(optimizer="lbfgs", penalty=None, max_iter=200, tol=None).fit(X, y)
    A = np.column_stack([X, np.ones(len(X))])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(est.coef_, theta[:-1], rtol=1e-6)
    np.testing.assert_allclose(est.intercept_, theta[-1], rtol=1e-6)


def test_weights_sparse_and_multinomial_reach_at_least_the_plain_minimum():
    rng = np.random.RandomState(2)
    X, _ = _unscaled(n=300, d=5, seed=2)
    y = rng.randint(0, 3, 300)
    w = rng.uniform(0.0, 2.0, 300)
    kw = dict(loss="log_loss", penalty="l2", alpha=1e-2, tol=None)
    obj = objective(GDClassifier(**kw), X, y, sample_weight=w)
    for data in (X, sp.csr_matrix(X)):
        plain = GDClassifier(optimizer=LBFGS(precondition=False), max_iter=3000, **kw)
        pre = GDClassifier(optimizer="lbfgs", max_iter=3000, **kw)
        plain.fit(data, y, sample_weight=w)
        pre.fit(data, y, sample_weight=w)
        # On these columns (scales 0.01 to 100) J is so flat along the small
        # columns that the plain run stops (after ~2,000 iterations) with
        # coefficients 0.6 % away; the standardized run gets a lower J in ~60.
        j_plain, j_pre = obj.value(obj.params_of(plain)), obj.value(obj.params_of(pre))
        assert j_pre <= j_plain + 1e-12
        assert j_plain - j_pre < 1e-7
        assert pre.n_iter_ * 10 < plain.n_iter_


def test_constant_column_and_untouched_input():
    X, y = _unscaled(n=200, d=4, seed=3)
    X[:, 2] = 7.0
    X_before, y_before = X.copy(), y.copy()
    est = GDRegressor(optimizer="lbfgs", penalty="l2", alpha=1e-3, max_iter=500, tol=None)
    est.fit(X, y)
    assert np.all(np.isfinite(est.coef_))
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    # J reported in loss_curve_ is J at the recorded parameters
    obj = objective(est, X, y)
    np.testing.assert_allclose(est.loss_curve_[-1], obj.value(obj.params_of(est)), rtol=1e-12)


def test_precondition_must_be_a_bool():
    X, y = _unscaled(n=50, d=2)
    with pytest.raises(ValueError, match="precondition must be True or False"):
        GDRegressor(optimizer=LBFGS(precondition="yes")).fit(X, y)
