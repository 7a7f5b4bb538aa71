"""The compiled layer: Cython kernels for the epochs, J's pass and the update rules.

Built ahead of time by ``pip install`` (see ``setup.py``): nothing is compiled
at run time. Split by concern, each module small enough to read:

- ``_rows.pxd``: what a loop does with one row (dot products, gradient sums,
  the penalty's gradient), inlined into the loops;
- ``_losses``: the losses' values and derivatives, one branch per registered
  loss (``NAMES``);
- ``_rules``: the update rules, one branch per registered rule (``NAMES``),
  with their hyperparameters by name (``HYPERPARAMETERS``);
- ``_epochs``: one pass in mini-batches over dense or CSR rows;
- ``_objective``: J and its gradient over all rows, in chunks.

This module is the Python side: it packs the data, dispatches, and runs J's
chunks on a few threads (the loops release the GIL).
"""

from __future__ import annotations

import os
import threading
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _epochs, _losses, _objective, _rules

#: One row-major data set. Dense: ``X`` is C-contiguous (n, d) and the CSR
#: arrays are empty; sparse: ``values/indices/indptr`` hold the CSR matrix.
Data = namedtuple("Data", ["X", "values", "indices", "indptr", "sparse", "y", "w"])
#: What defines J besides the data: sizes, loss (a code of ``LOSS_NAMES``),
#: the loss's parameter (epsilon, quantile), penalty strengths.
Model = namedtuple(
    "Model", ["n_features", "n_outputs", "loss", "loss_param", "a2", "a1", "fit_intercept"]
)

#: The compiled losses and update rules, by name; their codes are positions here.
LOSS_NAMES = _losses.NAMES
RULE_NAMES = _rules.NAMES
#: The names an optimizer's hyperparameters may have (fields of the kernels' Hyper).
HYPERPARAMETERS = _rules.HYPERPARAMETERS

#: Rows per chunk of J's pass, and the most chunks: a fixed split (not one
#: per thread) keeps J bit-for-bit the same on any number of cores. Each chunk
#: of a gradient pass holds its own n_params sums, so chunks cost memory on
#: wide models; 4 keep J's pass spread over up to 4 cores.
_CHUNK_ROWS = 2048
_MAX_CHUNKS = 4
#: No row list: all rows.
_ALL = np.empty(0, np.intp)
_NO_INDEX = np.empty(0, np.int32)


def loss_code(name: str) -> int:
    """The kernels' code of the loss ``name`` (a ValueError if it has no compiled branch)."""
    try:
        return LOSS_NAMES.index(name)
    except ValueError:
        raise ValueError(f"the kernels have no loss {name!r}; they have {LOSS_NAMES}") from None


def rule_code(name: str) -> int:
    """The kernels' code of the update rule ``name``."""
    try:
        return RULE_NAMES.index(name)
    except ValueError:
        raise ValueError(f"the kernels have no rule {name!r}; they have {RULE_NAMES}") from None


def hyper_struct(values: dict) -> dict:
    """Every field of the kernels' Hyper: the given ones, the others 0."""
    unknown = set(values) - set(HYPERPARAMETERS)
    if unknown:
        raise ValueError(
            f"the kernels' update rules know no hyperparameter {sorted(unknown)}; they know "
            f"{list(HYPERPARAMETERS)}"
        )
    return {name: float(values.get(name, 0.0)) for name in HYPERPARAMETERS}


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
        kind = np.int32 if X.indices.dtype == np.int32 else np.int64
        indices = np.ascontiguousarray(X.indices, dtype=kind)
        indptr = np.ascontiguousarray(X.indptr, dtype=kind)
        values = np.ascontiguousarray(X.data)
        return Data(np.empty((0, 0), values.dtype), values, indices, indptr, True, y, w)
    X = np.ascontiguousarray(X)
    return Data(X, np.empty(0, X.dtype), _NO_INDEX, _NO_INDEX, False, y, w)


def _model(model) -> dict:
    return model._asdict()


def run_epoch(data, model, rule, hyper, slots, params, order, batch_size, lr, t) -> int:
    """One pass over ``order`` in batches, each batch one step of rule ``rule``.

    ``order`` holds rows of positive weight only. Returns the new update
    count ``t``. Sparse rows take the O(nnz) paths: plain SGD (no momentum,
    no L1) the scaled update, every other rule the lazy step.
    """
    order = np.ascontiguousarray(order, dtype=np.intp)
    if data.sparse:
        if rule == _SGD and hyper["momentum"] == 0.0 and model.a1 == 0.0:
            return _epochs.sparse_sgd_epoch(
                data.values, data.indices, data.indptr, data.y, data.w, _model(model),
                params, order, batch_size, lr, t,
            )  # fmt: skip
        return _epochs.sparse_lazy_epoch(
            data.values, data.indices, data.indptr, data.y, data.w, _model(model), rule,
            hyper, slots, params, order, batch_size, lr, t,
        )  # fmt: skip
    return _epochs.dense_epoch(
        data.X, data.y, data.w, _model(model), rule, hyper, slots, params, order,
        batch_size, lr, t,
    )  # fmt: skip


_SGD = rule_code("sgd")


def step_all(rule, params, grad, slots, hyper, lr, t, n_coef) -> None:
    """One dense update of every parameter (the full-batch stepper), in place."""
    _rules.step(rule, params, np.ascontiguousarray(grad, dtype=np.float64), slots, hyper, lr,
                t, n_coef)  # fmt: skip


#: Threads for J's chunks: the compiled loops release the GIL, so plain Python
#: threads run them in parallel.
_THREADS = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
_pool = None
_pool_pid = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    with _pool_lock:
        # a forked child inherits the pool object but not its threads
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max(1, _THREADS - 1), thread_name_prefix="skgd-objective")
            _pool_pid = os.getpid()
        return _pool


def chunk_sums(data, model, params, rows=_ALL, *, gradient=True, terms=False):
    """The per-chunk sums of J's pass: (totals, weights, grads, terms); see ``_objective``.

    ``grads`` has rows only with ``gradient``, ``terms`` (the sums of the
    gradient's terms without their signs) only with ``terms``.
    """
    rows = np.ascontiguousarray(rows, dtype=np.intp)
    n = data.y.shape[0] if rows.shape[0] == 0 else rows.shape[0]
    n_chunks = max(1, min(_MAX_CHUNKS, n // _CHUNK_ROWS))
    totals = np.empty(n_chunks)
    weights = np.empty(n_chunks)
    grads = np.empty((n_chunks if gradient else 0, params.shape[0]))
    sizes = np.empty((n_chunks if terms else 0, params.shape[0]))
    args = (
        data.X, data.values, data.indices, data.indptr, data.sparse, data.y, data.w,
        _model(model), params, rows,
    )  # fmt: skip
    parts = min(_THREADS, n_chunks)
    bounds = [g * n_chunks // parts for g in range(parts + 1)]
    futures = [
        _executor().submit(_objective.chunk_sums, *args, lo, hi, totals, weights, grads, sizes)
        for lo, hi in zip(bounds[1:-1], bounds[2:])
    ]
    _objective.chunk_sums(*args, bounds[0], bounds[1], totals, weights, grads, sizes)
    for future in futures:
        future.result()
    return totals, weights, grads, sizes


def finish(model, params, grad, totals, weights, grads) -> float:
    """J from chunk sums (added in chunk order), and its gradient into ``grad`` if asked."""
    return _objective.finish(_model(model), params, grad, totals, weights, grads)


def objective(data, model, params, grad, want_grad, rows=_ALL) -> float:
    """J(params) over all rows (or ``rows``); with ``want_grad`` also writes its gradient."""
    totals, weights, grads, _ = chunk_sums(data, model, params, rows, gradient=want_grad)
    return finish(model, params, grad, totals, weights, grads)


def objective_and_terms(data, model, params, grad):
    """J, its gradient (into ``grad``) and :func:`gradient_terms`, in one pass."""
    totals, weights, grads, terms = chunk_sums(data, model, params, terms=True)
    value = finish(model, params, grad, totals, weights, grads)
    return value, terms.sum(axis=0) / weights.sum()


def gradient_terms(data, model, params, rows=_ALL) -> np.ndarray:
    """``sum_i w_i |x_ij| |dL_i/d eta_k| / sum_i w_i`` per parameter (intercepts: x = 1).

    The size of each component of J's data gradient before its terms cancel;
    the optimality measure divides by it (see :mod:`skgd._optimality`).
    """
    _, weights, _, terms = chunk_sums(data, model, params, rows, gradient=False, terms=True)
    return terms.sum(axis=0) / weights.sum()


def batch_gradient(data, model, params, rows, grad) -> None:
    """The mini-batch step direction over ``rows``, into ``grad``.

    ``sum_{i in rows} w_i dL_i / len(rows)`` plus the penalty's gradient: with
    weights of mean 1 this is the unbiased estimate of the gradient of J that
    the compiled epochs use; the engine calls it for update rules written in
    NumPy, one batch at a time.
    """
    _, _, grads, _ = chunk_sums(data, model, params, rows)
    _objective.batch_gradient(_model(model), params, grad, grads, rows.shape[0])


def column_moments(data, n_features):
    """Weighted sums over the rows: (sum of w, sum of w x_j, sum of w x_j^2) per column."""
    return _objective.column_moments(
        data.X, data.values, data.indices, data.indptr, data.sparse, data.w, n_features
    )


__all__ = [
    "HYPERPARAMETERS",
    "LOSS_NAMES",
    "RULE_NAMES",
    "Data",
    "Model",
    "batch_gradient",
    "chunk_sums",
    "column_moments",
    "finish",
    "gradient_terms",
    "hyper_struct",
    "loss_code",
    "make_data",
    "objective",
    "objective_and_terms",
    "rule_code",
    "run_epoch",
    "step_all",
]
