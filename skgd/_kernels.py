"""The compiled layer: numba versions of the losses, penalties and update rules,
and the two loops that use them (one epoch of updates; the full objective).

Nothing here is compiled at import of :mod:`skgd`: this module is imported on
the first fit, and numba compiles each function on its first call and caches
the machine code on disk (``cache=True``). Dispatch is by integer code rather
than by passing functions, because numba cannot cache a function that takes
other compiled functions as arguments.
"""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np

from . import penalties
from .losses import _FUNCTIONS as _LOSS_FUNCTIONS
from .optimizers import adagrad, adam, adamw, nadam, rmsprop, sgd


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


#: One row-major data set. Dense: ``X`` is C-contiguous (n, d) and the CSR
#: arrays are empty; sparse: ``values/indices/indptr`` hold the CSR matrix.
Data = namedtuple("Data", ["X", "values", "indices", "indptr", "sparse", "y", "w"])
#: What defines J besides the data: sizes, loss, penalty.
Model = namedtuple(
    "Model", ["n_features", "n_outputs", "loss", "loss_param", "a2", "a1", "fit_intercept"]
)

(
    _squared_error,
    _huber,
    _epsilon_insensitive,
    _squared_epsilon_insensitive,
    _log_loss,
    _multinomial_log_loss,
    _hinge,
    _squared_hinge,
    _modified_huber,
    _poisson,
    _exp_squared_error,
) = (_jit(fn) for fn in _LOSS_FUNCTIONS)

_penalty_value = _jit(penalties.penalty_value)
_add_penalty_gradient = _jit(penalties.add_penalty_gradient)
_sgd = _jit(sgd.sgd_update)
_adagrad = _jit(adagrad.adagrad_update)
_rmsprop = _jit(rmsprop.rmsprop_update)
_adam = _jit(adam.adam_update)
_decay = _jit(adamw.decoupled_weight_decay)
_nadam = _jit(nadam.nadam_update)

SGD, ADAGRAD, RMSPROP, ADAM, ADAMW, NADAM = (
    sgd.SGD._code,
    adagrad.AdaGrad._code,
    rmsprop.RMSProp._code,
    adam.Adam._code,
    adamw.AdamW._code,
    nadam.NAdam._code,
)


@_jit
def loss_gradient(code, y, eta, grad, param):
    """Value of loss number ``code`` at one row; writes dL/d(eta) into grad."""
    if code == 0:
        return _squared_error(y, eta, grad, param)
    if code == 1:
        return _huber(y, eta, grad, param)
    if code == 2:
        return _epsilon_insensitive(y, eta, grad, param)
    if code == 3:
        return _squared_epsilon_insensitive(y, eta, grad, param)
    if code == 4:
        return _log_loss(y, eta, grad, param)
    if code == 5:
        return _multinomial_log_loss(y, eta, grad, param)
    if code == 6:
        return _hinge(y, eta, grad, param)
    if code == 7:
        return _squared_hinge(y, eta, grad, param)
    if code == 8:
        return _modified_huber(y, eta, grad, param)
    if code == 9:
        return _poisson(y, eta, grad, param)
    return _exp_squared_error(y, eta, grad, param)


@_jit
def optimizer_step(code, params, grad, slots, hyper, lr, t, n_coef):
    """One update of optimizer number ``code``, in place."""
    if code == SGD:
        _sgd(params, grad, slots, hyper, lr, t, n_coef)
    elif code == ADAGRAD:
        _adagrad(params, grad, slots, hyper, lr, t, n_coef)
    elif code == RMSPROP:
        _rmsprop(params, grad, slots, hyper, lr, t, n_coef)
    elif code == ADAM:
        _adam(params, grad, slots, hyper, lr, t, n_coef)
    elif code == ADAMW:
        _decay(params, lr, hyper[4], n_coef)
        _adam(params, grad, slots, hyper, lr, t, n_coef)
    elif code == NADAM:
        _nadam(params, grad, slots, hyper, lr, t, n_coef)


@_jit
def _row_eta(data, i, params, n_features, n_outputs, eta):
    """eta = x_i @ W + b with W stored row-major as params[:d*K]."""
    offset = n_features * n_outputs
    for k in range(n_outputs):
        eta[k] = params[offset + k]
    if data.sparse:
        for p in range(data.indptr[i], data.indptr[i + 1]):
            x = data.values[p]
            base = data.indices[p] * n_outputs
            for k in range(n_outputs):
                eta[k] += x * params[base + k]
    else:
        for j in range(n_features):
            x = data.X[i, j]
            base = j * n_outputs
            for k in range(n_outputs):
                eta[k] += x * params[base + k]


@_jit
def _row_accumulate(data, i, scale, geta, n_features, n_outputs, grad):
    """grad[W] += scale * x_i (outer) geta; grad[b] += scale * geta."""
    offset = n_features * n_outputs
    for k in range(n_outputs):
        grad[offset + k] += scale * geta[k]
    if data.sparse:
        for p in range(data.indptr[i], data.indptr[i + 1]):
            x = scale * data.values[p]
            base = data.indices[p] * n_outputs
            for k in range(n_outputs):
                grad[base + k] += x * geta[k]
    else:
        for j in range(n_features):
            x = scale * data.X[i, j]
            if x != 0.0:
                base = j * n_outputs
                for k in range(n_outputs):
                    grad[base + k] += x * geta[k]


@_jit
def run_epoch(data, model, opt_code, hyper, slots, params, order, batch_size, lr, t):
    """One pass over ``order`` in batches; each batch takes one optimizer step.

    A batch's gradient is the weighted mean of its rows' loss gradients plus
    the penalty's gradient, so it estimates the gradient of J without bias.
    Batches whose weights are all zero make no update. Returns the new
    update count ``t``.
    """
    d = model.n_features
    n_out = model.n_outputs
    n_coef = d * n_out
    grad = np.zeros(params.shape[0])
    eta = np.empty(n_out)
    geta = np.empty(n_out)
    n = order.shape[0]
    start = 0
    while start < n:
        stop = min(start + batch_size, n)
        grad[:] = 0.0
        weight_sum = 0.0
        for idx in range(start, stop):
            i = order[idx]
            wi = data.w[i]
            if wi == 0.0:
                continue
            _row_eta(data, i, params, d, n_out, eta)
            loss_gradient(model.loss, data.y[i], eta, geta, model.loss_param)
            _row_accumulate(data, i, wi, geta, d, n_out, grad)
            weight_sum += wi
        start = stop
        if weight_sum == 0.0:
            continue
        inv = 1.0 / weight_sum
        for j in range(params.shape[0]):
            grad[j] *= inv
        if not model.fit_intercept:
            for k in range(n_out):
                grad[n_coef + k] = 0.0
        _add_penalty_gradient(params, n_coef, model.a2, model.a1, grad)
        t += 1
        optimizer_step(opt_code, params, grad, slots, hyper, lr, t, n_coef)
    return t


@_jit
def objective(data, model, params, grad, want_grad):
    """J(params) over all rows; with ``want_grad`` also writes its gradient."""
    d = model.n_features
    n_out = model.n_outputs
    n_coef = d * n_out
    eta = np.empty(n_out)
    geta = np.empty(n_out)
    if want_grad:
        grad[:] = 0.0
    total = 0.0
    weight_sum = 0.0
    for i in range(data.y.shape[0]):
        wi = data.w[i]
        if wi == 0.0:
            continue
        _row_eta(data, i, params, d, n_out, eta)
        total += wi * loss_gradient(model.loss, data.y[i], eta, geta, model.loss_param)
        weight_sum += wi
        if want_grad:
            _row_accumulate(data, i, wi, geta, d, n_out, grad)
    value = total / weight_sum
    if want_grad:
        for j in range(params.shape[0]):
            grad[j] /= weight_sum
        if not model.fit_intercept:
            for k in range(n_out):
                grad[n_coef + k] = 0.0
        _add_penalty_gradient(params, n_coef, model.a2, model.a1, grad)
    return value + _penalty_value(params, n_coef, model.a2, model.a1)


def make_data(X, y, w) -> Data:
    """Pack validated arrays for the kernels without copying X when possible."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    w = np.ascontiguousarray(w, dtype=np.float64)
    if hasattr(X, "indptr"):
        X = X.tocsr() if X.format != "csr" else X
        if not X.has_sorted_indices:
            X = X.sorted_indices()
        indices = X.indices
        indptr = X.indptr.astype(indices.dtype, copy=False)
        return Data(np.empty((0, 0), X.dtype), X.data, indices, indptr, True, y, w)
    X = np.ascontiguousarray(X)
    empty_i = np.empty(0, np.int32)
    return Data(X, np.empty(0, X.dtype), empty_i, empty_i, False, y, w)
