"""Hyperparameter and sample-weight checks, in the spirit of scikit-learn's
``_parameter_constraints`` but written here: that machinery is private."""

from __future__ import annotations

import numbers
import re
from contextlib import contextmanager

import numpy as np
from sklearn.utils import assert_all_finite, column_or_1d

from ._checks import check_range


def check_int(name, value, low, allow_none=False):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")


def check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}.")


def check_options(name, value, options):
    if value not in options:
        raise ValueError(f"{name} must be one of {list(options)}; got {value!r}.")


def check_batch_size(value) -> int | None:
    """Return the batch size as an int, or None for the full data."""
    if isinstance(value, str) and value == "full":
        return None
    check_int("batch_size", value, 1)
    return int(value)


def check_sample_weight(sample_weight, n_samples: int) -> np.ndarray:
    """A float64 copy of the weights (ones if None), checked for type, shape, sign and sum.

    A single number is every row's weight, as in scikit-learn. Complex, text
    or missing (None) values are refused with a message naming
    ``sample_weight`` rather than cast (a complex weight used to lose its
    imaginary part without a word).
    """
    if sample_weight is None:
        return np.ones(n_samples)
    array = np.asarray(sample_weight)
    kind = array.dtype.kind
    if kind == "c":
        raise ValueError("sample_weight must be real numbers; got complex values.")
    if array.ndim == 0:
        check_range("sample_weight", array.item() if kind in "biuf" else sample_weight, 0.0)
        w = np.full(n_samples, float(array))
    else:
        if kind == "O" and any(v is None for v in array.ravel()):
            raise ValueError("sample_weight contains missing values (None).")
        if kind in "USVMm":
            raise ValueError(f"sample_weight must be numeric; got an array of dtype {array.dtype}.")
        try:
            w = np.array(array, dtype=np.float64, copy=True)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"sample_weight must be numeric; {exc}") from None
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(f"sample_weight must have shape ({n_samples},); got {w.shape}.")
    if not np.all(np.isfinite(w)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(w < 0):
        raise ValueError(
            f"sample_weight must be non-negative; rows {np.flatnonzero(w < 0)[:10].tolist()} "
            "are negative."
        )
    if not np.any(w > 0):
        raise ValueError(
            "All sample_weight values are zero: at least one row needs a positive weight."
        )
    return w


def normalize_weights(w: np.ndarray, unit: float | None = None) -> tuple[np.ndarray, float]:
    """Weights in units of their mean over the rows of positive weight.

    J is the same for any positive scale of the weights, and with weights of
    mean 1 the plain batch mean of ``w_i dL_i`` is an unbiased step at every
    batch size. Computed through the largest weight first, so that weights
    near float64's limits (1e308, 1e-320) neither overflow nor vanish.

    Parameters
    ----------
    w : ndarray of shape (n_samples,)
        Non-negative, finite, not all zero (see :func:`check_sample_weight`).
    unit : float, default=None
        Divide by this instead of the mean (``partial_fit`` after the first
        call: every chunk in the unit of the first).

    Returns
    -------
    w : ndarray
        A new array.
    unit : float
        The mean positive weight that was divided out.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd._validation import normalize_weights
    >>> normalize_weights(np.array([2.0, 0.0, 6.0]))
    (array([0.5, 0. , 1.5]), 4.0)
    """
    if unit is None:
        largest = float(np.max(w))
        relative = w / largest
        # one array and no masked copies (the weights of a large fit are
        # counted in its peak memory): the weights are >= 0, so the sum over
        # all rows is the sum over the positive ones
        mean = float(np.sum(relative)) / int(np.count_nonzero(relative))
        relative /= mean
        return relative, largest * mean
    with np.errstate(over="ignore"):
        out = w / unit
    if not np.all(np.isfinite(out)):
        raise ValueError(
            "sample_weight of this partial_fit call are beyond float64's range in the unit "
            f"of the first call (mean weight {unit:.3g}); rescale the weights."
        )
    return out, unit


def check_random_state_param(value) -> None:
    """Check ``random_state`` up front, so a bad seed is not reported by numpy unnamed."""
    if value is None or isinstance(value, np.random.RandomState):
        return
    if isinstance(value, numbers.Integral) and 0 <= value < 2**32:
        return
    raise ValueError(
        "random_state must be None, an integer in [0, 2**32 - 1] or a "
        f"numpy.random.RandomState; got {value!r}."
    )


@contextmanager
def named_argument(name: str):
    """Make a ValueError or TypeError raised while checking ``name`` say which argument it is.

    scikit-learn's validators name the argument for some problems ("Input X
    contains NaN") but not for others ("Found array with 0 sample(s)"): with
    several arrays in one call the user cannot tell which one is meant.
    Messages that already name the argument are left as they are.
    """
    try:
        yield
    except (ValueError, TypeError) as exc:
        message = str(exc)
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", message):
            raise
        kind = ValueError if isinstance(exc, ValueError) else TypeError
        raise kind(f"Invalid {name}: {message}") from None


def check_target(y, *, numeric: bool) -> np.ndarray:
    """Validate ``y`` as a 1-d array of finite values, naming ``y`` in every error.

    The same checks as scikit-learn's ``check_X_y`` does on ``y`` (a column
    vector is raveled with a ``DataConversionWarning``; pandas nullable
    types are converted, ``pd.NA`` becoming NaN and then an error), done
    separately from ``X`` so that each message names its argument.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
    numeric : bool
        Convert object arrays to float64 (regression targets).

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    if not numeric and hasattr(y, "isna") and getattr(y, "ndim", 0) == 1:
        # pandas labels with pd.NA: numpy cannot even compare them
        _refuse_missing_labels(np.asarray(y.isna()))
    with named_argument("y"):
        y = column_or_1d(y, warn=True)
        assert_all_finite(y, input_name="y")
        if numeric and y.dtype.kind == "O":
            # None and pd.NA become NaN here: checked again below
            y = y.astype(np.float64)
            assert_all_finite(y, input_name="y")
        elif numeric and y.dtype.kind not in "biuf":
            raise ValueError(f"y must be numeric; got an array of dtype {y.dtype}.")
        elif y.dtype.kind == "O":
            # labels: None and pd.NA are missing labels, which sorting the
            # classes would otherwise report as a TypeError from numpy
            import pandas as pd

            _refuse_missing_labels(np.asarray(pd.isna(y)))
    return y


def _refuse_missing_labels(missing: np.ndarray) -> None:
    rows = np.flatnonzero(missing)
    if rows.size:
        more = f" and {rows.size - 10} more" if rows.size > 10 else ""
        raise ValueError(
            f"y has missing labels (None, NaN or NA) at rows {rows[:10].tolist()}{more}; "
            "drop those rows or give them a label."
        )


def check_has_features(X) -> None:
    """X with no columns; checked first because pandas frames then fail obscurely."""
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) == 2 and shape[1] == 0:
        # scikit-learn's wording, which its estimator checks expect
        raise ValueError(
            f"X has 0 feature(s) (shape={tuple(shape)}) while a minimum of 1 is required."
        )


def check_same_length(X, y) -> None:
    """X and y must have one row per sample."""
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same number of rows; X has {X.shape[0]} and y has {y.shape[0]}."
        )


def brief(value) -> str:
    """``repr(value)``, cut to 60 characters (for messages that quote what was passed)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def scalar_value(value) -> float:
    """A function's value as a float, or a ValueError that says what it returned instead."""
    array = np.asarray(value)
    if array.size != 1 or array.dtype.kind not in "biuf":
        raise ValueError(
            "fun must return a single number (the value to minimize); got "
            f"{type(value).__name__} of shape {array.shape} {brief(value)}."
        )
    return float(array.reshape(()))
