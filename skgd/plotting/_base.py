"""What the Displays share: the lazy matplotlib import and small helpers."""

from __future__ import annotations

import numpy as np


def import_pyplot():
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised without matplotlib only
        raise ImportError(
            "skgd.plotting needs matplotlib, an optional dependency: pip install 'skgd[plot]'"
        ) from exc
    return plt


def get_ax(ax):
    """``(figure, axes)``: the given axes, or a new figure with one axes."""
    plt = import_pyplot()
    if ax is None:
        fig, ax = plt.subplots()
        return fig, ax
    return ax.figure, ax


def final_step(estimator, X=None):
    """``(skgd estimator, X as it sees it)``: the last step of a Pipeline, with
    X passed through the (fitted) steps before it."""
    steps = getattr(estimator, "steps", None)
    if steps is None:
        return estimator, X
    last = estimator[-1]
    if X is not None and len(steps) > 1:
        X = estimator[:-1].transform(X)
    return last, X


def describe(estimator) -> str:
    """A short label: the optimizer, the learning rate and the batch size."""
    est, _ = final_step(estimator)
    optimizer = getattr(est, "optimizer", None)
    name = optimizer if isinstance(optimizer, str) else type(optimizer).__name__
    parts = [str(name)]
    if name != "lbfgs" and hasattr(est, "learning_rate"):
        parts.append(f"lr={est.learning_rate:g}")
    batch = getattr(est, "batch_size", "full")
    if batch != "full":
        parts.append(f"batch={batch}")
    return ", ".join(parts)


def as_curve(values) -> np.ndarray:
    """A loss curve as a float array, checked to be one-dimensional."""
    curve = np.asarray(values, dtype=np.float64)
    if curve.ndim != 1:
        raise ValueError(f"A loss curve is one-dimensional; got shape {curve.shape}.")
    return curve
