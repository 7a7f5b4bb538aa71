# cython: language_level=3
"""The update rules, compiled: one branch per registered rule.

``rule_step`` updates ``n`` parameters in place from their gradient, with the
rule's per-parameter buffers in ``slots`` (``slots[k * stride + j]`` is buffer
k of parameter j) and its hyperparameters, by name, in a ``Hyper``. Each
rule is one branch-free loop over contiguous arrays, which GCC vectorizes;
the lazy sparse step gathers the coordinates it updates into contiguous
buffers so that it runs these same loops. The codes are the positions of
the names in ``_rules.NAMES``; the NumPy ``update`` of each optimizer class
in :mod:`skgd.optimizers` is the reference every branch is tested against.
"""

cimport cython
from libc.math cimport NAN, pow, sqrt

ctypedef struct Hyper:
    # every rule's hyperparameters by name (a rule reads its own; the rest are 0)
    double momentum
    double nesterov
    double beta1
    double beta2
    double eps
    double amsgrad
    double weight_decay
    double rho

cdef enum:
    SGD = 0
    ADAGRAD = 1
    RMSPROP = 2
    ADAM = 3
    ADAMW = 4
    NADAM = 5
    LION = 6


@cython.cdivision(True)
cdef inline void _powers(double b1, double b2, long long t, double* p1, double* p2) noexcept nogil:
    # beta**t by repeated squaring: two calls of libm's pow took as long as
    # an update of 100 coordinates (batch size 1 pays it every row)
    cdef double power1 = 1.0, power2 = 1.0
    while t > 0:
        if t & 1:
            power1 *= b1
            power2 *= b2
        b1 *= b1
        b2 *= b2
        t >>= 1
    p1[0] = power1
    p2[0] = power2


@cython.cdivision(True)
cdef inline void _decay(
    double* coef, Py_ssize_t n, double lr, double weight_decay, const long long* lag, Py_ssize_t n_lag
) noexcept nogil:
    # decoupled weight decay; with lag, coordinate q is decayed lag[q] times:
    # the decays it missed while the lazy sparse step left it alone
    cdef double shrink = 1.0 - lr * weight_decay
    cdef Py_ssize_t j
    if n_lag == 0:
        for j in range(n):
            coef[j] *= shrink
        return
    for j in range(n):
        coef[j] *= pow(shrink, <double>lag[j])


@cython.cdivision(True)
cdef inline void rule_step(
    int rule,
    double* p,
    const double* g,
    double* s,
    Py_ssize_t stride,
    Py_ssize_t n,
    const Hyper* h,
    double lr,
    long long t,
    Py_ssize_t n_coef,
    const long long* lag,
    Py_ssize_t n_lag,
) noexcept nogil:
    """One update of rule ``rule`` on ``p[:n]``; ``p[:n_coef]`` are the decayed coefficients."""
    cdef Py_ssize_t j
    cdef double beta, b1, b2, eps, power1, power2, step, inv_root2, c_m, c_g, gj, c
    cdef double* m
    cdef double* v
    cdef double* v_max
    if rule == SGD:
        beta = h.momentum
        v = s
        if beta == 0.0:
            for j in range(n):
                p[j] -= lr * g[j]
        elif h.nesterov != 0.0:
            for j in range(n):
                v[j] = beta * v[j] + g[j]
                p[j] -= lr * (g[j] + beta * v[j])
        else:
            for j in range(n):
                v[j] = beta * v[j] + g[j]
                p[j] -= lr * v[j]
        return
    if rule == ADAGRAD:
        eps = h.eps
        for j in range(n):
            s[j] += g[j] * g[j]
            p[j] -= lr * g[j] / (sqrt(s[j]) + eps)
        return
    if rule == RMSPROP:
        for j in range(n):
            s[j] = h.rho * s[j] + (1.0 - h.rho) * g[j] * g[j]
            p[j] -= lr * g[j] / (sqrt(s[j]) + h.eps)
        return
    if rule == ADAM or rule == ADAMW:
        if rule == ADAMW:
            _decay(p, n_coef, lr, h.weight_decay, lag, n_lag)
        b1, b2, eps = h.beta1, h.beta2, h.eps
        m, v, v_max = s, s + stride, s + 2 * stride
        _powers(b1, b2, t, &power1, &power2)
        # m_hat / (sqrt(v_hat) + eps) with the corrections taken out of the
        # loop (as PyTorch does): one division and one square root per coordinate
        step = lr / (1.0 - power1)
        inv_root2 = 1.0 / sqrt(1.0 - power2)
        if h.amsgrad == 0.0:
            for j in range(n):
                gj = g[j]
                m[j] = b1 * m[j] + (1.0 - b1) * gj
                v[j] = b2 * v[j] + (1.0 - b2) * gj * gj
                p[j] -= step * m[j] / (sqrt(v[j]) * inv_root2 + eps)
            return
        for j in range(n):
            gj = g[j]
            m[j] = b1 * m[j] + (1.0 - b1) * gj
            v[j] = b2 * v[j] + (1.0 - b2) * gj * gj
            v_max[j] = max(v_max[j], v[j])
            p[j] -= step * m[j] / (sqrt(v_max[j]) * inv_root2 + eps)
        return
    if rule == NADAM:
        b1, b2, eps = h.beta1, h.beta2, h.eps
        m, v = s, s + stride
        _powers(b1, b2, t, &power1, &power2)
        # the bias corrections as per-step constants: one division per coordinate
        c_m = b1 / (1.0 - power1 * b1)
        c_g = (1.0 - b1) / (1.0 - power1)
        inv_root2 = 1.0 / sqrt(1.0 - power2)
        for j in range(n):
            gj = g[j]
            m[j] = b1 * m[j] + (1.0 - b1) * gj
            v[j] = b2 * v[j] + (1.0 - b2) * gj * gj
            p[j] -= lr * (c_m * m[j] + c_g * gj) / (sqrt(v[j]) * inv_root2 + eps)
        return
    if rule == LION:
        # Chen et al. (2023): the sign of an interpolation of the momentum and
        # the gradient, after decoupled weight decay of the coefficients
        _decay(p, n_coef, lr, h.weight_decay, lag, n_lag)
        b1, b2 = h.beta1, h.beta2
        m = s
        for j in range(n):
            gj = g[j]
            c = b1 * m[j] + (1.0 - b1) * gj
            p[j] -= lr * ((c > 0.0) - (c < 0.0))
            m[j] = b2 * m[j] + (1.0 - b2) * gj
        return
    # A code with no branch: NaN, never a silent no-op (a fit then stops with
    # an error, and the registry test, which probes every code, fails).
    for j in range(n):
        p[j] = NAN
