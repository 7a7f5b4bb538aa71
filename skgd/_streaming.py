"""Train and score from a CSV file that does not fit in memory.

Both functions read the file with ``pandas.read_csv(chunksize=...)``, so at
most one chunk of rows is in memory at a time. Training is
``estimator.partial_fit`` on each chunk in file order; a pass is one read of
the file.

What a chunk means to the estimator
-----------------------------------
Every ``partial_fit`` call is one epoch to the estimator: it runs the batches
of ``batch_size`` rows of that chunk, in order (shuffled within the chunk when
``shuffle=True``), keeps the optimizer's moments and update count, and then
advances the schedule by one epoch and appends one row to ``history_``. So
with ``k`` chunks per pass the schedule moves ``k`` epochs per pass: size
epoch-based schedules in chunks (``StepDecay(epochs_drop=k)`` halves once per
pass, ``CosineAnnealing(total_epochs=k * n_passes)`` spans the whole run).
With a constant schedule and ``shuffle=False``, ``k`` chunks whose lengths are
multiples of ``batch_size`` make exactly the updates of one epoch of ``fit``.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterator

import numpy as np
import pandas as pd
from sklearn.base import is_classifier, is_regressor

__all__ = ["fit_csv", "score_csv"]


def fit_csv(
    estimator,
    path: str | os.PathLike,
    *,
    target: str,
    features: list[str] | None = None,
    sample_weight: str | None = None,
    chunksize: int = 10_000,
    n_passes: int = 1,
    validation: float | str | os.PathLike | None = None,
    patience: int | None = None,
    tol: float | None = None,
    classes=None,
    random_state: int = 0,
    read_csv_kwargs: dict | None = None,
    verbose: int = 0,
) -> pd.DataFrame:
    """Train ``estimator`` with ``partial_fit`` on a CSV read chunk by chunk.

    Only one chunk of ``chunksize`` rows is in memory at a time, so the file
    may be larger than memory. Each pass reads the file once, in order, and
    calls ``estimator.partial_fit`` on every chunk (one epoch to the
    estimator per chunk: see the module notes on schedules). After each pass
    the model is scored out of core on the validation rows. The estimator is
    trained in place; state continues if it was already fitted.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        E.g. :class:`skgd.GDRegressor` or :class:`skgd.GDClassifier`. Set
        ``batch_size`` to a number (the default ``'full'`` makes one update
        per chunk).
    path : str or path-like
        The CSV file, with a header row.
    target : str
        Name of the target column.
    features : list of str, default=None
        Feature columns; None means every column except ``target`` and
        ``sample_weight``. They are passed as a DataFrame, so the estimator
        records ``feature_names_in_``.
    sample_weight : str, default=None
        Name of a column of row weights.
    chunksize : int, default=10_000
        Rows per chunk, >= 1. For the same updates as one ``fit`` epoch, use a
        multiple of the estimator's ``batch_size``.
    n_passes : int, default=1
        Number of passes over the file, >= 1.
    validation : float, str or path-like, default=None
        Rows to score after every pass. A float in (0, 1) holds out that
        fraction of the rows of ``path`` (the same rows in every pass, drawn
        with ``random_state``; scoring them costs one extra read of the file
        per pass). A path names a second CSV with the same columns. None
        scores nothing.
    patience : int, default=None
        With ``validation``: stop after this many passes without the
        validation score improving by more than ``tol`` (early stopping).
    tol : float, default=None
        The stopping rule's tolerance: after every pass, J and its gradient
        over all the training rows of the file (one more read) give the
        optimality measure that ``fit`` stops on, and training stops once it
        is ``<= tol``. None uses ``estimator.tol``; ``n_passes`` ending
        training first gives a ``ConvergenceWarning``. With ``patience`` it
        is also the validation improvement that counts.
    classes : array-like, default=None
        For classifiers not fitted yet: every label. None reads them from the
        target column first (one extra read of that column only).
    random_state : int, default=0
        Seeds the held-out rows when ``validation`` is a float.
    read_csv_kwargs : dict, default=None
        Passed to :func:`pandas.read_csv` (e.g. ``{"dtype": "float32"}``,
        ``{"sep": ";"}``).
    verbose : int, default=0
        If >= 1, print one line per pass.

    Returns
    -------
    history : pandas.DataFrame
        One row per pass: ``pass``, ``rows`` (training rows), ``epochs``
        (``estimator.n_iter_`` after the pass), ``loss`` (J over all the
        training rows of the file at the end of the pass), ``optimality``
        (the measure the stopping rule reads), ``validation_score`` (R^2 for
        regressors, accuracy for classifiers; NaN without validation) and
        ``seconds``.

    See Also
    --------
    score_csv : The out-of-core score used for validation.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np, pandas as pd
    >>> from skgd import GDRegressor, fit_csv
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(2000, 3)
    >>> frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=X @ [1.0, -2.0, 0.5] + 3)
    >>> path = os.path.join(tempfile.mkdtemp(), "big.csv")
    >>> frame.to_csv(path, index=False)
    >>> model = GDRegressor(batch_size=50, learning_rate=0.05, random_state=0)
    >>> history = fit_csv(model, path, target="y", chunksize=500, n_passes=3, validation=0.2)
    >>> history[["pass", "rows", "epochs"]].values.tolist()
    [[1, 1587, 4], [2, 1587, 8], [3, 1587, 12]]
    >>> bool(history["validation_score"].iloc[-1] > 0.99)
    True
    >>> model.feature_names_in_.tolist()
    ['a', 'b', 'c']
    """
    _check_int("chunksize", chunksize)
    _check_int("n_passes", n_passes)
    if patience is not None:
        _check_int("patience", patience)
        if validation is None:
            raise ValueError("patience needs validation rows to watch; pass validation=.")
    if not hasattr(estimator, "partial_fit"):
        raise TypeError(
            f"{type(estimator).__name__} has no partial_fit, so it cannot learn chunk by "
            "chunk; use an estimator such as skgd.GDRegressor or skgd.GDClassifier."
        )
    if not hasattr(estimator, "_training_data"):
        raise TypeError(
            f"fit_csv trains skgd's estimators (GDRegressor, GDClassifier, "
            f"ExponentialGrowthRegressor); got {type(estimator).__name__}."
        )
    holdout = None
    if isinstance(validation, numbers.Real) and not isinstance(validation, bool):
        if not 0.0 < validation < 1.0:
            raise ValueError(f"validation as a fraction must be in (0, 1); got {validation}.")
        holdout = float(validation)
    if tol is not None:
        from ._checks import check_range

        check_range("tol", tol, 0.0)
    reading = dict(
        path=path,
        target=target,
        features=features,
        sample_weight=sample_weight,
        chunksize=chunksize,
        read_csv_kwargs=read_csv_kwargs,
    )

    def training_chunks():
        return _chunks(**reading, holdout=holdout, keep="train", random_state=random_state)

    fit_kwargs = {}
    if is_classifier(estimator) and not hasattr(estimator, "classes_"):
        if classes is None:
            classes = _labels(path, target, chunksize, read_csv_kwargs)
        fit_kwargs["classes"] = np.asarray(classes)
    if not hasattr(estimator, "coef_"):
        # the model's start, from the first chunk (as its first partial_fit
        # would start), so that J over the file can be evaluated before pass 1
        first = next((c for c in training_chunks() if c[1].shape[0]), None)
        if first is None:
            raise ValueError(f"{os.fspath(path)!r} has no training rows.")
        estimator._start(first[0], first[1], first[2], **fit_kwargs)

    score = None
    if holdout is not None:

        def score(params):
            return score_csv(estimator, **reading, _holdout=(holdout, random_state))

    elif validation is not None:

        def score(params):
            return score_csv(estimator, **{**reading, "path": validation})

    from ._engine import Settings, TrainState, train, warn_if_not_converged
    from .schedules import Constant

    passes = _Passes(estimator, training_chunks, fit_kwargs, verbose)
    state = TrainState(estimator._continue_params(), estimator.optimizer_state_, {})
    outcome = train(
        _FileProblem(estimator, training_chunks),
        state,
        passes,
        schedule=Constant(),
        settings=Settings(
            learning_rate=np.nan,
            max_iter=n_passes,
            tol=estimator.tol if tol is None else tol,
            n_iter_no_change=n_passes + 1 if patience is None else patience,
            keep_best=False,
            name="fit_csv: ",
        ),
        validation=score,
    )
    warn_if_not_converged(outcome, name="fit_csv: ", stacklevel=2)
    rows = [
        {
            "pass": row["epoch"],
            "rows": passes.rows[k],
            "epochs": passes.epochs[k],
            "loss": row["loss"],
            "optimality": row["optimality"],
            "validation_score": row["validation_score"],
            "seconds": row["seconds"],
        }
        for k, row in enumerate(outcome.history[1:])
    ]
    columns = ["pass", "rows", "epochs", "loss", "optimality", "validation_score", "seconds"]
    return pd.DataFrame(rows, columns=columns)


class _FileProblem:
    """J of the estimator over every training row of a file, read chunk by chunk.

    The same J as in memory: each chunk's weighted sums come from the kernels'
    pass, added up and finished once (mean, intercept rule, penalty).
    """

    def __init__(self, estimator, chunks):
        self.estimator = estimator
        self.chunks = chunks
        self.n_coef = 0
        self.a1 = 0.0

    def value_and_gradient(self, params, grad=None):
        from ._kernels import chunk_sums, finish

        total, weight, grad_sum, model = 0.0, 0.0, np.zeros_like(params), None
        for X, y, w in self.chunks():
            if y.shape[0] == 0:
                continue
            data, model = self.estimator._training_data(X, y, w)
            totals, weights, grads, _ = chunk_sums(data, model, params)
            total += totals.sum()
            weight += weights.sum()
            grad_sum += grads.sum(axis=0)
        if model is None:
            raise ValueError("The file has no training rows.")
        self.n_coef = model.n_features * model.n_outputs
        self.a1 = model.a1
        grad = np.empty_like(params) if grad is None else grad
        sums = np.array([total]), np.array([weight]), grad_sum[None, :]
        value = finish(model, params, grad, *sums)
        return float(value), grad

    def gradient_scale(self, grad_at_start=None):
        # the scale of the estimator's own first fit (its first chunk's null model)
        return self.estimator._gradient_scale

    def measure(self, params, grad, scale, tol=None):
        from ._optimality import optimality

        return optimality(grad, params, scale, a1=self.a1, n_coef=self.n_coef, tol=tol)


class _Passes:
    """The stepper of :func:`fit_csv`: one epoch is one pass of ``partial_fit`` over the file."""

    stochastic = True
    name = "fit_csv"

    def __init__(self, estimator, chunks, fit_kwargs, verbose):
        self.estimator = estimator
        self.chunks = chunks
        self.fit_kwargs = dict(fit_kwargs)
        self.verbose = verbose
        self.rows: list[int] = []
        self.epochs: list[int] = []

    def run(self, run) -> None:
        for _ in range(run.settings.max_iter):
            n_rows = 0
            for X, y, w in self.chunks():
                if y.shape[0] == 0:
                    continue
                self.estimator.partial_fit(X, y, sample_weight=w, **self.fit_kwargs)
                # classes are fixed by the first call; later calls must not repeat them
                self.fit_kwargs = {}
                n_rows += y.shape[0]
            self.rows.append(n_rows)
            self.epochs.append(int(self.estimator.n_iter_))
            run.state.params = self.estimator._continue_params()
            value, _ = run.problem.value_and_gradient(run.state.params, run.grad)
            stop = run.end_epoch(value, np.nan)
            if self.verbose:
                row = run.history[-1]
                print(
                    f"pass {row['epoch']}: {n_rows} rows, loss={row['loss']:.6g}, "
                    f"optimality={row['optimality']:.3g}, validation score="
                    f"{row['validation_score']:.6g}, {row['seconds']:.2f} s",
                    flush=True,
                )
            if stop:
                return


def score_csv(
    estimator,
    path: str | os.PathLike,
    *,
    target: str,
    features: list[str] | None = None,
    sample_weight: str | None = None,
    chunksize: int = 10_000,
    read_csv_kwargs: dict | None = None,
    _holdout: tuple[float, int] | None = None,
) -> float:
    """The estimator's ``score`` on a CSV, computed chunk by chunk.

    Exact, not an average of chunk scores: for regressors R^2 is built from
    running weighted sums (the residual sum of squares and a merged weighted
    variance of y), for classifiers accuracy from counts. So it equals
    ``estimator.score`` on the whole file loaded at once (up to rounding).

    Parameters
    ----------
    estimator : fitted regressor or classifier
    path : str or path-like
        CSV with a header row.
    target : str
        Name of the target column.
    features : list of str, default=None
        Feature columns; None means every column except ``target`` and
        ``sample_weight``.
    sample_weight : str, default=None
        Name of a column of row weights.
    chunksize : int, default=10_000
        Rows in memory at a time.
    read_csv_kwargs : dict, default=None
        Passed to :func:`pandas.read_csv`.

    Returns
    -------
    score : float
        R^2 (regressors) or accuracy (classifiers).

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np, pandas as pd
    >>> from skgd import GDRegressor, score_csv
    >>> rng = np.random.RandomState(0)
    >>> frame = pd.DataFrame(rng.randn(1000, 2), columns=["a", "b"])
    >>> frame["y"] = frame["a"] - frame["b"] + 0.1 * rng.randn(1000)
    >>> path = os.path.join(tempfile.mkdtemp(), "data.csv")
    >>> frame.to_csv(path, index=False)
    >>> model = GDRegressor().fit(frame[["a", "b"]], frame["y"])
    >>> whole = model.score(frame[["a", "b"]], frame["y"])
    >>> bool(abs(score_csv(model, path, target="y", chunksize=128) - whole) < 1e-12)
    True
    """
    _check_int("chunksize", chunksize)
    holdout, seed = (None, 0) if _holdout is None else _holdout
    classifier = is_classifier(estimator)
    if not (classifier or is_regressor(estimator)):
        raise TypeError(
            f"score_csv scores regressors (R^2) and classifiers (accuracy); "
            f"{type(estimator).__name__} is neither."
        )
    total_w = 0.0
    hits = 0.0  # classifiers: weight of correct predictions
    sse = 0.0  # regressors: weighted residual sum of squares
    mean = 0.0  # regressors: weighted mean of y so far, and
    m2 = 0.0  # the weighted sum of squared deviations from it
    for Xc, yc, wc in _chunks(
        path,
        target,
        features,
        sample_weight,
        chunksize,
        read_csv_kwargs,
        holdout=holdout,
        keep="holdout",
        random_state=seed,
    ):
        if yc.shape[0] == 0:
            continue
        w = np.ones(yc.shape[0]) if wc is None else np.asarray(wc, dtype=np.float64)
        pred = estimator.predict(Xc)
        if classifier:
            hits += float(np.sum(w * (pred == np.asarray(yc))))
            total_w += float(w.sum())
            continue
        y = np.asarray(yc, dtype=np.float64)
        sse += float(np.sum(w * (y - pred) ** 2))
        # Chan et al.'s pairwise merge of weighted (mean, M2): one pass,
        # no cancellation from sum(w y^2) - (sum w y)^2 / sum w.
        wb = float(w.sum())
        if wb == 0:
            continue
        mean_b = float(np.sum(w * y) / wb)
        m2_b = float(np.sum(w * (y - mean_b) ** 2))
        both = total_w + wb
        delta = mean_b - mean
        mean += delta * wb / both
        m2 += m2_b + delta**2 * total_w * wb / both
        total_w = both
    if total_w == 0:
        raise ValueError(f"{os.fspath(path)!r} has no rows (with positive weight) to score.")
    if classifier:
        return hits / total_w
    if m2 == 0:
        # as sklearn.metrics.r2_score for a constant target
        return 1.0 if sse == 0 else 0.0
    return 1.0 - sse / m2


def _chunks(
    path,
    target,
    features,
    sample_weight,
    chunksize,
    read_csv_kwargs,
    *,
    holdout,
    keep,
    random_state,
) -> Iterator[tuple[pd.DataFrame, pd.Series, np.ndarray | None]]:
    """Yield (X, y, weights) per chunk; with ``holdout`` only the train or held-out rows.

    The held-out rows are drawn per chunk from one generator seeded at the
    start of every read, so every read of the file holds out the same rows.
    """
    rng = np.random.RandomState(random_state)
    kwargs = dict(read_csv_kwargs or {})
    with pd.read_csv(path, chunksize=chunksize, **kwargs) as reader:
        for chunk in reader:
            if target not in chunk.columns:
                raise ValueError(
                    f"target column {target!r} is not in {os.fspath(path)!r}; its columns "
                    f"are {chunk.columns.tolist()}."
                )
            if holdout is not None:
                held = rng.random_sample(chunk.shape[0]) < holdout
                chunk = chunk[held] if keep == "holdout" else chunk[~held]
            cols = features
            if cols is None:
                cols = [c for c in chunk.columns if c not in (target, sample_weight)]
            w = None if sample_weight is None else chunk[sample_weight].to_numpy(np.float64)
            yield chunk[cols], chunk[target], w


def _labels(path, target, chunksize, read_csv_kwargs) -> np.ndarray:
    """Every label in the target column, read one column at a time."""
    kwargs = dict(read_csv_kwargs or {})
    kwargs["usecols"] = [target]
    seen = []
    with pd.read_csv(path, chunksize=chunksize, **kwargs) as reader:
        for chunk in reader:
            seen.append(pd.unique(chunk[target]))
    return np.unique(np.concatenate(seen))


def _check_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")
