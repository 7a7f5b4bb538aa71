"""Losses: their values, gradients, and what an estimator needs to know of them.

Each loss is declared once, in :data:`LOSSES`: its public name, the plain
Python function that is its reference (``loss(y, eta, grad, param) ->
value`` of one row's target ``y`` and linear scores ``eta``, writing
dL/d(eta) into ``grad``), and the name of its compiled branch in
:mod:`skgd._kernels`, which training runs and which is tested against the
reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import classification, growth, regression


@dataclass(frozen=True)
class LossInfo:
    """What the training loop and the estimators need to know about a loss.

    Attributes
    ----------
    name : str
        The public name (``loss=`` value).
    kernel : str
        The name of its compiled branch (one of ``skgd._kernels.LOSS_NAMES``).
    function : callable
        The plain-Python ``loss(y, eta, grad, param)``, the reference.
    log_target : bool
        The loss is fitted to ``log y`` instead of ``y``.
    """

    name: str
    kernel: str
    function: Callable
    log_target: bool = False

    @property
    def code(self) -> int:
        """The kernels' code of this loss."""
        from .._kernels import loss_code

        return loss_code(self.kernel)


def _info(name, function, **kw):
    return LossInfo(name=name, kernel=function.__name__, function=function, **kw)


#: Per estimator family, the ``loss=`` strings and the loss each one means.
LOSSES = {
    "regression": {
        "squared_error": _info("squared_error", regression.squared_error),
        "huber": _info("huber", regression.huber),
        "epsilon_insensitive": _info("epsilon_insensitive", regression.epsilon_insensitive),
        "squared_epsilon_insensitive": _info(
            "squared_epsilon_insensitive", regression.squared_epsilon_insensitive
        ),
        "quantile": _info("quantile", regression.quantile),
    },
    "classification": {
        "log_loss": _info("log_loss", classification.log_loss),
        "hinge": _info("hinge", classification.hinge),
        "squared_hinge": _info("squared_hinge", classification.squared_hinge),
        "modified_huber": _info("modified_huber", classification.modified_huber),
    },
    "growth": {
        "poisson": _info("poisson", growth.poisson),
        "log_squared_error": _info("log_squared_error", regression.squared_error, log_target=True),
        "squared_error": _info("squared_error", growth.exp_squared_error),
    },
}
MULTINOMIAL = _info("log_loss", classification.multinomial_log_loss)


def loss_value_gradient(info: LossInfo, y, eta, param: float = 0.0):
    """Evaluate a loss row by row in plain Python (for checks and teaching).

    Parameters
    ----------
    info : LossInfo
    y : array-like of shape (n_samples,)
    eta : array-like of shape (n_samples, K)
    param : float, default=0.0
        The loss's ``epsilon`` where it has one.

    Returns
    -------
    values : ndarray of shape (n_samples,)
    gradients : ndarray of shape (n_samples, K)

    Examples
    --------
    >>> from skgd.losses import LOSSES, loss_value_gradient
    >>> v, g = loss_value_gradient(LOSSES["regression"]["squared_error"], [1.0], [[3.0]])
    >>> float(v[0]), float(g[0, 0])
    (2.0, 2.0)
    """
    y = np.asarray(y, dtype=np.float64)
    eta = np.atleast_2d(np.asarray(eta, dtype=np.float64))
    values = np.empty(y.shape[0])
    grads = np.empty_like(eta)
    for i in range(y.shape[0]):
        values[i] = info.function(y[i], eta[i], grads[i], param)
    return values, grads


__all__ = ["LOSSES", "MULTINOMIAL", "LossInfo", "loss_value_gradient"]
