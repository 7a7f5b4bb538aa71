"""Errors and warnings raised by skgd."""

from __future__ import annotations

from sklearn.exceptions import ConvergenceWarning


class DivergenceError(ValueError, ArithmeticError):
    """Training diverged: the objective or the parameters stopped being finite.

    Raised instead of returning NaN coefficients. The message names the
    learning rate and the epoch. An estimator that raises it keeps the state
    it had before the call (its previous fit, if any).

    Attributes
    ----------
    epoch : int
        The epoch (1-based, counted across ``partial_fit`` calls) that diverged.
    learning_rate : float
        The learning rate in force during that epoch.

    Examples
    --------
    >>> from skgd.exceptions import DivergenceError
    >>> issubclass(DivergenceError, ValueError)
    True
    """

    def __init__(self, message: str, *, epoch: int = 0, learning_rate: float = float("nan")):
        super().__init__(message)
        self.epoch = epoch
        self.learning_rate = learning_rate


__all__ = ["ConvergenceWarning", "DivergenceError"]
