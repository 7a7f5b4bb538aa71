"""What the engine minimizes: J of an estimator on its data, or any function.

Two kinds, with one interface (``value``, ``value_and_gradient``,
``gradient_scale``, ``measure``):

- :class:`Problem`: J of a linear model on rows held by the compiled
  kernels (``fit``, ``partial_fit``, :func:`skgd.objective`,
  :func:`skgd.compare_solvers`). It also knows the rows to train on (those
  with positive weight) and gives mini-batch gradients.
- :class:`FunctionProblem`: a Python function and its gradient
  (:func:`skgd.minimize`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._optimality import gradient_scale, newton_distance, optimality

#: a certified fit's Newton step reaches at most this fraction of its largest
#: coefficient: half the 1 % the certificate promises, for the estimate's error
NEWTON_LIMIT = 0.005

#: the compiled losses with kinks: J has no gradient where a row sits at one
KINKED_LOSSES = frozenset({"hinge", "epsilon_insensitive", "quantile"})


class Problem:
    """J of one linear model on one data set, as the kernels compute it.

    Parameters
    ----------
    data : skgd._kernels.Data
        The rows, with weights of mean 1 over the rows of positive weight.
    model : skgd._kernels.Model
        Sizes, loss and penalty.
    rows : ndarray of int64, default=None
        The rows training visits (those with positive weight); None: found
        from the weights (and kept as None when every row has weight).
    scale : ndarray of shape (n_params,), default=None
        The gradient scale of the optimality measure; None: computed at
        ``null_params`` on first use.
    null_params : ndarray, default=None
        The null model (zero coefficients, best constant intercept) whose
        gradient terms give the scale.
    """

    def __init__(self, data, model, *, rows=None, scale=None, null_params=None):
        self.data = data
        self.model = model
        if rows is None and not np.all(np.asarray(data.w) > 0):
            rows = np.flatnonzero(np.asarray(data.w) > 0).astype(np.int64)
        self.rows = rows  # None: every row (no index array of n entries)
        self.n_rows = int(data.y.shape[0] if rows is None else rows.shape[0])
        self._scale = scale
        self._null = null_params

    @property
    def n_coef(self) -> int:
        return int(self.model.n_features * self.model.n_outputs)

    @property
    def a1(self) -> float:
        return float(self.model.a1)

    @property
    def kinked(self) -> bool:
        """Whether the loss has kinks where no gradient exists (the measure cannot certify)."""
        from ._kernels import LOSS_NAMES

        return LOSS_NAMES[self.model.loss] in KINKED_LOSSES

    def with_model(self, **changes) -> Problem:
        """The same rows with some of the model's fields replaced (e.g. ``a1=0``)."""
        return Problem(
            self.data,
            self.model._replace(**changes),
            rows=self.rows,
            scale=self._scale,
            null_params=self._null,
        )

    def value(self, params: np.ndarray) -> float:
        """J at ``params``."""
        from ._kernels import objective

        return float(objective(self.data, self.model, params, params, False))

    def value_and_gradient(
        self, params: np.ndarray, grad: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """J and its gradient in one pass over the rows (into ``grad`` if given)."""
        from ._kernels import objective

        grad = np.empty_like(params) if grad is None else grad
        return float(objective(self.data, self.model, params, grad, True)), grad

    def start_pass(self, params: np.ndarray, grad: np.ndarray) -> float:
        """J and its gradient at the start, into ``grad``; the scale too, if the start is null.

        A fresh fit starts at the null model, where the gradient scale is
        measured: both come from one pass over the rows.
        """
        if self._scale is None and self._null is not None and np.array_equal(params, self._null):
            from ._kernels import objective_and_terms

            value, terms = objective_and_terms(self.data, self.model, params, grad)
            self._scale = gradient_scale(terms, self.n_coef)
            return float(value)
        return self.value_and_gradient(params, grad)[0]

    def batch_gradient(self, params: np.ndarray, rows: np.ndarray, grad: np.ndarray) -> None:
        """The unbiased mini-batch gradient over ``rows`` (see the user guide), into ``grad``."""
        from ._kernels import batch_gradient

        batch_gradient(self.data, self.model, params, rows, grad)

    def gradient_scale(self, grad_at_start: np.ndarray | None = None) -> np.ndarray:
        """The fixed scale ``s`` of the optimality measure (see :mod:`skgd._optimality`)."""
        if self._scale is None:
            from ._kernels import gradient_terms

            if self._null is None:
                raise ValueError("Problem needs scale or null_params for its gradient scale.")
            params = np.asarray(self._null, dtype=np.float64)
            self._scale = gradient_scale(
                gradient_terms(self.data, self.model, params), self.n_coef
            )
        return self._scale

    def measure(self, params, grad, scale, tol=None) -> float:
        """The optimality measure at ``params`` with gradient ``grad``."""
        return optimality(grad, params, scale, a1=self.a1, n_coef=self.n_coef, tol=tol)

    def too_far(self, params: np.ndarray, grad: np.ndarray) -> tuple[float, float] | None:
        """``(reach, limit)`` if the optimum is provably too far to certify ``params``, else None.

        The reach is the Newton step's largest entry over the largest
        coefficient (see :func:`newton_distance`), the limit ``NEWTON_LIMIT``.
        Hessian-vector products are differences of gradients (one pass over
        the rows each), at most ``n_params + 1`` and 25 of them. None too
        where a Newton step means nothing (losses with kinks, L1 penalties)
        or could not be settled.
        """
        if self.kinked or self.a1 > 0:
            return None
        params = np.asarray(params, dtype=np.float64)
        coef = params[: self.n_coef]
        unit = float(np.max(np.abs(coef), initial=0.0)) or float(np.max(np.abs(params)))
        if not (unit > 0 and np.isfinite(unit)):
            return None
        base = np.asarray(grad, dtype=np.float64).copy()
        moved = np.empty_like(params)
        size = max(1.0, float(np.max(np.abs(params))))

        def hessian_vector(v):
            h = 1e-7 * size / max(float(np.max(np.abs(v))), 1e-300)
            self.value_and_gradient(params + h * v, moved)
            return (moved - base) / h

        distance, settled = newton_distance(
            hessian_vector,
            base,
            max_steps=min(params.shape[0] + 1, 25),
            limit=NEWTON_LIMIT * unit,
        )
        reach = distance / unit
        return (reach, NEWTON_LIMIT) if settled and reach > NEWTON_LIMIT else None


class FunctionProblem:
    """A Python function to minimize, with its gradient given, joint or approximated.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(x) -> (value, gradient)``.
    scale : ndarray or float, default=None
        The gradient scale of the optimality measure; None: the largest
        gradient component at the start.
    """

    n_coef = 0
    a1 = 0.0
    #: what a start where fun is not finite is blamed on: x0, not data
    not_finite_advice = (
        "fun or its gradient is not finite at x0; start where fun is defined (inside its "
        "domain) and finite"
    )

    def __init__(self, evaluate: Callable, scale=None):
        self._evaluate = evaluate
        self._scale = scale

    def value(self, params: np.ndarray) -> float:
        return float(self._evaluate(params)[0])

    def value_and_gradient(self, params, grad=None):
        value, g = self._evaluate(params)
        g = np.asarray(g, dtype=np.float64).ravel()
        if grad is not None:
            grad[:] = g
            g = grad
        return float(value), g

    def gradient_scale(self, grad_at_start: np.ndarray | None = None) -> float:
        """The largest gradient component at the start (1 where that is 0 or not finite).

        A function that knows its own scale (an :class:`skgd.objective`) gives it.
        """
        if self._scale is not None:
            return self._scale
        largest = float(np.max(np.abs(grad_at_start), initial=0.0))
        return largest if largest > 0 and np.isfinite(largest) else 1.0

    def start_pass(self, params, grad) -> float:
        return self.value_and_gradient(params, grad)[0]

    def measure(self, params, grad, scale, tol=None) -> float:
        if not np.any(grad):
            return 0.0 if np.all(np.isfinite(grad)) else float("inf")
        return optimality(grad, params, scale)


__all__ = ["FunctionProblem", "Problem"]
