"""skgd's update rules on any differentiable function, with scipy's calling convention."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
from scipy.optimize import OptimizeResult

from ._validation import brief, scalar_value

_STATUS_CONVERGED, _STATUS_MAX_ITER, _STATUS_DIVERGED, _STATUS_SOLVER, _STATUS_CALLBACK = (
    0,
    1,
    2,
    3,
    99,
)


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
            out = fun(x)
            try:
                value, grad = out
            except (TypeError, ValueError):
                raise ValueError(
                    "With jac=True, fun must return (value, gradient); got "
                    f"{type(out).__name__} {brief(out)}."
                ) from None
            return scalar_value(value), np.asarray(grad, dtype=np.float64).ravel()

        return call

    def _separate(self, fun, jac):
        def call(x):
            self.nfev += 1
            self.njev += 1
            return scalar_value(fun(x.copy())), np.asarray(jac(x.copy()), dtype=np.float64).ravel()

        return call

    def _central(self, fun):
        # Step ~ eps**(1/3) balances truncation and rounding error of a central difference.
        h0 = np.finfo(np.float64).eps ** (1 / 3)

        def call(x):
            value = scalar_value(fun(x.copy()))
            grad = np.empty_like(x)
            for j in range(x.shape[0]):
                h = h0 * max(1.0, abs(x[j]))
                up, down = x.copy(), x.copy()
                up[j] += h
                down[j] -= h
                grad[j] = (scalar_value(fun(up)) - scalar_value(fun(down))) / (2 * h)
            self.nfev += 1 + 2 * x.shape[0]
            self.njev += 1
            return value, grad

        return call

    def __call__(self, x):
        # a copy, as scipy passes: a function that changes its argument in
        # place must not move the iterate
        value, grad = self._call(np.array(x, dtype=np.float64, copy=True))
        if grad.shape != x.shape:
            raise ValueError(
                f"The gradient has shape {grad.shape}, but x has shape {x.shape}: jac (or fun "
                "with jac=True) must return one partial derivative per entry of x."
            )
        return value, grad


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

    **Stopping rule** (the one every skgd fit uses). The optimality measure
    at an iterate ``x`` is ``max_j |g_j(x)| / max_j |g_j(x0)|``: the largest
    gradient component relative to its size at the start, so it does not
    change when ``fun`` or ``x`` are rescaled. (On an :func:`skgd.objective`,
    each component is divided by the objective's own ``gradient_scale()``
    instead, exactly as in ``fit``.) The run stops with
    ``success=True`` as soon as it is ``<= tol`` (checked at ``x0`` too, so a
    start at a stationary point takes 0 steps); otherwise it stops after
    ``max_iter`` updates with ``success=False``. ``tol=None`` always runs
    ``max_iter`` updates. Stochastic-style optimizers with a constant step
    (Adam especially) may hover around a minimum without meeting a tight
    ``tol``; use a decaying ``schedule``.

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
        ``'lion'``, ``'lbfgs'``, or an instance from :mod:`skgd.optimizers`. ``'lbfgs'``
        runs :func:`scipy.optimize.minimize` (L-BFGS-B), stopped by the same
        rule, with ``maxiter=max_iter``; ``learning_rate`` and ``schedule``
        are then ignored.
    learning_rate : float, default=0.01
        Base step size, > 0.
    schedule : str, Schedule or callable, default='constant'
        Multiplier of the learning rate per iteration (an iteration plays the
        part of an epoch).
    max_iter : int, default=1000
        Maximum number of updates, >= 0.
    tol : float or None, default=1e-6
        Tolerance of the stopping rule on the optimality measure (above).
        For a plain function the measure is the gradient relative to its
        largest component at ``x0``, so it depends on the start: from far
        away (where the gradient is large) ``tol`` is reached far from the
        minimum too: ``minimize(lambda x: ((x - 3) ** 2).sum(), [1e6, 1e6],
        optimizer="momentum", learning_rate=0.1)`` stops at 3.48 with
        ``success=True`` (``tol=1e-9``: 2.9995); start nearer, pass a
        smaller ``tol``, or compare with scipy. An
        :func:`skgd.objective` carries its own scale, and there ``minimize``
        stops where ``fit`` does.
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
        ``max_iter`` reached, 2 diverged, 3 L-BFGS-B stopped on its own terms
        before the rule was met, 99 stopped by the callback), ``optimality``
        (the measure at ``x``),
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
    from ._checks import check_range
    from ._engine import (
        CALLBACK,
        CONVERGED,
        SOLVER_STOPPED,
        NotFiniteAtStart,
        Settings,
        TrainState,
        train,
    )
    from ._lbfgs import LBFGSB
    from ._problem import FunctionProblem
    from ._steppers import FullBatch
    from .exceptions import DivergenceError
    from .optimizers import resolve_optimizer
    from .schedules import Constant, resolve_schedule

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
        sched = Constant()
        stepper = LBFGSB(
            opt,
            options={
                "maxiter": max_iter,
                "maxcor": int(opt.maxcor),
                "gtol": 0.0,
                "ftol": 0.0,
            },
        )
    else:
        check_range("learning_rate", learning_rate, 0.0, low_open=True)
        sched = resolve_schedule(schedule)
        stepper = FullBatch(opt)
    state = TrainState(x, opt.init(x.shape[0]), sched.init(max_iter))
    path = [x.copy()]
    settings = Settings(
        learning_rate=float(learning_rate),
        max_iter=max_iter,
        tol=tol,
        keep_best=False,
        blow_up=None,
    )
    try:
        scale = fun.gradient_scale() if hasattr(fun, "gradient_scale") else None
        outcome = train(
            FunctionProblem(evaluate, scale),
            state,
            stepper,
            schedule=sched,
            settings=settings,
            on_epoch=lambda params: path.append(params.copy()),
            callback=cb,
        )
    except (DivergenceError, NotFiniteAtStart) as exc:
        done = exc.outcome
        if done is None:  # not finite at x0
            value, grad = evaluate(x)
            done_x, nit, measure = x, 0, np.inf
        else:
            done_x, value, grad = done.state.params, done.value, done.gradient
            nit, measure = done.epochs, done.optimality
        return OptimizeResult(
            x=done_x,
            fun=value,
            jac=grad,
            nit=nit,
            nfev=evaluate.nfev,
            njev=evaluate.njev,
            success=False,
            status=_STATUS_DIVERGED,
            message=f"{exc} x is the last finite iterate.",
            optimality=measure,
            path=np.array(path),
        )
    status = {
        CONVERGED: _STATUS_CONVERGED,
        CALLBACK: _STATUS_CALLBACK,
        SOLVER_STOPPED: _STATUS_SOLVER,
    }.get(outcome.status, _STATUS_MAX_ITER)
    return OptimizeResult(
        x=outcome.state.params,
        fun=outcome.value,
        jac=outcome.gradient,
        nit=outcome.epochs,
        nfev=evaluate.nfev,
        njev=evaluate.njev,
        success=status == _STATUS_CONVERGED,
        status=status,
        message=outcome.message,
        optimality=outcome.optimality,
        path=np.array(path),
    )


__all__ = ["minimize"]
