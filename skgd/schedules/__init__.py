"""Learning-rate schedules: a multiplier of the base learning rate per epoch."""

from __future__ import annotations

from .._names import lookup
from ._base import FunctionSchedule, Schedule
from .decay import Constant, CosineAnnealing, ExponentialDecay, InverseScaling, StepDecay
from .plateau import ReduceOnPlateau

#: The strings accepted by ``schedule=``.
SCHEDULES = {
    "constant": Constant,
    "step": StepDecay,
    "exponential": ExponentialDecay,
    "cosine": CosineAnnealing,
    "invscaling": InverseScaling,
    "plateau": ReduceOnPlateau,
}


def resolve_schedule(schedule) -> Schedule:
    """Return the schedule object for a name, an instance or a callable.

    Parameters
    ----------
    schedule : str, Schedule or callable
        A key of ``SCHEDULES``, an instance, or ``epoch -> multiplier``.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> from skgd.schedules import resolve_schedule
    >>> resolve_schedule("cosine")
    CosineAnnealing()
    """
    if isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, type) and issubclass(schedule, Schedule):
        # a class is callable too, and would be read as epoch -> multiplier
        raise ValueError(
            f"schedule={schedule.__name__} is the class; pass an instance, "
            f"{schedule.__name__}()."
        )
    if isinstance(schedule, str):
        return lookup(
            "schedule",
            schedule,
            SCHEDULES,
            "an instance from skgd.schedules, or a callable epoch -> multiplier",
        )
    if callable(schedule):
        return FunctionSchedule(schedule)
    raise ValueError(
        "schedule must be a string, an instance from skgd.schedules or a callable "
        f"epoch -> multiplier; got {schedule!r}."
    )


__all__ = [
    "SCHEDULES",
    "Constant",
    "CosineAnnealing",
    "ExponentialDecay",
    "FunctionSchedule",
    "InverseScaling",
    "ReduceOnPlateau",
    "Schedule",
    "StepDecay",
    "resolve_schedule",
]
