"""The compiled layer: numba versions of the losses, penalties and update rules,
and the loops that use them (one epoch of updates; the full objective).

Nothing here is compiled at import of :mod:`skgd`: this module is imported on
the first fit, and numba compiles each function on its first call and caches
the machine code on disk (``cache=True``). Dispatch is by integer code rather
than by passing functions, because numba cannot cache a function that takes
other compiled functions as arguments; J's loop is compiled once per loss, a
closure over the loss's code (see :func:`_objective_chunks`).

Cost per epoch, and why:

- Dense rows: every update touches all ``d`` coordinates anyway; a batch of
  one row writes its gradient directly (no zeroing or rescaling of a dense
  buffer), larger batches accumulate into one buffer.
- Sparse rows in mini-batches cost O(nnz) per row, not O(d):

  * plain SGD (no momentum, no L1) keeps ``coef = scale * v`` so that the L2
    shrink of every coordinate is one multiplication of ``scale``
    (scikit-learn's ``wscale``); the result equals the dense update.
  * every other optimizer takes the *lazy* step: a batch updates only the
    coefficients of the columns it touches (and the intercepts), as
    TensorFlow's LazyAdam and PyTorch's SparseAdam do. The moments of an
    untouched coordinate do not decay meanwhile, and the penalty gradient it
    missed is added, times the number of skipped updates, when it is touched
    again, so the penalty keeps its weight in J. AdamW's decay is caught up
    exactly. At the end of each epoch every coordinate with missed penalty
    takes one catch-up step. When each batch touches every column (dense data
    stored as CSR) this is exactly the dense update.
- CSR column indices are read as ``np.uintp`` where they index the
  parameters: a signed index makes numba test it for negative values (Python's
  wraparound) at every stored value (a sparse SGD epoch's loop: 74 ms with
  signed indices, 64 ms without).
  :func:`make_data` has checked that they lie in ``[0, d)``.
- The full objective (``loss_curve_``, stopping, the full-batch gradient) is
  split over a fixed number of row chunks run in parallel threads (Python
  threads: the loops release the GIL); the chunk sums are added in a fixed
  order, so the result does not depend on the number of threads.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils
from numba.extending import intrinsic

from . import penalties
from .losses import _FUNCTIONS as _LOSS_FUNCTIONS
from .optimizers import adagrad, adam, adamw, nadam, rmsprop, sgd

#: Reassociation lets LLVM vectorize the row dot products (sums of d terms);
#: no flag that assumes finite values, so overflow is still seen as inf/NaN.
_FASTMATH = {"reassoc", "contract"}
#: numba's default ("python") checks every float division for a zero divisor
#: to raise ZeroDivisionError, and that branch stops LLVM from vectorizing any
#: loop that divides (Adam's update ran scalar). With "numpy", x / 0 is inf or
#: NaN, which the training loop reports as divergence.
_OPTIONS = dict(cache=True, nogil=True, fastmath=_FASTMATH, error_model="numpy")


def _jit(fn):
    return numba.njit(**_OPTIONS)(fn)


def _jit_exact(fn, inline="never"):
    # The update rules are element-wise loops that vectorize without
    # reassociation, and with it LLVM turned ``(lr / c) * m`` into
    # ``lr * m / c``: a division per coordinate instead of one per step
    # (Adam's update took 40 % longer).
    return numba.njit(inline=inline, **{**_OPTIONS, "fastmath": False})(fn)


def _jit_inline(fn):
    # The per-row helpers are inlined into the loops (numba's IR inlining):
    # as calls, LLVM neither hoists their loads nor vectorizes them across
    # the call, which made an epoch three times slower than the same loops
    # written in place.
    return numba.njit(inline="always", **_OPTIONS)(fn)


#: Rows per chunk of the parallel objective, and the most chunks: a fixed split
#: (not one per thread) keeps J bit-for-bit the same on any number of cores.
#: Each chunk of a gradient pass holds its own n_params sums, so chunks cost
#: memory on wide models: 8 chunks of a 100,000-column sparse fit held 0.11
#: times the size of X; 4 keep J's pass spread over up to 4 cores.
_CHUNK_ROWS = 2048
_MAX_CHUNKS = 4
#: No coordinate list: update every parameter.
_ALL = np.empty(0, np.int64)


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
_add_penalty_gradient = _jit_inline(penalties.add_penalty_gradient)
# The rules are inlined into _step (itself compiled without fastmath): every
# call between compiled functions counts references to the arrays it passes,
# and the second call per step cost 65 ns (a batch-1 SGD epoch over 200,000 x
# 100 rows in file order: 0.056 s with it, 0.043 s inlined).
_sgd = _jit_exact(sgd.sgd_update, inline="always")
_adagrad = _jit_exact(adagrad.adagrad_update, inline="always")
_rmsprop = _jit_exact(rmsprop.rmsprop_update, inline="always")
_adam = _jit_exact(adam.adam_update, inline="always")
_decay = _jit_exact(adamw.decoupled_weight_decay, inline="always")
_nadam = _jit_exact(nadam.nadam_update, inline="always")

SGD, ADAGRAD, RMSPROP, ADAM, ADAMW, NADAM = (
    sgd.SGD._code,
    adagrad.AdaGrad._code,
    rmsprop.RMSProp._code,
    adam.Adam._code,
    adamw.AdamW._code,
    nadam.NAdam._code,
)


def _loss_gradient(code, y, eta, grad, param):
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


loss_gradient = _jit(_loss_gradient)
#: For loops compiled for one loss (a constant ``code``): inlined, numba drops
#: the other branches, and LLVM then inlines the one small loss function.
_one_loss_gradient = _jit_inline(_loss_gradient)


@_jit_exact
def _step(code, params, grad, slots, hyper, lr, t, n_coef, lag):
    """One update of optimizer number ``code`` on every entry of ``params``, in place.

    ``params[:n_coef]`` are the coefficients, the only entries AdamW decays:
    once each when ``lag`` is empty, else ``lag[q]`` times (the lazy step).
    """
    if code == SGD:
        _sgd(params, grad, slots, hyper, lr, t)
    elif code == ADAGRAD:
        _adagrad(params, grad, slots, hyper, lr, t)
    elif code == RMSPROP:
        _rmsprop(params, grad, slots, hyper, lr, t)
    elif code == ADAM:
        _adam(params, grad, slots, hyper, lr, t)
    elif code == ADAMW:
        _decay(params[:n_coef], lr, hyper[4], lag)
        _adam(params, grad, slots, hyper, lr, t)
    elif code == NADAM:
        _nadam(params, grad, slots, hyper, lr, t)


@_jit
def _lazy_step(code, params, grad, slots, hyper, lr, t, n_coef, index, lag, n_index, buffers):
    """One update of the coordinates ``index[:n_index]`` only (the lazy sparse step).

    They are gathered into contiguous pieces of ``buffers`` (length at least
    ``(n_slots + 2) * n_index``), updated there by the same compiled rule as a
    dense step (same array types, so nothing more to compile), and scattered
    back. ``lag[q]`` counts the updates coordinate ``index[q]`` missed; the
    coefficients come before the intercepts in ``index``.
    """
    n_slots = slots.shape[0]
    p = buffers[:n_index]
    g = buffers[n_index : 2 * n_index]
    s = buffers[2 * n_index : (2 + n_slots) * n_index].reshape((n_slots, n_index))
    n_c = np.int64(0)  # a plain 0 is typed Literal[int](0): one more _step to compile
    for q in range(n_index):
        j = index[q]
        p[q] = params[j]
        g[q] = grad[j]
        for k in range(n_slots):
            s[k, q] = slots[k, j]
        if j < n_coef:
            n_c += 1
    _step(code, p, g, s, hyper, lr, t, n_c, lag[:n_c])
    for q in range(n_index):
        j = index[q]
        params[j] = p[q]
        for k in range(n_slots):
            slots[k, j] = s[k, q]


@intrinsic
def _prefetch(typingctx, array, index):
    """Ask the CPU to start loading the cache line of ``array[index]`` (LLVM's
    prefetch); ``index`` is an integer, or a tuple of them for a 2-d array."""
    if not isinstance(array, numba.types.Array):
        return None
    tuple_index = isinstance(index, numba.types.BaseTuple)

    def codegen(context, builder, signature, args):
        array_type, index_type = signature.args
        view = context.make_array(array_type)(context, builder, args[0])
        indices = cgutils.unpack_tuple(builder, args[1]) if tuple_index else [args[1]]
        pointer = cgutils.get_item_pointer(
            context, builder, array_type, view, indices, wraparound=False
        )
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
            "llvm.prefetch.p0",
        )
        # read, keep in all cache levels, data cache
        arguments = [builder.bitcast(pointer, byte_pointer)] + [
            ir.Constant(i32, k) for k in (0, 3, 1)
        ]
        builder.call(function, arguments)
        return context.get_dummy_value()

    return numba.types.void(array, index), codegen


#: How far ahead in the row order memory is requested. Shuffled rows are
#: scattered over memory, and waiting for each one was half of an epoch
#: (measured on 200,000 x 100 dense rows: 74 ms per pass in shuffled order,
#: 19 ms in order, 58 ms with rows requested ahead; CSR text rows 83 ms, and
#: 45 ms with the two stages below).
_AHEAD = 4


@_jit_inline
def _prefetch_row(data, order, idx):
    """Request the memory of the rows ahead of ``order[idx]``.

    Two stages: for the row ``2 * _AHEAD`` places ahead its label, weight and
    CSR row bounds; for the row ``_AHEAD`` ahead (whose bounds are in cache by
    now, so reading them does not stall) its values and column indices.
    """
    n = order.shape[0]
    if idx + 2 * _AHEAD < n:
        far = order[idx + 2 * _AHEAD]
        _prefetch(data.y, far)
        _prefetch(data.w, far)
        if data.sparse:
            _prefetch(data.indptr, far)
    if idx + _AHEAD >= n:
        return
    i = order[idx + _AHEAD]
    if data.sparse:
        lo, hi = data.indptr[i], data.indptr[i + 1]
        if hi > lo:
            for p in range(lo, hi, max(1, 64 // data.values.itemsize)):
                _prefetch(data.values, p)
            _prefetch(data.values, hi - 1)
            for p in range(lo, hi, 64 // data.indices.itemsize):
                _prefetch(data.indices, p)
            _prefetch(data.indices, hi - 1)
        return
    for j in range(0, data.X.shape[1], max(1, 64 // data.X.itemsize)):
        _prefetch(data.X, (i, j))
    _prefetch(data.X, (i, data.X.shape[1] - 1))


@_jit_inline
def _dense_dot(X, i, params, n_features):
    """x_i @ params[:d] for a dense row.

    The loops call this directly for dense single-output rows instead of
    :func:`_row_eta`: with the sparse and multi-output branches around it
    LLVM does not vectorize the loop (measured on 200,000 x 100 rows in order:
    an epoch of 32-row batches in 29 ms instead of 61 ms). The ``if fast``
    branch is therefore written out at each call site: wrapped in one inline
    helper it was as slow again (measured 60 ms).
    """
    acc = 0.0
    for j in range(n_features):
        acc += X[i, j] * params[j]
    return acc


@_jit_inline
def _dense_axpy(X, i, g, grad, n_features):
    """grad[:d] += g * x_i and grad[d] += g (the intercept) for a dense row."""
    for j in range(n_features):
        grad[j] += X[i, j] * g
    grad[n_features] += g


@_jit_inline
def _dense_write(X, i, g, grad, n_features):
    """grad[:d] = g * x_i for a dense row."""
    for j in range(n_features):
        grad[j] = X[i, j] * g


@_jit_inline
def _row_eta(data, i, params, n_features, n_outputs, eta):
    """eta = x_i @ W + b with W stored row-major as params[:d*K]."""
    offset = n_features * n_outputs
    for k in range(n_outputs):
        eta[k] = params[offset + k]
    if data.sparse and n_outputs == 1:
        # the one-output case written out: the loop over k cost as much again
        acc = eta[0]
        for p in range(data.indptr[i], data.indptr[i + 1]):
            acc += data.values[p] * params[np.uintp(data.indices[p])]
        eta[0] = acc
    elif data.sparse:
        for p in range(data.indptr[i], data.indptr[i + 1]):
            x = data.values[p]
            base = data.indices[p] * n_outputs
            for k in range(n_outputs):
                eta[k] += x * params[base + k]
    elif n_outputs == 1:
        acc = eta[0]
        for j in range(n_features):
            acc += data.X[i, j] * params[j]
        eta[0] = acc
    else:
        for j in range(n_features):
            x = data.X[i, j]
            base = j * n_outputs
            for k in range(n_outputs):
                eta[k] += x * params[base + k]


@_jit_inline
def _row_accumulate(data, i, scale, geta, n_features, n_outputs, grad):
    """grad[W] += scale * x_i (outer) geta; grad[b] += scale * geta."""
    offset = n_features * n_outputs
    for k in range(n_outputs):
        grad[offset + k] += scale * geta[k]
    if data.sparse and n_outputs == 1:
        g = scale * geta[0]
        for p in range(data.indptr[i], data.indptr[i + 1]):
            grad[np.uintp(data.indices[p])] += data.values[p] * g
    elif data.sparse:
        for p in range(data.indptr[i], data.indptr[i + 1]):
            x = scale * data.values[p]
            base = data.indices[p] * n_outputs
            for k in range(n_outputs):
                grad[base + k] += x * geta[k]
    elif n_outputs == 1:
        g = scale * geta[0]
        for j in range(n_features):
            grad[j] += data.X[i, j] * g
    else:
        for j in range(n_features):
            x = scale * data.X[i, j]
            if x != 0.0:
                base = j * n_outputs
                for k in range(n_outputs):
                    grad[base + k] += x * geta[k]


@_jit
def _row_accumulate_abs(data, i, scale, geta, n_features, n_outputs, grad):
    """grad[W] += scale * |x_i| (outer) |geta|; grad[b] += scale * |geta|.

    The sums of the gradient's terms without their signs: the gradient's size
    before any cancellation, which scales the optimality measure (one pass
    per fit, so kept simple rather than fast).
    """
    offset = n_features * n_outputs
    for k in range(n_outputs):
        grad[offset + k] += scale * abs(geta[k])
    if data.sparse:
        for p in range(data.indptr[i], data.indptr[i + 1]):
            x = scale * abs(data.values[p])
            base = data.indices[p] * n_outputs
            for k in range(n_outputs):
                grad[base + k] += x * abs(geta[k])
    else:
        for j in range(n_features):
            x = scale * abs(data.X[i, j])
            base = j * n_outputs
            for k in range(n_outputs):
                grad[base + k] += x * abs(geta[k])


@_jit
def _finish_gradient(model, params, grad, n_coef, inv):
    """Mean over the batch's weight, no intercept gradient if not fitted, penalty."""
    for j in range(params.shape[0]):
        grad[j] *= inv
    if not model.fit_intercept:
        for k in range(model.n_outputs):
            grad[n_coef + k] = 0.0
    _add_penalty_gradient(params, n_coef, model.a2, model.a1, grad)


@_jit
def _dense_epoch(data, model, opt_code, hyper, slots, params, order, batch_size, lr, t):
    """Mini-batches over rows of any kind, with a dense gradient buffer."""
    d = model.n_features
    n_out = model.n_outputs
    n_coef = d * n_out
    fast = not data.sparse and n_out == 1
    # Plain SGD on one dense row: the step fused with the row's gradient, as
    # scikit-learn's SGD does (no gradient buffer, no call of _step).
    fused = fast and opt_code == SGD and hyper[0] == 0.0 and model.a1 == 0.0
    a2 = model.a2
    grad = np.zeros(params.shape[0])
    # not the global _ALL: numba types a global array as read-only, and a
    # second array type would compile _step (every rule) a second time
    no_lag = np.empty(0, np.int64)
    eta = np.empty(n_out)
    geta = np.empty(n_out)
    n = order.shape[0]
    start = 0
    while start < n:
        stop = min(start + batch_size, n)
        m = 0
        if stop - start == 1 and not data.sparse:
            # One dense row: write its gradient instead of zeroing, adding and
            # rescaling a dense buffer (three passes over d saved per row).
            i = order[start]
            _prefetch_row(data, order, start)
            start = stop
            wi = data.w[i]
            if wi == 0.0:
                continue
            if fast:
                eta[0] = params[n_coef] + _dense_dot(data.X, i, params, d)
            else:
                _row_eta(data, i, params, d, n_out, eta)
            loss_gradient(model.loss, data.y[i], eta, geta, model.loss_param)
            # weights have mean 1 over the rows trained on, so the one-row
            # batch steps along w_i * dL_i: unbiased for the gradient of J
            for k in range(n_out):
                geta[k] *= wi
            if fused:
                t += 1
                g = geta[0]
                for j in range(d):
                    params[j] -= lr * (data.X[i, j] * g + a2 * params[j])
                if model.fit_intercept:
                    params[d] -= lr * g
                continue
            if fast:
                _dense_write(data.X, i, geta[0], grad, d)
            else:
                for j in range(d):
                    x = data.X[i, j]
                    for k in range(n_out):
                        grad[j * n_out + k] = x * geta[k]
            for k in range(n_out):
                grad[n_coef + k] = geta[k] if model.fit_intercept else 0.0
            _add_penalty_gradient(params, n_coef, model.a2, model.a1, grad)
            t += 1
            _step(opt_code, params, grad, slots, hyper, lr, t, n_coef, no_lag)
            continue
        grad[:] = 0.0
        for idx in range(start, stop):
            i = order[idx]
            _prefetch_row(data, order, idx)
            wi = data.w[i]
            if wi == 0.0:
                continue
            if fast:
                eta[0] = params[n_coef] + _dense_dot(data.X, i, params, d)
            else:
                _row_eta(data, i, params, d, n_out, eta)
            loss_gradient(model.loss, data.y[i], eta, geta, model.loss_param)
            if fast:
                _dense_axpy(data.X, i, wi * geta[0], grad, d)
            else:
                _row_accumulate(data, i, wi, geta, d, n_out, grad)
            m += 1
        start = stop
        if m == 0:
            continue
        # the mean of w_i dL_i over the batch's rows (weights of mean 1): an
        # unbiased estimate of the gradient of J at every batch size
        _finish_gradient(model, params, grad, n_coef, 1.0 / m)
        t += 1
        _step(opt_code, params, grad, slots, hyper, lr, t, n_coef, no_lag)
    return t


@_jit
def _sparse_sgd_epoch(data, model, params, order, batch_size, lr, t):
    """Plain SGD with L2 on CSR rows in O(nnz) per row: ``coef = scale * v``.

    The step ``coef <- (1 - lr a2) coef - lr g_data`` becomes ``scale *= (1 -
    lr a2)`` and ``v[cols] -= lr g_data[cols] / scale``; ``v`` is folded back
    into ``params`` when ``scale`` gets small and at the end of the epoch.
    """
    d = model.n_features
    n_out = model.n_outputs
    n_coef = d * n_out
    shrink = 1.0 - lr * model.a2
    geta_batch = np.empty((batch_size, n_out))
    rows = np.empty(batch_size, np.int64)
    eta = np.empty(n_out)
    geta = np.empty(n_out)
    gb = np.empty(n_out)
    scale = 1.0
    n = order.shape[0]
    start = 0
    while start < n:
        stop = min(start + batch_size, n)
        m = 0
        for k in range(n_out):
            gb[k] = 0.0
        for idx in range(start, stop):
            i = order[idx]
            _prefetch_row(data, order, idx)
            wi = data.w[i]
            if wi == 0.0:
                continue
            for k in range(n_out):
                eta[k] = 0.0
            if n_out == 1:
                acc = 0.0
                for p in range(data.indptr[i], data.indptr[i + 1]):
                    acc += data.values[p] * params[np.uintp(data.indices[p])]
                eta[0] = acc
            else:
                for p in range(data.indptr[i], data.indptr[i + 1]):
                    x = data.values[p]
                    base = data.indices[p] * n_out
                    for k in range(n_out):
                        eta[k] += x * params[base + k]
            for k in range(n_out):
                eta[k] = scale * eta[k] + params[n_coef + k]
            loss_gradient(model.loss, data.y[i], eta, geta, model.loss_param)
            rows[m] = i
            for k in range(n_out):
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
                params[j] *= scale
            scale = 1.0
            if shrink <= 1e-9:
                for j in range(n_coef):
                    params[j] *= shrink
            else:
                scale = shrink
        else:
            scale *= shrink
        c = lr / m  # the batch's mean of w_i dL_i (weights of mean 1)
        c_v = c / scale  # one division per batch, not one per stored value
        for r in range(m):
            i = rows[r]
            if n_out == 1:
                g = c_v * geta_batch[r, 0]
                for p in range(data.indptr[i], data.indptr[i + 1]):
                    params[np.uintp(data.indices[p])] -= g * data.values[p]
                continue
            for p in range(data.indptr[i], data.indptr[i + 1]):
                x = c_v * data.values[p]
                base = data.indices[p] * n_out
                for k in range(n_out):
                    params[base + k] -= x * geta_batch[r, k]
        if model.fit_intercept:
            for k in range(n_out):
                params[n_coef + k] -= c * gb[k]
    if scale != 1.0:
        for j in range(n_coef):
            params[j] *= scale
    return t


@_jit
def _sparse_lazy_epoch(data, model, opt_code, hyper, slots, params, order, batch_size, lr, t):
    """Mini-batches on CSR rows updating only the touched coordinates (see module doc)."""
    d = model.n_features
    n_out = model.n_outputs
    n_coef = d * n_out
    n_par = params.shape[0]
    a2, a1 = model.a2, model.a1
    decays = opt_code == ADAMW and hyper[4] != 0.0
    catch_up = a2 != 0.0 or a1 != 0.0 or decays
    grad = np.zeros(n_par)
    mark = np.full(d, -1, np.int64)
    last = np.full(d, t, np.int64)  # the update count when each column was last stepped
    cols = np.empty(d, np.int64)
    index = np.empty(n_par, np.int64)
    lag = np.empty(n_par, np.int64)
    # gather buffers for the most coordinates one batch can touch (the
    # end-of-epoch catch-up goes through them in pieces of that size)
    widest = 0
    for i in range(data.y.shape[0]):
        widest = max(widest, data.indptr[i + 1] - data.indptr[i])
    cap = max(1, min(n_par, batch_size * widest * n_out + n_out))
    buffers = np.empty((2 + slots.shape[0]) * cap)
    eta = np.empty(n_out)
    geta = np.empty(n_out)
    n = order.shape[0]
    start = 0
    batch = 0
    while start < n:
        stop = min(start + batch_size, n)
        m = 0
        n_cols = 0
        for k in range(n_out):
            grad[n_coef + k] = 0.0
        for idx in range(start, stop):
            i = order[idx]
            _prefetch_row(data, order, idx)
            wi = data.w[i]
            if wi == 0.0:
                continue
            _row_eta(data, i, params, d, n_out, eta)
            loss_gradient(model.loss, data.y[i], eta, geta, model.loss_param)
            for p in range(data.indptr[i], data.indptr[i + 1]):
                if data.values[p] == 0.0:
                    # a stored zero touches nothing: the same model as without it
                    continue
                j = data.indices[p]
                base = j * n_out
                if mark[j] != batch:
                    mark[j] = batch
                    cols[n_cols] = j
                    n_cols += 1
                    for k in range(n_out):
                        grad[base + k] = 0.0
                x = wi * data.values[p]
                for k in range(n_out):
                    grad[base + k] += x * geta[k]
            for k in range(n_out):
                grad[n_coef + k] += wi * geta[k]
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
            for k in range(n_out):
                q = j * n_out + k
                g = grad[q] * inv
                if catch_up:
                    v = params[q]
                    g += missed * (a2 * v + a1 * np.sign(v))
                grad[q] = g
                index[n_index] = q
                lag[n_index] = missed
                n_index += 1
        if model.fit_intercept:
            for k in range(n_out):
                grad[n_coef + k] *= inv
                index[n_index] = n_coef + k
                lag[n_index] = 1
                n_index += 1
        _lazy_step(
            opt_code, params, grad, slots, hyper, lr, t, n_coef, index, lag, n_index, buffers
        )
    if catch_up:
        # the penalty (and decay) the untouched coordinates missed since their last step
        n_index = 0
        for j in range(d):
            missed = t - last[j]
            if missed > 0:
                for k in range(n_out):
                    q = j * n_out + k
                    v = params[q]
                    grad[q] = missed * (a2 * v + a1 * np.sign(v))
                    index[n_index] = q
                    lag[n_index] = missed
                    n_index += 1
        for lo in range(0, n_index, cap):
            hi = min(n_index, lo + cap)
            _lazy_step(
                opt_code, params, grad, slots, hyper, lr, t, n_coef,
                index[lo:], lag[lo:], hi - lo, buffers,
            )
    return t


def run_epoch(data, model, opt_code, hyper, slots, params, order, batch_size, lr, t):
    """One pass over ``order`` in batches; each batch takes one optimizer step.

    A batch's gradient is the weighted mean of its rows' loss gradients plus
    the penalty's gradient, so it estimates the gradient of J without bias.
    Batches whose weights are all zero make no update. Returns the new
    update count ``t``. Sparse mini-batches take the O(nnz) paths described
    in the module docstring. The choice is made here, in Python, so that a
    dense fit never compiles the sparse loops (compiling is most of a cold
    start).
    """
    if data.sparse and batch_size < order.shape[0]:
        if opt_code == SGD and hyper[0] == 0.0 and model.a1 == 0.0:
            return _sparse_sgd_epoch(data, model, params, order, batch_size, lr, t)
        return _sparse_lazy_epoch(
            data, model, opt_code, hyper, slots, params, order, batch_size, lr, t
        )
    return _dense_epoch(data, model, opt_code, hyper, slots, params, order, batch_size, lr, t)


@functools.cache
def _objective_chunks(loss: int):
    """J's row loop compiled for loss number ``loss`` alone.

    The returned function computes chunks ``first`` to ``last - 1`` of J's
    sum (see :func:`objective`): chunk ``c`` writes its weighted loss sum to
    ``totals[c]``, its weight to ``weights[c]`` and, if ``grads`` has rows,
    its gradient sum to ``grads[c]``. The loss is a constant of the closure
    (numba caches closures by the values of their constants). Measured on
    200,000 x 100 rows, one thread: the pass with the loss chosen per row, by
    a call of the generic ``loss_gradient``, took 8 % (float64) to 22 %
    (float32) longer, and compiling every loss into it doubled its compile
    time (6.8 s against 3.3 s). The epoch loops still choose per row: one
    copy of each per loss would multiply their (longer) compiles.
    """

    @_jit
    def chunks(data, model, params, rows, first, last, totals, weights, grads, absolute):
        d = model.n_features
        n_out = model.n_outputs
        n_coef = d * n_out
        fast = not data.sparse and n_out == 1
        want_grad = grads.shape[0] > 0
        n_chunks = totals.shape[0]
        n = data.y.shape[0] if rows.shape[0] == 0 else rows.shape[0]
        eta = np.empty(n_out)
        geta = np.empty(n_out)
        for c in range(first, last):
            lo = c * n // n_chunks
            hi = (c + 1) * n // n_chunks
            total = 0.0
            weight_sum = 0.0
            if want_grad:
                grads[c, :] = 0.0
            for r in range(lo, hi):
                i = r if rows.shape[0] == 0 else rows[r]
                wi = data.w[i]
                if wi == 0.0:
                    continue
                if fast:
                    eta[0] = params[n_coef] + _dense_dot(data.X, i, params, d)
                else:
                    _row_eta(data, i, params, d, n_out, eta)
                total += wi * _one_loss_gradient(loss, data.y[i], eta, geta, model.loss_param)
                weight_sum += wi
                if absolute:
                    _row_accumulate_abs(data, i, wi, geta, d, n_out, grads[c])
                elif want_grad:
                    if fast:
                        _dense_axpy(data.X, i, wi * geta[0], grads[c], d)
                    else:
                        _row_accumulate(data, i, wi, geta, d, n_out, grads[c])
            totals[c] = total
            weights[c] = weight_sum

    return chunks


@_jit
def _objective_sum(model, params, grad, totals, weights, grads):
    """J from the chunk sums, added in chunk order; the gradient too if ``grads`` has rows."""
    n_coef = model.n_features * model.n_outputs
    total = 0.0
    weight_sum = 0.0
    for c in range(totals.shape[0]):
        total += totals[c]
        weight_sum += weights[c]
    if grads.shape[0] > 0:
        grad[:] = 0.0
        for c in range(grads.shape[0]):
            for j in range(grad.shape[0]):
                grad[j] += grads[c, j]
        _finish_gradient(model, params, grad, n_coef, 1.0 / weight_sum)
    return total / weight_sum + _penalty_value(params, n_coef, model.a2, model.a1)


def step_all(code, params, grad, slots, hyper, lr, t, n_coef):
    """One dense update of every parameter (the full-batch loop, ``Optimizer.update``)."""
    _step(code, params, grad, slots, hyper, lr, t, n_coef, _ALL)


#: Threads for J's chunks: the compiled loops release the GIL (``nogil``), so
#: plain Python threads run them in parallel without numba's threading layer
#: (whose parallel compile was two thirds of a cold start).
_THREADS = max(1, min(numba.config.NUMBA_NUM_THREADS, os.cpu_count() or 1))
_pool = None
_pool_pid = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    with _pool_lock:
        # a forked child inherits the pool object but not its threads
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(_THREADS - 1, thread_name_prefix="skgd-objective")
            _pool_pid = os.getpid()
        return _pool


def _chunk_sums(data, model, params, rows, want_grad, absolute=False):
    """The per-chunk sums of J's pass: (totals, weights, grads).

    The rows are cut into at most ``_MAX_CHUNKS`` chunks of at least
    ``_CHUNK_ROWS`` rows, each with its own sums; the calling thread and up
    to ``_THREADS - 1`` pool threads share the chunks, and the callers add
    the sums in chunk order, so J does not depend on the number of threads.
    """
    n = data.y.shape[0] if rows.shape[0] == 0 else rows.shape[0]
    n_chunks = max(1, min(_MAX_CHUNKS, n // _CHUNK_ROWS))
    totals = np.empty(n_chunks)
    weights = np.empty(n_chunks)
    grads = np.empty((n_chunks if want_grad else 0, params.shape[0]))
    chunks = _objective_chunks(model.loss)
    parts = min(_THREADS, n_chunks)
    bounds = [g * n_chunks // parts for g in range(parts + 1)]
    args = (totals, weights, grads, absolute)
    futures = [
        _executor().submit(chunks, data, model, params, rows, lo, hi, *args)
        for lo, hi in zip(bounds[1:-1], bounds[2:])
    ]
    chunks(data, model, params, rows, bounds[0], bounds[1], *args)
    for future in futures:
        future.result()
    return totals, weights, grads


def objective(data, model, params, grad, want_grad, rows=_ALL):
    """J(params) over all rows; with ``want_grad`` also writes its gradient.

    ``rows`` (optional) restricts J to those rows.
    """
    sums = _chunk_sums(data, model, params, rows, want_grad)
    return _objective_sum(model, params, grad, *sums)


def gradient_terms(data, model, params, rows=_ALL) -> np.ndarray:
    """``sum_i w_i |x_ij| |dL_i/d eta_k| / sum_i w_i`` per parameter (intercepts: x = 1).

    The size of each component of J's data gradient before its terms cancel;
    the optimality measure divides by it (see :mod:`skgd._optimality`).
    """
    _, weights, grads = _chunk_sums(data, model, params, rows, True, absolute=True)
    return grads.sum(axis=0) / weights.sum()


def batch_gradient(data, model, params, rows, grad) -> None:
    """The mini-batch step direction over ``rows``, into ``grad``.

    ``sum_{i in rows} w_i dL_i / len(rows)`` plus the penalty's gradient: with
    weights of mean 1 this is the unbiased estimate of the gradient of J that
    the compiled epochs use; the engine calls it for update rules written in
    NumPy, one batch at a time.
    """
    _, weights, grads = _chunk_sums(data, model, params, rows, True)
    grad[:] = grads.sum(axis=0)
    _finish_gradient(model, params, grad, model.n_features * model.n_outputs, 1.0 / rows.shape[0])


@_jit
def column_moments(data, n_features):
    """Weighted sums over the rows: (sum of w, sum of w x_j, sum of w x_j^2) per column."""
    first = np.zeros(n_features)
    second = np.zeros(n_features)
    total = 0.0
    for i in range(data.y.shape[0]):
        wi = data.w[i]
        if wi == 0.0:
            continue
        total += wi
        if data.sparse:
            for p in range(data.indptr[i], data.indptr[i + 1]):
                x = data.values[p]
                first[data.indices[p]] += wi * x
                second[data.indices[p]] += wi * x * x
        else:
            for j in range(n_features):
                x = data.X[i, j]
                first[j] += wi * x
                second[j] += wi * x * x
    return total, first, second


def make_data(X, y, w) -> Data:
    """Pack validated arrays for the kernels without copying X when possible."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    w = np.ascontiguousarray(w, dtype=np.float64)
    if hasattr(X, "indptr"):
        X = X.tocsr() if X.format != "csr" else X
        if X.nnz and (X.indices.min() < 0 or X.indices.max() >= X.shape[1]):
            # the compiled loops do not check bounds: a malformed matrix would
            # write outside the parameters
            raise ValueError(
                f"X is a malformed sparse matrix: its column indices must lie in "
                f"[0, {X.shape[1]}); found {X.indices.min()} to {X.indices.max()}."
            )
        if not X.has_sorted_indices:
            X = X.sorted_indices()
        indices = X.indices
        indptr = X.indptr.astype(indices.dtype, copy=False)
        return Data(np.empty((0, 0), X.dtype), X.data, indices, indptr, True, y, w)
    X = np.ascontiguousarray(X)
    empty_i = np.empty(0, np.int32)
    return Data(X, np.empty(0, X.dtype), empty_i, empty_i, False, y, w)
