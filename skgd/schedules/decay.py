"""Schedules that depend on the epoch number only."""

from __future__ import annotations

import math
from typing import Any

from .._checks import check_range, check_whole
from ._base import Schedule


class Constant(Schedule):
    """The learning rate stays at its base value.

    Examples
    --------
    >>> from skgd.schedules import Constant
    >>> Constant().multiplier(10, {})
    1.0
    """

    def multiplier(self, epoch: int, state: dict[str, Any]) -> float:
        return 1.0


class StepDecay(Schedule):
    """Multiply the rate by ``drop_rate`` every ``epochs_drop`` epochs.

    ``factor(epoch) = drop_rate ** floor(epoch / epochs_drop)``.

    Parameters
    ----------
    drop_rate : float, default=0.5
        Multiplier applied at each drop, in (0, 1].
    epochs_drop : int, default=10
        Epochs between drops, >= 1.

    Examples
    --------
    >>> from skgd.schedules import StepDecay
    >>> [StepDecay(drop_rate=0.5, epochs_drop=2).multiplier(e, {}) for e in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, drop_rate: float = 0.5, epochs_drop: int = 10):
        self.drop_rate = drop_rate
        self.epochs_drop = epochs_drop

    def init(self, max_iter: int) -> dict[str, Any]:
        check_range("drop_rate", self.drop_rate, 0.0, 1.0, low_open=True, owner=self)
        check_whole("epochs_drop", self.epochs_drop, 1, owner=self)
        return super().init(max_iter)

    def multiplier(self, epoch: int, state: dict[str, Any]) -> float:
        return float(self.drop_rate ** (epoch // check_whole("epochs_drop", self.epochs_drop, 1)))


class ExponentialDecay(Schedule):
    """``factor(epoch) = decay_rate ** epoch``.

    Parameters
    ----------
    decay_rate : float, default=0.95
        In (0, 1].

    Examples
    --------
    >>> from skgd.schedules import ExponentialDecay
    >>> ExponentialDecay(decay_rate=0.5).multiplier(3, {})
    0.125
    """

    def __init__(self, decay_rate: float = 0.95):
        self.decay_rate = decay_rate

    def init(self, max_iter: int) -> dict[str, Any]:
        check_range("decay_rate", self.decay_rate, 0.0, 1.0, low_open=True, owner=self)
        return super().init(max_iter)

    def multiplier(self, epoch: int, state: dict[str, Any]) -> float:
        return float(self.decay_rate**epoch)


class CosineAnnealing(Schedule):
    """Cosine annealing from 1 down to ``min_factor`` over ``total_epochs``.

    ``factor(epoch) = min_factor + (1 - min_factor) * (1 + cos(pi * e / T)) / 2``
    with ``e = min(epoch, T)``; it stays at ``min_factor`` after ``T`` epochs.
    With ``min_factor=0`` the epochs from ``T`` on take no step (learning
    rate 0): training continues without error, and a fit that has not
    converged by then says so in its warning.

    Parameters
    ----------
    total_epochs : int or None, default=None
        ``T``; None uses the estimator's ``max_iter``.
    min_factor : float, default=0.0
        The final multiplier, in [0, 1].

    Examples
    --------
    >>> from skgd.schedules import CosineAnnealing
    >>> s = CosineAnnealing(total_epochs=4)
    >>> [round(s.multiplier(e, s.init(4)), 3) for e in range(5)]
    [1.0, 0.854, 0.5, 0.146, 0.0]
    """

    #: its factor is 0 by design at the end (min_factor=0): not an error
    reaches_zero = True

    def __init__(self, total_epochs: int | None = None, min_factor: float = 0.0):
        self.total_epochs = total_epochs
        self.min_factor = min_factor

    def init(self, max_iter: int) -> dict[str, Any]:
        total = max_iter
        if self.total_epochs is not None:
            total = check_whole("total_epochs", self.total_epochs, 1, owner=self)
        check_range("min_factor", self.min_factor, 0.0, 1.0, owner=self)
        return {"max_iter": max_iter, "total": total}

    def multiplier(self, epoch: int, state: dict[str, Any]) -> float:
        total = state.get("total") or self.total_epochs or 1
        e = min(epoch, total)
        cosine = 0.5 * (1.0 + math.cos(math.pi * e / total))
        return float(self.min_factor + (1.0 - self.min_factor) * cosine)


class InverseScaling(Schedule):
    """``factor(epoch) = 1 / (epoch + 1) ** power_t``.

    scikit-learn's ``"invscaling"`` counts updates; this one counts epochs, so
    the rate does not depend on the batch size.

    Parameters
    ----------
    power_t : float, default=0.25
        Exponent, >= 0.

    Examples
    --------
    >>> from skgd.schedules import InverseScaling
    >>> InverseScaling(power_t=0.5).multiplier(3, {})
    0.5
    """

    def __init__(self, power_t: float = 0.25):
        self.power_t = power_t

    def init(self, max_iter: int) -> dict[str, Any]:
        check_range("power_t", self.power_t, 0.0, owner=self)
        return super().init(max_iter)

    def multiplier(self, epoch: int, state: dict[str, Any]) -> float:
        # in logs: (epoch + 1) ** power_t overflows for large powers, while the
        # factor only underflows towards 0 (which training reports)
        return float(math.exp(-self.power_t * math.log(epoch + 1)))
