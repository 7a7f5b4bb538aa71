"""Full-batch L-BFGS-B inside ``fit``: scipy's solver on the same J."""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy.optimize import minimize

from .exceptions import ConvergenceWarning, DivergenceError


def lbfgs_options(optimizer, max_iter: int) -> dict:
    """The options ``fit`` passes to ``scipy.optimize.minimize``."""
    return {
        "maxiter": int(max_iter),
        "maxcor": int(optimizer.maxcor),
        "gtol": float(optimizer.gtol),
        "ftol": 64 * np.finfo(float).eps,
    }


def split_l1(problem, params):
    """J with an L1 part, written as a smooth function on ``coef = u - v``, ``u, v >= 0``.

    Returns ``(fun, theta0, bounds, merge)`` where ``merge(theta)`` gives back
    the flat parameters.
    """
    model = problem.model
    n_coef = model.n_features * model.n_outputs
    a1 = model.a1
    smooth = type(problem)(problem.data, model._replace(a1=0.0))
    coef = params[:n_coef]
    theta0 = np.concatenate([np.maximum(coef, 0), np.maximum(-coef, 0), params[n_coef:]])

    def merge(theta):
        return np.concatenate([theta[:n_coef] - theta[n_coef : 2 * n_coef], theta[2 * n_coef :]])

    def fun(theta):
        value, grad = smooth.value_and_gradient(merge(theta))
        value += a1 * theta[: 2 * n_coef].sum()
        g = grad[:n_coef]
        return value, np.concatenate([g + a1, -g + a1, grad[n_coef:]])

    bounds = [(0, None)] * (2 * n_coef) + [(None, None)] * (params.shape[0] - n_coef)
    return fun, theta0, bounds, merge


def standardize(problem, params):
    """J in standardized coordinates, where every coefficient has the same scale.

    With column means ``mu_j`` and standard deviations ``s_j`` (weighted),
    ``coef_j = phi_j / s_j`` and ``intercept = phi_b - sum_j mu_j coef_j``: an
    exact change of variables, so the minimum is the same, but the curvature
    no longer spreads over the squared ratio of the largest to the smallest
    column scale (1e4 for columns from 0.1 to 10, where L-BFGS-B needed
    hundreds of iterations). X is not touched: only the parameters and the
    gradient are mapped, in O(d) per evaluation.

    Returns ``(fun, phi0, None, merge)`` like :func:`split_l1`.
    """
    from ._kernels import column_moments

    model = problem.model
    d, n_out = model.n_features, model.n_outputs
    n_coef = d * n_out
    total, first, second = column_moments(problem.data, d)
    mean = first / total if model.fit_intercept else np.zeros(d)
    var = second / total - mean**2
    # constant (or numerically constant) columns keep their own scale
    scale = np.where(var > 1e-12 * np.maximum(second / total, 1e-300), np.sqrt(np.abs(var)), 1.0)

    def merge(phi):
        coef = phi[:n_coef].reshape(d, n_out) / scale[:, None]
        return np.concatenate([coef.ravel(), phi[n_coef:] - mean @ coef])

    coef = params[:n_coef].reshape(d, n_out)
    phi0 = np.concatenate([(coef * scale[:, None]).ravel(), params[n_coef:] + mean @ coef])

    def fun(phi):
        value, grad = problem.value_and_gradient(merge(phi))
        g_coef = grad[:n_coef].reshape(d, n_out)
        g_b = grad[n_coef:]
        g_phi = (g_coef - mean[:, None] * g_b[None, :]) / scale[:, None]
        return value, np.concatenate([g_phi.ravel(), g_b])

    return fun, phi0, None, merge


def train_lbfgs(problem, state, *, optimizer, settings, name="", on_epoch=None):
    """Minimize J with L-BFGS-B from ``state.params``; one scipy iteration = one epoch."""
    from ._training import Outcome

    optimizer._validate()
    state = state.copy()
    if problem.model.a1 > 0:
        fun, theta0, bounds, merge = split_l1(problem, state.params)
    elif optimizer.precondition:
        fun, theta0, bounds, merge = standardize(problem, state.params)
    else:
        fun, theta0, bounds, merge = problem.value_and_gradient, state.params, None, None
    history = []
    tic = [time.perf_counter()]

    def callback(intermediate_result):
        params = intermediate_result.x if merge is None else merge(intermediate_result.x)
        # scipy's value is J itself except in the L1 split, where it is an upper bound
        loss = problem.value(params) if bounds else float(intermediate_result.fun)
        seconds = time.perf_counter() - tic[0]
        history.append(
            {
                "epoch": state.epoch + len(history) + 1,
                "loss": loss,
                "learning_rate": np.nan,
                "validation_score": np.nan,
                "seconds": seconds,
            }
        )
        if settings.verbose:
            print(f"{name}iteration {history[-1]['epoch']}: loss={loss:.6g}, {seconds:.3f} s")
        tic[0] = time.perf_counter()
        if on_epoch is not None:
            on_epoch(params)

    with np.errstate(over="ignore", invalid="ignore"):
        result = minimize(
            fun,
            theta0,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options=lbfgs_options(optimizer, settings.max_iter),
            callback=callback,
        )
    params = result.x if merge is None else merge(result.x)
    if not (np.all(np.isfinite(params)) and np.isfinite(result.fun)):
        raise DivergenceError(
            f"L-BFGS-B diverged: J or the parameters stopped being finite "
            f"({result.message.rstrip(': .') or 'no message'}). The scale of X or y is "
            "probably extreme for float64: standardize the features of X and rescale y.",
            epoch=state.epoch + len(history),
        )
    state.params = params
    state.epoch += len(history)
    state.optimizer_state.t += int(result.nit)
    if settings.stopping and not result.success and result.nit >= settings.max_iter:
        warnings.warn(
            f"{name}L-BFGS-B reached max_iter={settings.max_iter} iterations before "
            "converging; increase max_iter.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return Outcome(state=state, history=history, stopped=bool(result.success), epochs=len(history))
