# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""J's pass: the weighted sums of the loss and of its gradient over rows, by chunk.

The rows are cut into a fixed number of chunks, each with its own sums; the
callers add them in chunk order, so J does not depend on how many threads
ran the chunks (the loops release the GIL, so plain Python threads run them
in parallel). Besides the loss, a pass may sum the gradient and the
gradient's terms without their signs (the scale of the optimality measure).
"""

from libc.math cimport fabs

from ._losses cimport loss_gradient
from ._rows cimport (
    Model,
    dense_axpy,
    dense_dot,
    finish_gradient,
    floating,
    index_t,
    row_accumulate_dense,
    row_accumulate_sparse,
    row_eta_dense,
    row_eta_sparse,
)

import numpy as np


cdef inline void _accumulate_abs(
    const floating* x, const floating* values, const index_t* indices, Py_ssize_t lo,
    Py_ssize_t hi, bint sparse, double wi, const double* geta, Py_ssize_t d, Py_ssize_t K,
    double* grad,
) noexcept nogil:
    # grad[W] += wi |x| (outer) |geta|; grad[b] += wi |geta| (one pass per fit)
    cdef Py_ssize_t j, k, q, base, offset = d * K
    cdef double a
    for k in range(K):
        grad[offset + k] += wi * fabs(geta[k])
    if not sparse and K == 1:
        a = wi * fabs(geta[0])
        for j in range(d):  # its own loop: it vectorizes
            grad[j] += a * fabs(x[j])
        return
    if sparse:
        for q in range(lo, hi):
            a = wi * fabs(values[q])
            base = indices[q] * K
            for k in range(K):
                grad[base + k] += a * fabs(geta[k])
        return
    for j in range(d):
        a = wi * fabs(x[j])
        base = j * K
        for k in range(K):
            grad[base + k] += a * fabs(geta[k])


def chunk_sums(
    const floating[:, ::1] X,
    const floating[::1] values,
    const index_t[::1] indices,
    const index_t[::1] indptr,
    bint sparse,
    const double[::1] y,
    const double[::1] w,
    Model model,
    const double[::1] params,
    const Py_ssize_t[::1] rows,
    Py_ssize_t first,
    Py_ssize_t last,
    double[::1] totals,
    double[::1] weights,
    double[:, ::1] grads,
    double[:, ::1] terms,
):
    """Chunks ``first`` to ``last - 1`` of J's sums (see the module docstring).

    ``grads`` (if it has rows) gets the gradient's sums and ``terms`` (if it
    has rows) the sums of the gradient's terms without their signs.
    """
    cdef Py_ssize_t d = model.n_features, K = model.n_outputs, n_coef = d * K
    cdef Py_ssize_t n_params = params.shape[0]
    cdef bint fast = (not sparse) and K == 1
    cdef Py_ssize_t n_chunks = totals.shape[0]
    cdef bint all_rows = rows.shape[0] == 0
    cdef Py_ssize_t n = y.shape[0] if all_rows else rows.shape[0]
    cdef double[::1] eta = np.empty(K)
    cdef double[::1] geta = np.empty(K)
    cdef Py_ssize_t c, lo, hi, r, i, j, rlo = 0, rhi = 0
    cdef double total, weight_sum, wi
    cdef const floating* x = NULL
    cdef const floating* X0 = &X[0, 0] if X.shape[0] > 0 else NULL
    cdef const floating* v0 = &values[0] if values.shape[0] > 0 else NULL
    cdef const index_t* i0 = &indices[0] if indices.shape[0] > 0 else NULL
    cdef const double* p = &params[0]
    cdef double* g = NULL
    cdef double* a = NULL
    cdef bint want_grad = grads.shape[0] > 0, want_terms = terms.shape[0] > 0
    with nogil:
        for c in range(first, last):
            lo = c * n // n_chunks
            hi = (c + 1) * n // n_chunks
            total = 0.0
            weight_sum = 0.0
            if want_grad:
                g = &grads[c, 0]
                for j in range(n_params):
                    g[j] = 0.0
            if want_terms:
                a = &terms[c, 0]
                for j in range(n_params):
                    a[j] = 0.0
            for r in range(lo, hi):
                i = r if all_rows else rows[r]
                wi = w[i]
                if wi == 0.0:
                    continue
                if sparse:
                    rlo, rhi = indptr[i], indptr[i + 1]
                    row_eta_sparse(v0, i0, rlo, rhi, p, d, K, &eta[0])
                else:
                    x = X0 + i * d
                    if fast:
                        eta[0] = p[n_coef] + dense_dot(x, p, d)
                    else:
                        row_eta_dense(x, p, d, K, &eta[0])
                total += wi * loss_gradient(
                    model.loss, y[i], &eta[0], &geta[0], <int>K, model.loss_param
                )
                weight_sum += wi
                if want_terms:
                    _accumulate_abs(x, v0, i0, rlo, rhi, sparse, wi, &geta[0], d, K, a)
                if want_grad:
                    if fast:
                        dense_axpy(x, wi * geta[0], g, d)
                    elif sparse:
                        row_accumulate_sparse(v0, i0, rlo, rhi, wi, &geta[0], d, K, g)
                    else:
                        row_accumulate_dense(x, wi, &geta[0], d, K, g)
            totals[c] = total
            weights[c] = weight_sum


def finish(
    Model model,
    const double[::1] params,
    double[::1] grad,
    const double[::1] totals,
    const double[::1] weights,
    const double[:, ::1] grads,
):
    """J from the chunk sums, added in chunk order; its gradient into ``grad`` if ``grads`` has rows."""
    cdef Py_ssize_t n_coef = model.n_features * model.n_outputs, c, j
    cdef Py_ssize_t n_params = params.shape[0]
    cdef double total = 0.0, weight_sum = 0.0, penalty = 0.0, v
    for c in range(totals.shape[0]):
        total += totals[c]
        weight_sum += weights[c]
    if grads.shape[0] > 0:
        for j in range(n_params):
            grad[j] = 0.0
        for c in range(grads.shape[0]):
            for j in range(n_params):
                grad[j] += grads[c, j]
        finish_gradient(&model, &params[0], &grad[0], n_params, 1.0 / weight_sum)
    for j in range(n_coef):
        v = params[j]
        penalty += 0.5 * model.a2 * v * v + model.a1 * fabs(v)
    return total / weight_sum + penalty


def batch_gradient(
    Model model,
    const double[::1] params,
    double[::1] grad,
    const double[:, ::1] grads,
    Py_ssize_t n_rows,
):
    """The mini-batch step direction from its chunk sums: their sum over ``n_rows``, plus the penalty."""
    cdef Py_ssize_t c, j, n_params = params.shape[0]
    for j in range(n_params):
        grad[j] = 0.0
    for c in range(grads.shape[0]):
        for j in range(n_params):
            grad[j] += grads[c, j]
    finish_gradient(&model, &params[0], &grad[0], n_params, 1.0 / n_rows)


def column_moments(
    const floating[:, ::1] X,
    const floating[::1] values,
    const index_t[::1] indices,
    const index_t[::1] indptr,
    bint sparse,
    const double[::1] w,
    Py_ssize_t n_features,
):
    """Weighted sums over the rows: (sum of w, sum of w x_j, sum of w x_j^2) per column."""
    cdef double[::1] first = np.zeros(n_features)
    cdef double[::1] second = np.zeros(n_features)
    cdef double total = 0.0, wi, x
    cdef Py_ssize_t i, j, q
    with nogil:
        for i in range(w.shape[0]):
            wi = w[i]
            if wi == 0.0:
                continue
            total += wi
            if sparse:
                for q in range(indptr[i], indptr[i + 1]):
                    x = values[q]
                    first[indices[q]] += wi * x
                    second[indices[q]] += wi * x * x
            else:
                for j in range(n_features):
                    x = X[i, j]
                    first[j] += wi * x
                    second[j] += wi * x * x
    return total, np.asarray(first), np.asarray(second)
