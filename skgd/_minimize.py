"""skgd's update rules on any differentiable function, with scipy's calling convention."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
from scipy.optimize import OptimizeResult

_STATUS_CONVERGED, _STATUS_MAX_ITER, _STATUS_DIVERGED, _STATUS_CALLBACK = 0, 1, 2, 99


class _Counted:
    """``x -> (f, g)`` for every way of giving a gradient, counting evaluations."""

    def __init__(self, fun, jac):
        self.nfev = 0
        self.njev = 0
        if jac is True:
            self._call = self._joint(fun)
        elif callable(jac):
            self._call = self._separate(fun, jac)
        elif jac is None or jac is False:
            if hasattr(fun, "value_and_gradient"):
                self._call = self._joint(fun.value_and_gradient)
            else:
                self._call = self._central(fun)
        else:
            raise ValueError(
                f"jac must be True, None or a callable; got {jac!r}. (scipy's "
                "'2-point'/'3-point' are not supported: None means central differences.)"
            )

    def _joint(self, fun):
        def call(x):
            self.nfev += 1
            self.njev += 1
            value, grad = fun(x)
            return float(value), np.asarray(grad, dtype=np.float64).ravel()

        return call

    def _separate(self, fun, jac):
        def call(x):
            self.nfev += 1
            self.njev += 1
            return float(fun(x)), np.asarray(jac(x), dtype=np.float64).ravel()

        return call

    def _central(self, fun):
        # Step ~ eps**(1/3) balances truncation and rounding error of a central difference.
        h0 = np.finfo(np.float64).eps ** (1 / 3)

        def call(x):
            value = float(fun(x))
            grad = np.empty_like(x)
            for j in range(x.shape[0]):
                h = h0 * max(1.0, abs(x[j]))
                up, down = x.copy(), x.copy()
                up[j] += h
                down[j] -= h
                grad[j] = (float(fun(up)) - float(fun(down))) / (2 * h)
            self.nfev += 1 + 2 * x.shape[0]
            self.njev += 1
            return value, grad

        return call

    def __call__(self, x):
        return self._call(x)


def _wrap_callback(callback):
    """scipy's two callback forms: ``cb(intermediate_result)`` or ``cb(xk)``."""
    if callback is None:
        return None
    try:
        params = list(inspect.signature(callback).parameters)
    except (TypeError, ValueError):
        params = []
    if params == ["intermediate_result"]:
        return lambda x, f: callback(intermediate_result=OptimizeResult(x=x.copy(), fun=f))
    return lambda x, f: callback(x.copy())


def _finite(value, grad) -> bool:
    return bool(np.isfinite(value) and np.all(np.isfinite(grad)))


def minimize(
    fun: Callable,
    x0=None,
    jac=None,
    *,
    optimizer="adam",
    learning_rate: float = 0.01,
    schedule="constant",
    max_iter: int = 1000,
    tol: float | None = 1e-6,
    callback: Callable | None = None,
) -> OptimizeResult:
    """Minimize ``fun`` with one of skgd's optimizers, returning what scipy returns.

    Each iteration is one full-gradient update
    ``x <- optimizer.update(grad(x), state, x, learning_rate * schedule(k))``
    with the same update rules ``fit`` uses.

    **Stopping rule.** The optimality measure of an iterate ``x`` is its
    largest gradient component relative to the start's,
    ``m(x) = max_j |g_j(x)| / max_j |g_j(x0)|`` (scale-free: multiplying
    ``fun`` by a constant changes nothing). The run stops with
    ``success=True`` at the first iterate with ``m(x) <= tol``, checked at
    ``x0`` too: a start where the gradient is exactly zero takes 0 steps.
    Otherwise it stops after ``max_iter`` updates with ``success=False``.
    ``tol=None`` always runs ``max_iter`` updates. Stochastic-style
    optimizers with a constant step (Adam especially) may hover around a
    minimum without meeting a tight ``tol``; judge them by ``res.x`` and
    ``res.fun`` or use a decaying ``schedule``.

    **Divergence.** If the value, the gradient or the iterate stops being
    finite, the run stops with ``success=False``, ``status=2`` and a message
    naming the step and the learning rate; ``x`` is the last finite iterate.
    Nothing is raised.

    Parameters
    ----------
    fun : callable or object
        ``fun(x) -> float``; with ``jac=True``, ``fun(x) -> (float, ndarray)``.
        An object with a ``value_and_gradient`` method (a
        :class:`skgd.landscapes.Landscape`, an :class:`skgd._objective.Objective`)
        is used through that method when ``jac`` is None.
    x0 : array-like of shape (n,), default=None
        Starting point. None takes ``fun.x0`` (the landscape's ``start``, the
        objective's ``x0``).
    jac : {None, True} or callable, default=None
        ``True``: ``fun`` returns the gradient too; a callable: ``jac(x)``
        gives it; None: central differences (``2 n + 1`` calls of ``fun`` per
        step), unless ``fun`` has ``value_and_gradient``.
    optimizer : str or Optimizer, default='adam'
        As in the estimators: ``'sgd'``, ``'momentum'``, ``'nesterov'``,
        ``'adagrad'``, ``'rmsprop'``, ``'adam'``, ``'adamw'``, ``'nadam'``,
        ``'lbfgs'``, or an instance from :mod:`skgd.optimizers`. ``'lbfgs'``
        runs :func:`scipy.optimize.minimize` (L-BFGS-B) with ``gtol=tol`` (on
        the largest gradient component, scipy's rule) and
        ``maxiter=max_iter``; ``learning_rate`` and ``schedule`` are then
        ignored.
    learning_rate : float, default=0.01
        Base step size, > 0.
    schedule : str, Schedule or callable, default='constant'
        Multiplier of the learning rate per iteration (an iteration plays the
        part of an epoch).
    max_iter : int, default=1000
        Maximum number of updates, >= 0.
    tol : float or None, default=1e-6
        Tolerance on the relative gradient ``m(x)`` of the stopping rule.
    callback : callable, default=None
        Called after each update as ``callback(intermediate_result)`` (an
        ``OptimizeResult`` with ``x`` and ``fun``) if its one parameter has
        that name, else as ``callback(x)``, like scipy. Raising
        ``StopIteration`` ends the run (``status=99``).

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``fun``, ``jac`` (gradient at ``x``), ``nit`` (updates made),
        ``nfev``, ``njev``, ``success``, ``status`` (0 converged, 1
        ``max_iter`` reached, 2 diverged, 99 stopped by the callback),
        ``message``, and ``path``: ndarray of shape (nit + 1, n), the iterates
        from ``x0`` to ``x``.

    See Also
    --------
    scipy.optimize.minimize : The same interface for scipy's methods.
    skgd.landscapes : Test surfaces to run it on.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd import minimize
    >>> from skgd.optimizers import SGD
    >>> res = minimize(lambda x: ((x - 3.0) ** 2).sum(), np.zeros(2),
    ...                optimizer=SGD(momentum=0.5), learning_rate=0.1)
    >>> bool(res.success), np.round(res.x, 4), res.path.shape[0] == res.nit + 1
    (True, array([3., 3.]), True)
    """
    from .optimizers import resolve_optimizer
    from .optimizers._base import check_range
    from .schedules import resolve_schedule

    if x0 is None:
        if not hasattr(fun, "x0"):
            raise ValueError("x0 is required unless fun has an x0 attribute (a Landscape).")
        x0 = fun.x0
    x = np.array(x0, dtype=np.float64, copy=True).ravel()
    opt = resolve_optimizer(optimizer)
    opt._validate()
    if max_iter is None or isinstance(max_iter, bool) or int(max_iter) != max_iter or max_iter < 0:
        raise ValueError(f"max_iter must be an integer >= 0; got {max_iter!r}.")
    max_iter = int(max_iter)
    if tol is not None:
        check_range("tol", tol, 0.0)
    evaluate = _Counted(fun, jac)
    cb = _wrap_callback(callback)
    if opt.is_line_search:
        return _scipy_lbfgs(evaluate, x, opt, max_iter, tol, cb)

    check_range("learning_rate", learning_rate, 0.0, low_open=True)
    sched = resolve_schedule(schedule)
    sched_state = sched.init(max_iter)
    state = opt.init(x.shape[0])
    value, grad = evaluate(x)
    path = [x.copy()]
    nit, lr = 0, float(learning_rate)
    if not _finite(value, grad):
        status, message = (
            _STATUS_DIVERGED,
            f"The objective or gradient at x0 is not finite ({value}).",
        )
    scale = float(np.max(np.abs(grad), initial=0.0)) if _finite(value, grad) else 0.0
    while _finite(value, grad):
        largest = float(np.max(np.abs(grad), initial=0.0))
        measure = largest / scale if largest > 0.0 else 0.0
        if tol is not None and measure <= tol:
            status = _STATUS_CONVERGED
            message = (
                f"Converged: relative gradient {measure:.3g} <= tol={tol:g} after {nit} steps."
            )
            break
        if nit >= max_iter:
            status = _STATUS_MAX_ITER
            message = (
                f"Maximum number of iterations ({max_iter}) reached; relative gradient "
                f"{measure:.3g}"
            )
            message += "." if tol is None else f" > tol={tol:g}."
            break
        lr = float(learning_rate) * float(sched.multiplier(nit, sched_state))
        with np.errstate(over="ignore", invalid="ignore"):
            x_new, state = opt.update(grad, state, x, lr)
            if np.all(np.isfinite(x_new)):
                new_value, new_grad = evaluate(x_new)
            else:
                new_value, new_grad = np.inf, x_new
        if not _finite(new_value, new_grad):
            status = _STATUS_DIVERGED
            message = (
                f"Diverged at step {nit + 1} with learning_rate={lr:.6g}: the "
                f"{'objective' if np.all(np.isfinite(x_new)) else 'iterate'} stopped being "
                f"finite. Lower the learning rate (try {lr / 10:.3g}); x is the last "
                "finite iterate."
            )
            break
        x, value, grad = x_new, new_value, new_grad
        nit += 1
        path.append(x.copy())
        sched_state = sched.observe(sched_state, value)
        if cb is not None:
            try:
                cb(x, value)
            except StopIteration:
                status, message = _STATUS_CALLBACK, "`callback` raised `StopIteration`."
                break
    return OptimizeResult(
        x=x,
        fun=value,
        jac=grad,
        nit=nit,
        nfev=evaluate.nfev,
        njev=evaluate.njev,
        success=status == _STATUS_CONVERGED,
        status=status,
        message=message,
        path=np.array(path),
    )


def _scipy_lbfgs(evaluate, x0, opt, max_iter, tol, cb) -> OptimizeResult:
    """L-BFGS-B from scipy on the same function, recording the iterates."""
    from scipy.optimize import minimize as scipy_minimize

    path = [x0.copy()]

    def record(intermediate_result):
        path.append(np.array(intermediate_result.x, dtype=np.float64))
        if cb is not None:
            cb(path[-1], float(intermediate_result.fun))

    options = {
        "maxiter": max_iter,
        "maxcor": int(opt.maxcor),
        "gtol": 0.0 if tol is None else float(tol),
    }
    with np.errstate(over="ignore", invalid="ignore"):
        res = scipy_minimize(
            evaluate, x0, jac=True, method="L-BFGS-B", options=options, callback=record
        )
    value, grad = float(res.fun), np.asarray(res.jac, dtype=np.float64)
    success, status, message = bool(res.success), int(res.status), str(res.message)
    if not _finite(value, grad):
        success, status = False, _STATUS_DIVERGED
        message = f"L-BFGS-B stopped at a non-finite objective ({value}): {message}"
    return OptimizeResult(
        x=np.asarray(res.x, dtype=np.float64),
        fun=value,
        jac=grad,
        nit=int(res.nit),
        nfev=evaluate.nfev,
        njev=evaluate.njev,
        success=success,
        status=status,
        message=message,
        path=np.array(path),
    )


__all__ = ["minimize"]
