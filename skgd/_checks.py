"""Checks of single hyperparameter values, with messages that name the parameter.

The shape of scikit-learn's ``_parameter_constraints``, written here because
that machinery is private. ``owner`` (an optimizer or schedule object, or its
class name) puts the class in the message: ``SGD: nesterov must be True or
False; got 'no'.``
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def _prefix(owner) -> str:
    if owner is None:
        return ""
    name = owner if isinstance(owner, str) else type(owner).__name__
    return f"{name}: "


def check_range(name: str, value, low=None, high=None, *, low_open=False, high_open=False,
                owner=None):  # fmt: skip
    """Raise a ValueError naming ``name`` unless it is a real number with ``low <= value <= high``.

    Examples
    --------
    >>> from skgd._checks import check_range
    >>> check_range("rho", 0.9, 0.0, 1.0, high_open=True)
    >>> check_range("rho", 1.5, 0.0, 1.0, high_open=True, owner="RMSProp")
    Traceback (most recent call last):
    ...
    ValueError: RMSProp: rho must be a real number in [0.0, 1.0); got 1.5.
    """
    ok = isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(
        value, (bool, np.bool_)
    )
    if ok and np.isfinite(value):
        if low is not None:
            ok = value > low if low_open else value >= low
        if ok and high is not None:
            ok = value < high if high_open else value <= high
    else:
        ok = False
    if not ok:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        span = f"{lo}{'-inf' if low is None else low}, {'inf' if high is None else high}{hi}"
        raise ValueError(f"{_prefix(owner)}{name} must be a real number in {span}; got {value!r}.")


def check_bool(name: str, value, *, owner=None) -> None:
    """Raise a ValueError unless ``value`` is True or False (not 'no', not 1).

    Examples
    --------
    >>> from skgd._checks import check_bool
    >>> check_bool("nesterov", "no", owner="SGD")
    Traceback (most recent call last):
    ...
    ValueError: SGD: nesterov must be True or False; got 'no'.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{_prefix(owner)}{name} must be True or False; got {value!r}.")


def check_whole(name: str, value, low: int, *, owner=None) -> int:
    """Return ``value`` as an int if it is a whole number >= ``low`` (2.0 is, 2.5 and True are not).

    Examples
    --------
    >>> from skgd._checks import check_whole
    >>> check_whole("epochs_drop", 2.0, 1)
    2
    >>> check_whole("epochs_drop", 2.5, 1, owner="StepDecay")
    Traceback (most recent call last):
    ...
    ValueError: StepDecay: epochs_drop must be a whole number >= 1; got 2.5.
    """
    if isinstance(value, (bool, np.bool_)):
        whole = False
    elif isinstance(value, (float, np.floating)):
        whole = math.isfinite(value) and value == int(value)
    else:
        whole = isinstance(value, (numbers.Integral, np.integer))
    if not whole or value < low:
        raise ValueError(f"{_prefix(owner)}{name} must be a whole number >= {low}; got {value!r}.")
    return int(value)


__all__ = ["check_bool", "check_range", "check_whole"]
