"""scipy's L-BFGS-B as a stepper of the engine: the one place it is driven from.

``fit`` with ``optimizer='lbfgs'``, :func:`skgd.minimize` with it and
:func:`skgd.compare_solvers`'s reference row all run :class:`LBFGSB` through
:func:`skgd._engine.train`. scipy owns the iterations; after each one its
callback hands the iterate to the engine, which computes the optimality
measure, records the epoch and stops scipy (``StopIteration``) when the one
stopping rule is met. When scipy stops on its own terms first, its message
reaches the user through the engine's outcome.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from ._problem import Problem


def lbfgs_options(optimizer, max_iter: int) -> dict:
    """The options ``fit`` passes to ``scipy.optimize.minimize``.

    ``ftol=0``: scipy's own test on the relative decrease of J would stop it
    at a precision that has nothing to do with ``tol``; with 0 it stops on
    its own only when J no longer decreases at all (float64's floor), and
    the engine's stopping rule ends it otherwise.
    """
    return {
        "maxiter": int(max_iter),
        "maxcor": int(optimizer.maxcor),
        "gtol": float(optimizer.gtol),
        "ftol": 0.0,
    }


class _Identity:
    """L-BFGS-B on the parameters themselves."""

    bounds = None

    def __init__(self, problem, params):
        self.problem = problem
        self.theta0 = params.copy()

    def merge(self, theta):
        return np.asarray(theta, dtype=np.float64)

    def evaluate(self, theta):
        """(J and gradient in theta, the parameters, J and its gradient)."""
        params = self.merge(theta)
        value, grad = self.problem.value_and_gradient(params)
        return value, grad, params, value, grad


class _SplitL1:
    """J with an L1 part as a smooth function of ``coef = u - v``, ``u, v >= 0``.

    L-BFGS-B needs a differentiable objective; on the split with bounds the
    L1 term is linear, and the minimum is the same.
    """

    def __init__(self, problem, params):
        self.problem = problem
        self.smooth = problem.with_model(a1=0.0)
        self.n_coef = n = problem.n_coef
        self.a1 = problem.a1
        coef = params[:n]
        self.theta0 = np.concatenate([np.maximum(coef, 0), np.maximum(-coef, 0), params[n:]])
        self.bounds = [(0, None)] * (2 * n) + [(None, None)] * (params.shape[0] - n)

    def merge(self, theta):
        n = self.n_coef
        return np.concatenate([theta[:n] - theta[n : 2 * n], theta[2 * n :]])

    def evaluate(self, theta):
        n, a1 = self.n_coef, self.a1
        params = self.merge(theta)
        value, grad = self.smooth.value_and_gradient(params)
        g = grad[:n]
        split_grad = np.concatenate([g + a1, -g + a1, grad[n:]])
        split_value = value + a1 * theta[: 2 * n].sum()
        coef = params[:n]
        full_grad = grad.copy()
        full_grad[:n] += a1 * np.sign(coef)
        return split_value, split_grad, params, value + a1 * np.abs(coef).sum(), full_grad


class _Standardized:
    """J in standardized coordinates, where every coefficient has the same scale.

    With column means ``mu_j`` and standard deviations ``s_j`` (weighted),
    ``coef_j = phi_j / s_j`` and ``intercept = phi_b - sum_j mu_j coef_j``: an
    exact change of variables, so the minimum is the same, but the curvature
    no longer spreads over the squared ratio of the largest to the smallest
    column scale (1e4 for columns from 0.1 to 10, where L-BFGS-B needed
    hundreds of iterations). X is not touched: only the parameters and the
    gradient are mapped, in O(d) per evaluation.
    """

    bounds = None

    def __init__(self, problem, params):
        from ._kernels import column_moments

        self.problem = problem
        model = problem.model
        d, n_out = model.n_features, model.n_outputs
        self.d, self.n_out, self.n_coef = d, n_out, d * n_out
        with np.errstate(over="ignore", invalid="ignore"):
            total, first, second = column_moments(problem.data, d)
            unit = np.ones(d)
            mean, second = first / total, second / total
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(second))):
            # squares beyond float64 (|x| above 1e154): the same moments of
            # the columns divided by their largest value first
            unit, mean, second = _moments_in_units_of_the_largest(problem.data, d)
        if not model.fit_intercept:
            mean = np.zeros(d)
        var = second - mean**2
        # constant (or numerically constant) columns keep their own scale
        floor = 1e-12 * np.maximum(second, 1e-300)
        self.mean = mean * unit
        self.scale = np.where(var > floor, np.sqrt(np.abs(var)) * unit, 1.0)
        coef = params[: self.n_coef].reshape(d, n_out)
        self.theta0 = np.concatenate(
            [(coef * self.scale[:, None]).ravel(), params[self.n_coef :] + self.mean @ coef]
        )

    def merge(self, phi):
        coef = phi[: self.n_coef].reshape(self.d, self.n_out) / self.scale[:, None]
        return np.concatenate([coef.ravel(), phi[self.n_coef :] - self.mean @ coef])

    def evaluate(self, phi):
        params = self.merge(phi)
        value, grad = self.problem.value_and_gradient(params)
        g_coef = grad[: self.n_coef].reshape(self.d, self.n_out)
        g_b = grad[self.n_coef :]
        g_phi = (g_coef - self.mean[:, None] * g_b[None, :]) / self.scale[:, None]
        return value, np.concatenate([g_phi.ravel(), g_b]), params, value, grad


def _moments_in_units_of_the_largest(data, d):
    """(largest |x_j|, then the weighted mean and mean square of x_j / largest).

    Safe from overflow; a rare path, so O(n d) copies are fine.
    """
    from scipy import sparse

    w = data.w / data.w.sum()
    if data.sparse:
        X = sparse.csr_matrix((data.values, data.indices, data.indptr), shape=(w.shape[0], d))
        largest = np.asarray(abs(X).max(axis=0).todense()).ravel().astype(np.float64)
        largest[largest == 0] = 1.0
        Z = X.multiply(1.0 / largest).tocsr()
        first = np.asarray(Z.T @ w).ravel()
        second = np.asarray(Z.multiply(Z).T @ w).ravel()
    else:
        largest = np.max(np.abs(data.X), axis=0).astype(np.float64)
        largest[largest == 0] = 1.0
        Z = data.X / largest
        first, second = w @ Z, w @ (Z * Z)
    return largest, first, second


class LBFGSB:
    """scipy's L-BFGS-B, one scipy iteration per epoch of the engine.

    Parameters
    ----------
    optimizer : skgd.optimizers.LBFGS
        Its ``maxcor``, ``gtol`` and ``precondition``.
    options : dict, default=None
        scipy options to use instead of :func:`lbfgs_options` (``maxiter`` is
        then taken from them, not from ``max_iter``).
    """

    stochastic = False
    name = "L-BFGS-B"

    def __init__(self, optimizer, *, options: dict | None = None):
        self.optimizer = optimizer
        self.options = options

    def _coordinates(self, problem, params):
        if isinstance(problem, Problem) and problem.a1 > 0:
            return _SplitL1(problem, params)
        if isinstance(problem, Problem) and self.optimizer.precondition:
            return _Standardized(problem, params)
        return _Identity(problem, params)

    def run(self, run) -> str | None:
        """Minimize from ``run.state``; returns scipy's message when scipy stopped first."""
        problem, state = run.problem, run.state
        coords = self._coordinates(problem, state.params)
        # scipy sees J in units of its start and the parameters in units of
        # J0 / |g0|, the distance a quadratic's minimum lies along its
        # gradient: its first step (1 / |g| long, at most 1e10) and its
        # tolerances then mean the same whatever the scale of y (with y of
        # order 1e15 the first step was 1e-21 of the way, and scipy stopped)
        unit = abs(run.start_value) if run.start_value != 0 else 1.0
        _, g0, *_ = coords.evaluate(coords.theta0)
        largest = float(np.max(np.abs(g0), initial=0.0))
        length = unit / largest if largest > 0 and np.isfinite(unit / largest) else 1.0
        last = {}

        def fun(psi):
            theta = length * psi
            value, grad, params, full_value, full_grad = coords.evaluate(theta)
            last.update(psi=np.array(psi), params=params, value=full_value, grad=full_grad)
            return value / unit, grad * (length / unit)

        def callback(intermediate_result):
            psi = intermediate_result.x
            if not np.array_equal(psi, last.get("psi")):
                fun(psi)
            state.params = last["params"].copy()
            np.copyto(run.grad, last["grad"])
            if run.end_epoch(last["value"], np.nan):
                raise StopIteration

        options = dict(self.options or lbfgs_options(self.optimizer, run.settings.max_iter))
        # more correction pairs than iterations are never used, only allocated
        options["maxcor"] = max(1, min(options["maxcor"], options["maxiter"]))
        with np.errstate(over="ignore", invalid="ignore"):
            result = minimize(
                fun,
                coords.theta0 / length,
                jac=True,
                method="L-BFGS-B",
                bounds=coords.bounds,
                options=options,
                callback=callback,
            )
        state.optimizer_state.t += int(result.nit)
        if run.status is not None:
            return None
        if run.epochs >= options["maxiter"]:
            return None
        return str(result.message)


__all__ = ["LBFGSB", "lbfgs_options"]
