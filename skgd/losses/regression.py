"""Losses of a real-valued prediction ``f = eta``.

Each function is ``loss(y, eta, grad, epsilon) -> value``: it writes
dL/d(eta) into ``grad`` (length 1 here) and returns L(y, eta).
"""

from __future__ import annotations


def squared_error(y, eta, grad, epsilon):
    """L = (y - f)^2 / 2."""
    r = eta[0] - y
    grad[0] = r
    return 0.5 * r * r


def huber(y, eta, grad, epsilon):
    """Squared error for |y - f| <= epsilon, linear beyond it (continuous slope)."""
    r = eta[0] - y
    if abs(r) <= epsilon:
        grad[0] = r
        return 0.5 * r * r
    grad[0] = epsilon if r > 0 else -epsilon
    return epsilon * abs(r) - 0.5 * epsilon * epsilon


def epsilon_insensitive(y, eta, grad, epsilon):
    """L = max(0, |y - f| - epsilon), the loss of linear support vector regression."""
    r = eta[0] - y
    if abs(r) <= epsilon:
        grad[0] = 0.0
        return 0.0
    grad[0] = 1.0 if r > 0 else -1.0
    return abs(r) - epsilon


def squared_epsilon_insensitive(y, eta, grad, epsilon):
    """L = max(0, |y - f| - epsilon)^2, as in scikit-learn (no factor 1/2)."""
    r = eta[0] - y
    excess = abs(r) - epsilon
    if excess <= 0.0:
        grad[0] = 0.0
        return 0.0
    grad[0] = 2.0 * excess if r > 0 else -2.0 * excess
    return excess * excess


def quantile(y, eta, grad, q):
    """The pinball loss of quantile q: q (y - f) above the prediction, (1 - q) (f - y) below.

    Its minimizer over a constant is the q-quantile of y. At the kink (y == f)
    the derivative given is the smallest subgradient, 0.
    """
    r = y - eta[0]
    if r > 0.0:
        grad[0] = -q
        return q * r
    if r < 0.0:
        grad[0] = 1.0 - q
        return (q - 1.0) * r
    grad[0] = 0.0
    return 0.0
