# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled losses' names, in code order, and a Python entry to each (for tests)."""

import numpy as np

#: The compiled branches of ``loss_gradient``, by code (see ``_losses.pxd``).
NAMES = (
    "squared_error",
    "huber",
    "epsilon_insensitive",
    "squared_epsilon_insensitive",
    "log_loss",
    "multinomial_log_loss",
    "hinge",
    "squared_hinge",
    "modified_huber",
    "poisson",
    "exp_squared_error",
    "quantile",
)


def value_and_derivative(int loss, double y, const double[::1] eta, double param=0.0):
    """L(y, eta) and dL/d(eta) of one row through the compiled branch ``loss``."""
    cdef double[::1] geta = np.empty(eta.shape[0])
    cdef double value = loss_gradient(loss, y, &eta[0], &geta[0], <int>eta.shape[0], param)
    return value, np.asarray(geta)
