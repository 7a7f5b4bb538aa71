# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Epochs: one pass over the rows in mini-batches, each batch one optimizer step.

A batch steps along the mean of ``w_i dL_i`` over its rows (the weights have
mean 1 over the rows trained on: an unbiased estimate of the gradient of J)
plus the penalty's gradient. The callers pass only rows of positive weight.

Cost per epoch, and why:

- Dense rows (:func:`dense_epoch`): every update touches all ``d``
  coordinates anyway; a batch of one row writes its gradient directly (no
  zeroing or rescaling of a dense buffer), and plain SGD on one row fuses the
  step with the row's gradient, as scikit-learn does.
- Sparse rows cost O(nnz) per row, not O(d):

  * plain SGD (:func:`sparse_sgd_epoch`, no momentum, no L1) keeps
    ``coef = scale * v`` so that the L2 shrink of every coordinate is one
    multiplication of ``scale`` (scikit-learn's ``wscale``); the result equals
    the dense update.
  * every other rule takes the *lazy* step (:func:`sparse_lazy_epoch`): a
    batch updates only the coefficients of the columns it touches (and the
    intercepts), as TensorFlow's LazyAdam and PyTorch's SparseAdam do. The
    penalty gradient a coordinate missed is added, times the number of
    skipped updates, when it is touched again; at the end of the epoch the
    coordinates not touched since get it as a plain step (``lr`` times the
    missed penalty gradient) that leaves the rule's moments alone, so a
    coordinate no row touched never moves by a stale momentum. Weight decay
    is caught up exactly. A stored zero touches nothing. When every batch
    touches every column this is exactly the dense update.
- Shuffled rows are requested ahead (``__builtin_prefetch``): dense rows
  ``AHEAD`` places ahead; for CSR the row bounds, label and weight ``2 *
  AHEAD`` ahead and the row's values and column indices ``AHEAD`` ahead.
  Waiting for scattered rows was half of a shuffled epoch.
"""

import numpy as np

from libc.math cimport pow
from libc.string cimport memset

from ._losses cimport loss_gradient
from ._rows cimport (
    AHEAD,
    Model,
    __builtin_prefetch,
    add_penalty_gradient,
    dense_axpy,
    dense_dot,
    finish_gradient,
    floating,
    index_t,
    row_accumulate_dense,
    row_eta_dense,
    row_eta_sparse,
    skgd_keep,
)
from ._rules cimport SGD, ADAMW, LION, Hyper, rule_step


cdef inline void _prefetch_dense(
    const floating* X, Py_ssize_t d, const double* y, const double* w,
    const Py_ssize_t* order, Py_ssize_t n, Py_ssize_t idx,
) noexcept nogil:
    cdef Py_ssize_t far, i, j, step = max(1, 64 // sizeof(floating))
    skgd_keep()
    if idx + 2 * AHEAD < n:
        far = order[idx + 2 * AHEAD]
        __builtin_prefetch(&y[far], 0, 3)
        __builtin_prefetch(&w[far], 0, 3)
    if idx + AHEAD >= n:
        return
    i = order[idx + AHEAD]
    j = 0
    while j < d:  # every cache line of the row
        __builtin_prefetch(&X[i * d + j], 0, 3)
        j += step
    __builtin_prefetch(&X[i * d + d - 1], 0, 3)


cdef inline void _prefetch_sparse(
    const floating* values, const index_t* indices, const index_t* indptr,
    const double* y, const double* w, const Py_ssize_t* order, Py_ssize_t n, Py_ssize_t idx,
) noexcept nogil:
    cdef Py_ssize_t far, i, p, lo, hi
    cdef Py_ssize_t step_values = max(1, 64 // sizeof(floating)), step_indices = 64 // sizeof(index_t)
    skgd_keep()
    if idx + 2 * AHEAD < n:
        far = order[idx + 2 * AHEAD]
        __builtin_prefetch(&y[far], 0, 3)
        __builtin_prefetch(&w[far], 0, 3)
        __builtin_prefetch(&indptr[far], 0, 3)
    if idx + AHEAD >= n:
        return
    i = order[idx + AHEAD]
    lo, hi = indptr[i], indptr[i + 1]
    if hi > lo:
        p = lo
        while p < hi:
            __builtin_prefetch(&values[p], 0, 3)
            p += step_values
        __builtin_prefetch(&values[hi - 1], 0, 3)
        p = lo
        while p < hi:
            __builtin_prefetch(&indices[p], 0, 3)
            p += step_indices
        __builtin_prefetch(&indices[hi - 1], 0, 3)


def dense_epoch(
    const floating[:, ::1] X,
    const double[::1] y,
    const double[::1] w,
    Model model,
    int rule,
    Hyper hyper,
    double[:, ::1] slots,
    double[::1] params,
    const Py_ssize_t[::1] order,
    Py_ssize_t batch_size,
    double lr,
    long long t,
):
    """Mini-batches over dense rows; returns the new update count ``t``."""
    cdef Py_ssize_t d = model.n_features, K = model.n_outputs, n_coef = d * K
    cdef Py_ssize_t n_params = params.shape[0], n = order.shape[0], stride = slots.shape[1]
    cdef bint fast = K == 1
    # plain SGD on one dense row: the step fused with the row's gradient
    cdef bint fused = fast and rule == SGD and hyper.momentum == 0.0 and model.a1 == 0.0
    cdef double[::1] grad = np.zeros(n_params)
    cdef double[::1] eta = np.empty(K)
    cdef double[::1] geta = np.empty(K)
    cdef Py_ssize_t start = 0, stop, i, idx, j, k, m
    cdef double wi, g, a2 = model.a2
    cdef const floating* x
    cdef const floating* X0 = &X[0, 0] if X.shape[0] > 0 else NULL
    cdef double* p = &params[0]
    cdef double* gr = &grad[0]
    with nogil:
        while start < n:
            stop = min(start + batch_size, n)
            m = 0
            if stop - start == 1:
                # one row: write its gradient instead of zeroing, adding and
                # rescaling a dense buffer (three passes over d saved per row)
                i = order[start]
                _prefetch_dense(X0, d, &y[0], &w[0], &order[0], n, start)
                start = stop
                wi = w[i]
                if wi == 0.0:
                    continue
                x = X0 + i * d
                if fast:
                    eta[0] = p[n_coef] + dense_dot(x, p, d)
                else:
                    row_eta_dense(x, p, d, K, &eta[0])
                loss_gradient(model.loss, y[i], &eta[0], &geta[0], <int>K, model.loss_param)
                for k in range(K):
                    geta[k] *= wi
                if fused:
                    t += 1
                    g = geta[0]
                    for j in range(d):
                        p[j] -= lr * (x[j] * g + a2 * p[j])
                    if model.fit_intercept:
                        p[d] -= lr * g
                    continue
                if fast:
                    g = geta[0]
                    for j in range(d):
                        gr[j] = x[j] * g
                else:
                    for j in range(d):
                        for k in range(K):
                            gr[j * K + k] = x[j] * geta[k]
                for k in range(K):
                    gr[n_coef + k] = geta[k] if model.fit_intercept else 0.0
                add_penalty_gradient(p, n_coef, model.a2, model.a1, gr)
                t += 1
                rule_step(rule, p, gr, &slots[0, 0], stride, n_params, &hyper, lr, t, n_coef, NULL, 0)
                continue
            memset(gr, 0, n_params * sizeof(double))
            for idx in range(start, stop):
                i = order[idx]
                _prefetch_dense(X0, d, &y[0], &w[0], &order[0], n, idx)
                wi = w[i]
                if wi == 0.0:
                    continue
                x = X0 + i * d
                if fast:
                    eta[0] = p[n_coef] + dense_dot(x, p, d)
                else:
                    row_eta_dense(x, p, d, K, &eta[0])
                loss_gradient(model.loss, y[i], &eta[0], &geta[0], <int>K, model.loss_param)
                if fast:
                    dense_axpy(x, wi * geta[0], gr, d)
                else:
                    row_accumulate_dense(x, wi, &geta[0], d, K, gr)
                m += 1
            start = stop
            if m == 0:
                continue
            finish_gradient(&model, p, gr, n_params, 1.0 / m)
            t += 1
            rule_step(rule, p, gr, &slots[0, 0], stride, n_params, &hyper, lr, t, n_coef, NULL, 0)
    return t


def sparse_sgd_epoch(
    const floating[::1] values,
    const index_t[::1] indices,
    const index_t[::1] indptr,
    const double[::1] y,
    const double[::1] w,
    Model model,
    double[::1] params,
    const Py_ssize_t[::1] order,
    Py_ssize_t batch_size,
    double lr,
    long long t,
):
    """Plain SGD with L2 on CSR rows in O(nnz) per row: ``coef = scale * v``.

    The step ``coef <- (1 - lr a2) coef - lr g_data`` becomes ``scale *= (1 -
    lr a2)`` and ``v[cols] -= lr g_data[cols] / scale``; ``v`` is folded back
    into ``params`` when ``scale`` gets small and at the end of the epoch.
    """
    cdef Py_ssize_t d = model.n_features, K = model.n_outputs, n_coef = d * K
    cdef Py_ssize_t n = order.shape[0]
    cdef double shrink = 1.0 - lr * model.a2
    cdef double[:, ::1] geta_batch = np.empty((batch_size, K))
    cdef Py_ssize_t[::1] rows = np.empty(batch_size, np.intp)
    cdef double[::1] eta = np.empty(K)
    cdef double[::1] geta = np.empty(K)
    cdef double[::1] gb = np.empty(K)
    cdef double scale = 1.0, wi, acc, c, c_v, g, x
    cdef Py_ssize_t start = 0, stop, idx, i, k, m, q, r, j, base
    cdef double* p = &params[0]
    with nogil:
        while start < n:
            stop = min(start + batch_size, n)
            m = 0
            for k in range(K):
                gb[k] = 0.0
            for idx in range(start, stop):
                i = order[idx]
                _prefetch_sparse(
                    &values[0], &indices[0], &indptr[0], &y[0], &w[0], &order[0], n, idx
                )
                wi = w[i]
                if wi == 0.0:
                    continue
                for k in range(K):
                    eta[k] = 0.0
                if K == 1:
                    acc = 0.0
                    for q in range(indptr[i], indptr[i + 1]):
                        acc += values[q] * p[<size_t>indices[q]]
                    eta[0] = acc
                else:
                    for q in range(indptr[i], indptr[i + 1]):
                        x = values[q]
                        base = indices[q] * K
                        for k in range(K):
                            eta[k] += x * p[base + k]
                for k in range(K):
                    eta[k] = scale * eta[k] + p[n_coef + k]
                loss_gradient(model.loss, y[i], &eta[0], &geta[0], <int>K, model.loss_param)
                rows[m] = i
                for k in range(K):
                    geta_batch[m, k] = wi * geta[k]
                    gb[k] += wi * geta[k]
                m += 1
            start = stop
            if m == 0:
                continue
            t += 1
            if shrink <= 1e-9 or scale * shrink < 1e-9:
                # fold scale into v before it underflows (rare: O(d) once in a while)
                for j in range(n_coef):
                    p[j] *= scale
                scale = 1.0
                if shrink <= 1e-9:
                    for j in range(n_coef):
                        p[j] *= shrink
                else:
                    scale = shrink
            else:
                scale *= shrink
            c = lr / m  # the batch's mean of w_i dL_i (weights of mean 1)
            c_v = c / scale  # one division per batch, not one per stored value
            for r in range(m):
                i = rows[r]
                if K == 1:
                    g = c_v * geta_batch[r, 0]
                    for q in range(indptr[i], indptr[i + 1]):
                        p[<size_t>indices[q]] -= g * values[q]
                    continue
                for q in range(indptr[i], indptr[i + 1]):
                    x = c_v * values[q]
                    base = indices[q] * K
                    for k in range(K):
                        p[base + k] -= x * geta_batch[r, k]
            if model.fit_intercept:
                for k in range(K):
                    p[n_coef + k] -= c * gb[k]
        if scale != 1.0:
            for j in range(n_coef):
                p[j] *= scale
    return t


cdef inline void _lazy_step(
    int rule, double* params, const double* grad, double[:, ::1] slots, const Hyper* hyper,
    double lr, long long t, Py_ssize_t n_coef, const Py_ssize_t* index, const long long* lag,
    Py_ssize_t n_index, double* buffers,
) noexcept nogil:
    # one update of the coordinates index[:n_index] only: gathered into
    # contiguous pieces of buffers, updated there by the same compiled rule as
    # a dense step, and scattered back. lag[q] counts the updates coordinate
    # index[q] missed; the coefficients come before the intercepts in index.
    cdef Py_ssize_t n_slots = slots.shape[0], q, j, k, n_c = 0
    cdef double* pb = buffers
    cdef double* gb = buffers + n_index
    cdef double* sb = buffers + 2 * n_index
    for q in range(n_index):
        j = index[q]
        pb[q] = params[j]
        gb[q] = grad[j]
        for k in range(n_slots):
            sb[k * n_index + q] = slots[k, j]
        if j < n_coef:
            n_c += 1
    rule_step(rule, pb, gb, sb, n_index, n_index, hyper, lr, t, n_c, lag, n_c)
    for q in range(n_index):
        j = index[q]
        params[j] = pb[q]
        for k in range(n_slots):
            slots[k, j] = sb[k * n_index + q]


def sparse_lazy_epoch(
    const floating[::1] values,
    const index_t[::1] indices,
    const index_t[::1] indptr,
    const double[::1] y,
    const double[::1] w,
    Model model,
    int rule,
    Hyper hyper,
    double[:, ::1] slots,
    double[::1] params,
    const Py_ssize_t[::1] order,
    Py_ssize_t batch_size,
    double lr,
    long long t,
):
    """Mini-batches on CSR rows updating only the touched coordinates (see the module doc)."""
    cdef Py_ssize_t d = model.n_features, K = model.n_outputs, n_coef = d * K
    cdef Py_ssize_t n_par = params.shape[0], n = order.shape[0], n_rows = y.shape[0]
    cdef double a2 = model.a2, a1 = model.a1
    cdef bint decays = (rule == ADAMW or rule == LION) and hyper.weight_decay != 0.0
    cdef bint catch_up = a2 != 0.0 or a1 != 0.0 or decays
    cdef double[::1] grad = np.zeros(n_par)
    cdef Py_ssize_t[::1] mark = np.full(d, -1, np.intp)
    cdef long long[::1] last = np.full(d, t, np.longlong)  # the update count when last stepped
    cdef Py_ssize_t widest = 0, i
    # Every per-step list is as long as the most coordinates one batch can
    # touch, not n_features: on a wide sparse X the scratch would otherwise
    # count in the fit's peak memory.
    for i in range(n_rows):
        widest = max(widest, <Py_ssize_t>(indptr[i + 1] - indptr[i]))
    cdef Py_ssize_t cap = max(1, min(n_par, batch_size * widest * K + K))
    cdef Py_ssize_t[::1] cols = np.empty(cap, np.intp)
    cdef Py_ssize_t[::1] index = np.empty(cap, np.intp)
    cdef long long[::1] lag = np.empty(cap, np.longlong)
    cdef double[::1] buffers = np.empty((2 + slots.shape[0]) * cap)
    cdef double[::1] eta = np.empty(K)
    cdef double[::1] geta = np.empty(K)
    cdef Py_ssize_t start = 0, stop, idx, j, k, q, c, m, n_cols, n_index, base, batch = 0
    cdef long long missed
    cdef double wi, x, g, v, inv, shrink
    cdef double* p = &params[0]
    cdef double* gr = &grad[0]
    with nogil:
        while start < n:
            stop = min(start + batch_size, n)
            m = 0
            n_cols = 0
            for k in range(K):
                gr[n_coef + k] = 0.0
            for idx in range(start, stop):
                i = order[idx]
                _prefetch_sparse(
                    &values[0], &indices[0], &indptr[0], &y[0], &w[0], &order[0], n, idx
                )
                wi = w[i]
                if wi == 0.0:
                    continue
                row_eta_sparse(
                    &values[0], &indices[0], indptr[i], indptr[i + 1], p, d, K, &eta[0]
                )
                loss_gradient(model.loss, y[i], &eta[0], &geta[0], <int>K, model.loss_param)
                for q in range(indptr[i], indptr[i + 1]):
                    if values[q] == 0.0:
                        # a stored zero touches nothing: the same model as without it
                        continue
                    j = indices[q]
                    base = j * K
                    if mark[j] != batch:
                        mark[j] = batch
                        cols[n_cols] = j
                        n_cols += 1
                        for k in range(K):
                            gr[base + k] = 0.0
                    x = wi * values[q]
                    for k in range(K):
                        gr[base + k] += x * geta[k]
                for k in range(K):
                    gr[n_coef + k] += wi * geta[k]
                m += 1
            start = stop
            batch += 1
            if m == 0:
                continue
            t += 1
            inv = 1.0 / m  # the batch's mean of w_i dL_i (weights of mean 1)
            n_index = 0
            for c in range(n_cols):
                j = cols[c]
                missed = t - last[j]
                last[j] = t
                for k in range(K):
                    q = j * K + k
                    g = gr[q] * inv
                    if catch_up:
                        v = p[q]
                        g += missed * (a2 * v + a1 * ((v > 0.0) - (v < 0.0)))
                    gr[q] = g
                    index[n_index] = q
                    lag[n_index] = missed
                    n_index += 1
            if model.fit_intercept:
                for k in range(K):
                    gr[n_coef + k] *= inv
                    index[n_index] = n_coef + k
                    lag[n_index] = 1
                    n_index += 1
            _lazy_step(
                rule, p, gr, slots, &hyper, lr, t, n_coef, &index[0], &lag[0], n_index,
                &buffers[0],
            )
        if catch_up:
            # The penalty and decay the coordinates missed since their last
            # step, as a plain step that leaves the rule's moments alone: a
            # momentum step here would move every untouched coordinate by its
            # stale momentum, so that alpha=1e-12 would not give the model of
            # no penalty.
            shrink = 1.0 - lr * hyper.weight_decay if decays else 1.0
            for j in range(d):
                missed = t - last[j]
                if missed > 0:
                    for k in range(K):
                        q = j * K + k
                        v = p[q]
                        g = missed * (a2 * v + a1 * ((v > 0.0) - (v < 0.0)))
                        if decays:
                            v *= pow(shrink, <double>missed)
                        p[q] = v - lr * g
    return t
