"""Penalties R(coef) of the objective J; the intercept is never penalized.

Every penalty is an elastic net ``a2 * ||coef||^2 / 2 + a1 * ||coef||_1``:
``"l2"`` is ``(alpha, 0)``, ``"l1"`` is ``(0, alpha)`` and ``"elasticnet"`` is
``(alpha * (1 - l1_ratio), alpha * l1_ratio)``. At ``coef_j = 0`` the L1 part
uses the subgradient 0.
"""

from __future__ import annotations

import numpy as np

PENALTIES = (None, "l2", "l1", "elasticnet")


def penalty_strengths(penalty, alpha: float, l1_ratio: float) -> tuple[float, float]:
    """Return ``(a2, a1)``, the L2 and L1 weights of a penalty.

    Parameters
    ----------
    penalty : {None, 'l2', 'l1', 'elasticnet'}
    alpha : float
    l1_ratio : float

    Returns
    -------
    a2, a1 : float

    Examples
    --------
    >>> from skgd.penalties import penalty_strengths
    >>> penalty_strengths("elasticnet", 1.0, 0.25)
    (0.75, 0.25)
    """
    if penalty is None or penalty == "none":
        return 0.0, 0.0
    if penalty == "l2":
        return float(alpha), 0.0
    if penalty == "l1":
        return 0.0, float(alpha)
    if penalty == "elasticnet":
        return float(alpha) * (1.0 - float(l1_ratio)), float(alpha) * float(l1_ratio)
    raise ValueError(f"penalty must be one of {PENALTIES}; got {penalty!r}.")


def penalty_value(params, n_coef, a2, a1):
    """a2 * sum(c^2) / 2 + a1 * sum(|c|) over the first ``n_coef`` parameters."""
    value = 0.0
    for j in range(n_coef):
        value += 0.5 * a2 * params[j] * params[j] + a1 * abs(params[j])
    return value


def add_penalty_gradient(params, n_coef, a2, a1, grad):
    """grad += a2 * c + a1 * sign(c) for the first ``n_coef`` parameters."""
    if a1 == 0.0:
        # the common case in a loop of its own: np.sign keeps a loop scalar
        if a2 != 0.0:
            for j in range(n_coef):
                grad[j] += a2 * params[j]
        return
    for j in range(n_coef):
        grad[j] += a2 * params[j] + a1 * np.sign(params[j])
