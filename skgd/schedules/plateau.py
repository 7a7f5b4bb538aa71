"""Reduce the learning rate when the objective stops improving."""

from __future__ import annotations

from typing import Any

from .._checks import check_range, check_whole
from ._base import Schedule


class ReduceOnPlateau(Schedule):
    """Multiply the rate by ``factor`` after ``patience`` epochs without improvement.

    An epoch improves when its objective J is lower than the best seen so far.
    Give it a ``patience`` below the estimator's ``n_iter_no_change``, or the
    stopping rule ends training before the rate is reduced.

    Parameters
    ----------
    factor : float, default=0.5
        Multiplier applied at each reduction, in (0, 1).
    patience : int, default=5
        Epochs without improvement before a reduction, >= 1.

    Examples
    --------
    >>> from skgd.schedules import ReduceOnPlateau
    >>> s = ReduceOnPlateau(factor=0.5, patience=1)
    >>> state = s.init(10)
    >>> for loss in [3.0, 2.0, 2.5, 2.5]:
    ...     state = s.observe(state, loss)
    >>> s.multiplier(4, state)
    0.5
    """

    def __init__(self, factor: float = 0.5, patience: int = 5):
        self.factor = factor
        self.patience = patience

    def init(self, max_iter: int) -> dict[str, Any]:
        check_range("factor", self.factor, 0.0, 1.0, low_open=True, high_open=True, owner=self)
        check_whole("patience", self.patience, 1, owner=self)
        return {"max_iter": max_iter, "multiplier": 1.0, "best": float("inf"), "wait": 0}

    def multiplier(self, epoch: int, state: dict[str, Any]) -> float:
        return float(state["multiplier"])

    def observe(self, state: dict[str, Any], loss: float) -> dict[str, Any]:
        state = dict(state)
        if loss < state["best"]:
            state["best"] = loss
            state["wait"] = 0
        else:
            state["wait"] += 1
            if state["wait"] > self.patience:
                state["multiplier"] *= self.factor
                state["wait"] = 0
        return state
