# cython: language_level=3
"""The losses' values and derivatives, compiled: one branch per registered loss.

``loss_gradient(loss, y, eta, geta, K, param)`` returns L(y, eta) for the K
linear scores ``eta`` of one row and writes dL/d(eta) into ``geta``. The
codes below are the positions of the names in ``_losses.NAMES``, which the
Python registry (:data:`skgd.losses.LOSSES`) looks the codes up in; the plain
Python functions of :mod:`skgd.losses` are the reference every branch is
tested against.
"""

cimport cython
from libc.math cimport NAN, exp, fabs, log, log1p

cdef enum:
    SQUARED_ERROR = 0
    HUBER = 1
    EPSILON_INSENSITIVE = 2
    SQUARED_EPSILON_INSENSITIVE = 3
    LOG_LOSS = 4
    MULTINOMIAL_LOG_LOSS = 5
    HINGE = 6
    SQUARED_HINGE = 7
    MODIFIED_HUBER = 8
    POISSON = 9
    EXP_SQUARED_ERROR = 10
    QUANTILE = 11


@cython.cdivision(True)
cdef inline double _side(double y, int K, int k) noexcept nogil:
    # +1 on the side of the true class, -1 on the other
    if K == 1:
        return 1.0 if y > 0.5 else -1.0
    return 1.0 if <int>y == k else -1.0


@cython.cdivision(True)
cdef inline double loss_gradient(
    int loss, double y, const double* eta, double* geta, int K, double param
) noexcept nogil:
    cdef double r, z, e, top, total, lse, value, s, margin, gap, f, excess
    cdef int k, label
    if loss == SQUARED_ERROR:
        r = eta[0] - y
        geta[0] = r
        return 0.5 * r * r
    if loss == HUBER:
        r = eta[0] - y
        if fabs(r) <= param:
            geta[0] = r
            return 0.5 * r * r
        geta[0] = param if r > 0 else -param
        return param * fabs(r) - 0.5 * param * param
    if loss == EPSILON_INSENSITIVE:
        r = eta[0] - y
        if fabs(r) <= param:
            geta[0] = 0.0
            return 0.0
        geta[0] = 1.0 if r > 0 else -1.0
        return fabs(r) - param
    if loss == SQUARED_EPSILON_INSENSITIVE:
        r = eta[0] - y
        excess = fabs(r) - param
        if excess <= 0.0:
            geta[0] = 0.0
            return 0.0
        geta[0] = 2.0 * excess if r > 0 else -2.0 * excess
        return excess * excess
    if loss == LOG_LOSS:
        z = eta[0]
        if z > 0:
            e = exp(-z)
            geta[0] = 1.0 / (1.0 + e) - y
            return z + log1p(e) - y * z
        e = exp(z)
        geta[0] = e / (1.0 + e) - y
        return log1p(e) - y * z
    if loss == MULTINOMIAL_LOG_LOSS:
        top = eta[0]
        for k in range(1, K):
            top = max(top, eta[k])
        total = 0.0
        for k in range(K):
            total += exp(eta[k] - top)
        lse = top + log(total)
        label = <int>y
        for k in range(K):
            geta[k] = exp(eta[k] - lse)
        geta[label] -= 1.0
        return lse - eta[label]
    if loss == HINGE:
        value = 0.0
        for k in range(K):
            s = _side(y, K, k)
            margin = s * eta[k]
            if margin < 1.0:
                geta[k] = -s
                value += 1.0 - margin
            else:
                geta[k] = 0.0
        return value
    if loss == SQUARED_HINGE:
        value = 0.0
        for k in range(K):
            s = _side(y, K, k)
            gap = 1.0 - s * eta[k]
            if gap > 0.0:
                geta[k] = -2.0 * gap * s
                value += gap * gap
            else:
                geta[k] = 0.0
        return value
    if loss == MODIFIED_HUBER:
        value = 0.0
        for k in range(K):
            s = _side(y, K, k)
            margin = s * eta[k]
            if margin >= 1.0:
                geta[k] = 0.0
            elif margin >= -1.0:
                geta[k] = -2.0 * (1.0 - margin) * s
                value += (1.0 - margin) * (1.0 - margin)
            else:
                geta[k] = -4.0 * s
                value += -4.0 * margin
        return value
    if loss == POISSON:
        f = exp(eta[0])
        geta[0] = f - y
        if y > 0.0:
            return f - y - y * (eta[0] - log(y))
        return f
    if loss == EXP_SQUARED_ERROR:
        f = exp(eta[0])
        r = f - y
        geta[0] = r * f
        return 0.5 * r * r
    if loss == QUANTILE:
        # the pinball loss of quantile q = param; at the kink its smallest
        # subgradient, 0
        r = y - eta[0]
        if r > 0.0:
            geta[0] = -param
            return param * r
        if r < 0.0:
            geta[0] = 1.0 - param
            return (param - 1.0) * r
        geta[0] = 0.0
        return 0.0
    # A code with no branch: NaN, never a silent zero loss (J is then not
    # finite, and the registry test, which probes every code, fails).
    for k in range(K):
        geta[k] = NAN
    return NAN
