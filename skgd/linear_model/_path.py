"""``record_path=True``: keep the parameters after every epoch as ``path_``.

Kept out of the training loop: the loop only offers an ``on_epoch`` hook, and
with ``record_path=False`` nothing here runs, so recording costs nothing when
it is off.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_bool


class PathRecorder:
    """Collects the training parameters at the start and after each epoch."""

    def __init__(self, start: np.ndarray):
        self.points = [np.array(start, dtype=np.float64)]

    def append(self, params: np.ndarray) -> None:
        # The loop reuses its parameter array, so keep a copy.
        self.points.append(np.array(params, dtype=np.float64))


def start_recording(estimator, state) -> PathRecorder | None:
    """A recorder when ``estimator.record_path`` is true, else None."""
    record = getattr(estimator, "record_path", False)
    check_bool("record_path", record)
    return PathRecorder(state.params) if record else None


def store_path(estimator, recorder, outcome, continuing, n_features, n_outputs, dtype) -> None:
    """Set ``estimator.path_`` in the coordinates of :func:`skgd.objective`.

    Estimators may train in other coordinates (the growth model standardizes
    its columns). Rather than duplicating each estimator's conversion, every
    point is passed through the estimator's own ``_store_params`` /
    ``_public_params`` pair; the fitted attributes are then restored from the
    final parameters exactly as ``fit`` stored them.
    """
    if recorder is None:
        if hasattr(estimator, "path_"):
            del estimator.path_
        return
    points = []
    for params in recorder.points:
        estimator._store_params(params, n_features, n_outputs, np.float64)
        points.append(np.asarray(estimator._public_params(), dtype=np.float64).ravel())
    estimator._store_params(outcome.state.params, n_features, n_outputs, dtype)
    path = np.vstack(points)
    old = getattr(estimator, "path_", None)
    if continuing and old is not None and old.shape[1] == path.shape[1]:
        # The new run starts where the old one ended: do not repeat that point.
        path = np.vstack([old, path[1:]])
    estimator.path_ = path
