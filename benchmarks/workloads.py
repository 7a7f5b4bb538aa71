"""The benchmark data sets (issue 9), generated deterministically."""

from __future__ import annotations

import numpy as np
from scipy import sparse


def dense_regression(n: int, d: int, dtype=np.float64, seed: int = 0):
    """Gaussian columns scaled from 0.1 to 10 (an ill-conditioned, unscaled problem)."""
    rng = np.random.RandomState(seed)
    scales = np.logspace(-1, 1, d)
    X = (rng.standard_normal((n, d)) * scales).astype(dtype)
    coef = rng.standard_normal(d) / scales
    y = X.astype(np.float64) @ coef + 3.0 + rng.standard_normal(n)
    return X, y


def sparse_text(n: int, d: int, nnz_per_row: int = 50, seed: int = 0):
    """CSR shaped like tf-idf text: skewed column frequencies, unit-norm rows, binary y."""
    rng = np.random.RandomState(seed)
    # column j is drawn with probability ~ 1/(j+1)^0.7: a few frequent "words", a long tail
    cols = (d * rng.random_sample(n * nnz_per_row) ** 3).astype(np.int64)
    rows = np.repeat(np.arange(n), nnz_per_row)
    vals = rng.exponential(1.0, n * nnz_per_row)
    X = sparse.csr_matrix((vals, (rows, np.minimum(cols, d - 1))), shape=(n, d))
    X.sum_duplicates()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ X
    X = X.tocsr()
    X.sort_indices()
    coef = rng.standard_normal(d) * (rng.random_sample(d) < 0.05) * 20
    margin = X @ coef
    y = (margin + 0.5 * rng.standard_normal(n) > np.median(margin)).astype(np.int64)
    return X, y


def growth_counts(days: int = 60, seed: int = 0):
    """Poisson counts of an outbreak growing 8 % a day from 5 cases."""
    rng = np.random.RandomState(seed)
    t = np.arange(days, dtype=np.float64)
    y = rng.poisson(5.0 * np.exp(0.08 * t)).astype(np.float64)
    return t.reshape(-1, 1), y
