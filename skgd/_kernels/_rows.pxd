# cython: language_level=3
"""Rows: what the epoch loops and J's pass do with one row of X.

Every helper takes raw pointers, so calling it costs nothing (a typed
memoryview argument would count references on every call); all are inlined.
``model`` is the struct form of :class:`skgd._kernels.Model`.
"""

cimport cython
from cython cimport floating

cdef extern from *:
    void __builtin_prefetch(const void* address, int rw, int locality) nogil

cdef extern from *:
    """
    /* An empty volatile asm: no instruction, but a function that holds one is
       not pure. GCC counts prefetches as free of side effects, finds a
       function of prefetches alone pure, and deletes every call of it. */
    #define skgd_keep() __asm__ __volatile__("")
    """
    void skgd_keep() nogil

ctypedef fused index_t:
    int
    long long

ctypedef struct Model:
    Py_ssize_t n_features
    Py_ssize_t n_outputs
    int loss
    double loss_param
    double a2
    double a1
    bint fit_intercept

#: how far ahead in the row order memory is requested (see _epochs.pyx)
cdef enum:
    AHEAD = 4


@cython.cdivision(True)
cdef inline double dense_dot(const floating* x, const double* w, Py_ssize_t d) noexcept nogil:
    # a loop of its own with nothing else in it: GCC vectorizes the reduction
    cdef double acc = 0.0
    cdef Py_ssize_t j
    for j in range(d):
        acc += x[j] * w[j]
    return acc


@cython.cdivision(True)
cdef inline void dense_axpy(const floating* x, double g, double* grad, Py_ssize_t d) noexcept nogil:
    # grad[:d] += g * x and grad[d] += g (the intercept of a one-output model)
    cdef Py_ssize_t j
    for j in range(d):
        grad[j] += x[j] * g
    grad[d] += g


@cython.cdivision(True)
cdef inline void row_eta_dense(
    const floating* x, const double* params, Py_ssize_t d, Py_ssize_t K, double* eta
) noexcept nogil:
    # eta = x @ W + b with W stored row-major as params[:d*K]
    cdef Py_ssize_t j, k, base, offset = d * K
    cdef double xj, acc
    for k in range(K):
        eta[k] = params[offset + k]
    if K == 1:
        acc = eta[0]
        for j in range(d):
            acc += x[j] * params[j]
        eta[0] = acc
        return
    for j in range(d):
        xj = x[j]
        base = j * K
        for k in range(K):
            eta[k] += xj * params[base + k]


@cython.cdivision(True)
cdef inline void row_eta_sparse(
    const floating* values, const index_t* indices, Py_ssize_t lo, Py_ssize_t hi,
    const double* params, Py_ssize_t d, Py_ssize_t K, double* eta,
) noexcept nogil:
    cdef Py_ssize_t p, k, base, offset = d * K
    cdef double x, acc
    for k in range(K):
        eta[k] = params[offset + k]
    if K == 1:
        # the one-output case written out: the loop over k cost as much again
        acc = eta[0]
        for p in range(lo, hi):
            acc += values[p] * params[<size_t>indices[p]]
        eta[0] = acc
        return
    for p in range(lo, hi):
        x = values[p]
        base = indices[p] * K
        for k in range(K):
            eta[k] += x * params[base + k]


@cython.cdivision(True)
cdef inline void row_accumulate_dense(
    const floating* x, double scale, const double* geta, Py_ssize_t d, Py_ssize_t K, double* grad
) noexcept nogil:
    # grad[W] += scale * x (outer) geta; grad[b] += scale * geta
    cdef Py_ssize_t j, k, base, offset = d * K
    cdef double g, xj
    for k in range(K):
        grad[offset + k] += scale * geta[k]
    if K == 1:
        g = scale * geta[0]
        for j in range(d):
            grad[j] += x[j] * g
        return
    for j in range(d):
        xj = scale * x[j]
        if xj != 0.0:
            base = j * K
            for k in range(K):
                grad[base + k] += xj * geta[k]


@cython.cdivision(True)
cdef inline void row_accumulate_sparse(
    const floating* values, const index_t* indices, Py_ssize_t lo, Py_ssize_t hi,
    double scale, const double* geta, Py_ssize_t d, Py_ssize_t K, double* grad,
) noexcept nogil:
    cdef Py_ssize_t p, k, base, offset = d * K
    cdef double g, x
    for k in range(K):
        grad[offset + k] += scale * geta[k]
    if K == 1:
        g = scale * geta[0]
        for p in range(lo, hi):
            grad[<size_t>indices[p]] += values[p] * g
        return
    for p in range(lo, hi):
        x = scale * values[p]
        base = indices[p] * K
        for k in range(K):
            grad[base + k] += x * geta[k]


@cython.cdivision(True)
cdef inline void add_penalty_gradient(
    const double* params, Py_ssize_t n_coef, double a2, double a1, double* grad
) noexcept nogil:
    # grad += a2 * c + a1 * sign(c) over the coefficients
    cdef Py_ssize_t j
    cdef double c
    if a1 == 0.0:
        # the common case in a loop of its own: the sign keeps a loop scalar
        if a2 != 0.0:
            for j in range(n_coef):
                grad[j] += a2 * params[j]
        return
    for j in range(n_coef):
        c = params[j]
        grad[j] += a2 * c + a1 * ((c > 0.0) - (c < 0.0))


@cython.cdivision(True)
cdef inline void finish_gradient(
    const Model* model, const double* params, double* grad, Py_ssize_t n_params, double inv
) noexcept nogil:
    # the mean over the batch, no intercept gradient if it is not fitted, the penalty
    cdef Py_ssize_t j, k
    cdef Py_ssize_t n_coef = model.n_features * model.n_outputs
    for j in range(n_params):
        grad[j] *= inv
    if not model.fit_intercept:
        for k in range(model.n_outputs):
            grad[n_coef + k] = 0.0
    add_penalty_gradient(params, n_coef, model.a2, model.a1, grad)
