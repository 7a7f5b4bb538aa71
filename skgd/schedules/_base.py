"""The protocol of learning-rate schedules: a multiplier of eta per epoch."""

from __future__ import annotations

from typing import Any

from sklearn.base import BaseEstimator


class Schedule(BaseEstimator):
    """Base class of :mod:`skgd.schedules`.

    A schedule turns the (0-based) epoch number into a multiplier of the base
    learning rate. Like optimizers, it keeps hyperparameters only; anything it
    must remember during training (``ReduceOnPlateau``'s counters) lives in a
    state returned by :meth:`init` and threaded through :meth:`multiplier` and
    :meth:`observe`, which the fitted estimator keeps as ``schedule_state_``.
    """

    def init(self, max_iter: int) -> dict[str, Any]:
        """Return the initial state for a run of at most ``max_iter`` epochs.

        Parameters
        ----------
        max_iter : int
            The estimator's ``max_iter``.

        Returns
        -------
        state : dict
        """
        return {"max_iter": max_iter}

    def multiplier(self, epoch: int, state: dict[str, Any]) -> float:
        """Return the multiplier of the learning rate for ``epoch``.

        Parameters
        ----------
        epoch : int
            Epochs completed before this one, counted across ``partial_fit``
            and ``warm_start`` fits.
        state : dict
            State from :meth:`init` / :meth:`observe`.

        Returns
        -------
        float
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement multiplier(epoch, state) -> float, the "
            "factor of the learning rate in that epoch (see skgd.schedules.Schedule)."
        )

    def observe(self, state: dict[str, Any], loss: float) -> dict[str, Any]:
        """Return the state after an epoch that ended with objective ``loss``.

        Parameters
        ----------
        state : dict
        loss : float

        Returns
        -------
        state : dict
        """
        return state


class FunctionSchedule(Schedule):
    """A schedule given by a callable ``epoch -> multiplier``.

    Parameters
    ----------
    function : callable
        Takes the 0-based epoch number and returns a positive finite float.

    Examples
    --------
    >>> from skgd.schedules import FunctionSchedule
    >>> FunctionSchedule(lambda epoch: 0.5 ** epoch).multiplier(3, {})
    0.125
    """

    def __init__(self, function=None):
        self.function = function

    def init(self, max_iter: int) -> dict[str, Any]:
        if not callable(self.function):
            raise ValueError(
                f"FunctionSchedule: function must be a callable epoch -> multiplier; got "
                f"{self.function!r}."
            )
        return super().init(max_iter)

    def multiplier(self, epoch: int, state: dict[str, Any]) -> float:
        # training checks every schedule's multiplier (positive and finite)
        return self.function(epoch)
