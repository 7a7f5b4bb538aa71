"""Hyperparameter and sample-weight checks, in the spirit of scikit-learn's
``_parameter_constraints`` but written here: that machinery is private."""

from __future__ import annotations

import numbers

import numpy as np

from .optimizers._base import check_range


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
    """A float64 copy of the weights (ones if None), checked for shape, sign and sum."""
    if sample_weight is None:
        return np.ones(n_samples)
    if np.isscalar(sample_weight):
        check_range("sample_weight", sample_weight, 0.0)
        return np.full(n_samples, float(sample_weight))
    try:
        w = np.array(sample_weight, dtype=np.float64, copy=True)
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
    if not w.sum() > 0:
        raise ValueError(
            "All sample_weight values are zero: at least one row needs a positive weight."
        )
    return w
