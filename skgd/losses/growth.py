"""Losses of an exponential model ``f = exp(eta)`` (eta = log of the prediction).

``log_squared_error`` needs no function of its own: it is ``squared_error``
on the target ``log y`` (see :data:`skgd.losses.LOSSES`).
"""

from __future__ import annotations

import numpy as np


def poisson(y, eta, grad, param):
    """Poisson deviance / 2: f - y - y (log f - log y), zero at f = y.

    It differs from the negative log-likelihood f - y log f + log y! by a term
    that does not depend on the parameters, and unlike it never goes below 0,
    so loss curves can be drawn on a log scale.
    """
    f = np.exp(eta[0])
    grad[0] = f - y
    if y > 0.0:
        return f - y - y * (eta[0] - np.log(y))
    return f


def exp_squared_error(y, eta, grad, param):
    """(y - f)^2 / 2 on the raw scale, with f = exp(eta)."""
    f = np.exp(eta[0])
    r = f - y
    grad[0] = r * f
    return 0.5 * r * r
