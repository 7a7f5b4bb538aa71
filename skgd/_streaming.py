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

Bad files
---------
Every chunk is checked before the estimator sees it
(:mod:`skgd._csv_chunks`), and a bad one is named by file and lines. The
whole file is read once before the first update (J at the start is summed
over it), so a bad line anywhere stops ``fit_csv`` before it has trained;
and whatever stops it later (an interrupt, a divergence) puts back the model
it started from.
"""

from __future__ import annotations

import copy
import numbers
import os
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sklearn.base import is_classifier, is_regressor

from ._csv_chunks import CsvSource

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
    on_bad_lines: str = "error",
    verbose: int = 0,
) -> pd.DataFrame:
    """Train ``estimator`` with ``partial_fit`` on a CSV read chunk by chunk.

    Only one chunk of ``chunksize`` rows is in memory at a time, so the file
    may be larger than memory. Each pass reads the file once, in order, and
    calls ``estimator.partial_fit`` on every chunk (one epoch to the
    estimator per chunk: see the module notes on schedules). After each pass
    the model is scored out of core on the validation rows. The estimator is
    trained in place; state continues if it was already fitted.

    Every chunk is checked before training on it (finite numbers, the
    columns named, weights >= 0, labels a fitted classifier knows), and the
    whole file is read once before the first update. Any error, a
    ``KeyboardInterrupt`` included, leaves the estimator exactly as it was
    before the call (unfitted if it was). A ``ValueError`` about the data
    names the file and its lines (the header is line 1).

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
    features : str or list of str, default=None
        Feature columns (a single name is one column); None means every
        column except ``target`` and ``sample_weight``. They are passed as a
        DataFrame, so the estimator records ``feature_names_in_``.
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
        ``{"sep": ";"}``), except ``chunksize``, ``iterator`` and
        ``on_bad_lines``.
    on_bad_lines : {'error', 'warn', 'skip'}, default='error'
        What to do with a bad line, as in :func:`pandas.read_csv`: a line
        with more fields than the header, or a short last line (a file cut
        off while being written, which pandas itself would fill with NaN).
        ``'error'`` raises a ``ValueError`` naming the line, ``'warn'``
        skips it with one ``pandas.errors.ParserWarning`` per line, and
        ``'skip'`` skips it silently. Missing values elsewhere are always
        an error.
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

    Raises
    ------
    ValueError
        The file or a chunk is bad (named with its lines), or training
        diverged (:class:`skgd.exceptions.DivergenceError`). The estimator
        is then unchanged.

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
    >>> model = GDRegressor(optimizer="adam", batch_size=50, learning_rate=0.05, random_state=0)
    >>> history = fit_csv(model, path, target="y", chunksize=500, n_passes=3, validation=0.2)
    >>> history[["pass", "rows", "epochs"]].values.tolist()
    [[1, 1587, 4], [2, 1587, 8], [3, 1587, 12]]
    >>> bool(history["validation_score"].iloc[-1] > 0.99)
    True
    >>> model.feature_names_in_.tolist()
    ['a', 'b', 'c']

    A file cut off in its last line is refused, and the model is unchanged:

    >>> with open(path, "a") as handle:
    ...     _ = handle.write("0.5,1.5")
    >>> coef = model.coef_.copy()
    >>> fit_csv(model, path, target="y", chunksize=500)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: '...big.csv', line 2002 (the last line) has values for only 2 of the 4 ...
    >>> bool(np.array_equal(model.coef_, coef))
    True
    >>> history = fit_csv(model, path, target="y", chunksize=500, on_bad_lines="skip")
    >>> int(history["rows"].iloc[0])
    2000
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
    columns = dict(
        target=target,
        features=features,
        sample_weight=sample_weight,
        chunksize=chunksize,
        read_csv_kwargs=read_csv_kwargs,
        on_bad_lines=on_bad_lines,
        numeric_target=not is_classifier(estimator),
    )
    source = CsvSource(path, **columns)
    held_out = None
    if validation is not None and holdout is None:
        held_out = CsvSource(validation, **columns)
    with _restored_on_error(estimator), source.placed():
        return _fit_csv(
            estimator,
            source,
            held_out,
            holdout=holdout,
            random_state=random_state,
            n_passes=n_passes,
            patience=patience,
            tol=tol,
            classes=classes,
            verbose=verbose,
        )


@contextmanager
def _restored_on_error(estimator):
    """On any error or interrupt, put back exactly the estimator of the start.

    The hyperparameters are kept as the same objects (the user's), the
    fitted state from deep copies: partial_fit replaces its attributes
    rather than writing into them, but the promise should not rest on that.
    Attributes the call added (an unfitted estimator's) are removed.
    """
    saved = dict(estimator.__dict__)
    hyperparameters = set(estimator.get_params(deep=False))
    fitted = {k: copy.deepcopy(v) for k, v in saved.items() if k not in hyperparameters}
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        estimator.__dict__.update(fitted)
        raise


def _fit_csv(
    estimator, source, held_out, *, holdout, random_state, n_passes, patience, tol, classes,
    verbose,
):  # fmt: skip
    def training_chunks():
        return source.chunks(holdout=holdout, keep="train", random_state=random_state)

    for reading in (source, held_out):
        if reading is not None:
            reading.expected_features = getattr(estimator, "feature_names_in_", None)

    fit_kwargs = {}
    if is_classifier(estimator):
        if hasattr(estimator, "classes_"):
            source.classes = estimator.classes_
        else:
            classes = source.labels() if classes is None else np.asarray(classes)
            if classes.shape[0] < 2:
                raise ValueError(
                    f"The target column {source.target!r} of {source.name!r} has "
                    f"{'only one label' if classes.shape[0] else 'no labels'} "
                    f"{classes.tolist()}: a classifier needs two or more."
                )
            source.classes = fit_kwargs["classes"] = classes
    if not hasattr(estimator, "coef_"):
        # the model's start, from the first chunk (as its first partial_fit
        # would start), so that J over the file can be evaluated before pass 1
        first = next(iter(training_chunks()), None)
        if first is None:
            raise ValueError(f"{source.name!r} has no training rows (with positive weight).")
        with source.placed(first):
            estimator._start(first.X, first.y, first.w, **fit_kwargs)
        if is_classifier(estimator):
            source.classes = estimator.classes_

    score = None
    if holdout is not None:

        def score(params):
            return _score(
                estimator, source, holdout=holdout, random_state=random_state, rows="held-out rows"
            )

    elif held_out is not None:

        def score(params):
            return _score(estimator, held_out)

    from ._engine import Settings, TrainState, train, warn_if_not_converged
    from .schedules import Constant

    passes = _Passes(estimator, source, training_chunks, fit_kwargs, verbose)
    state = TrainState(estimator._continue_params(), estimator.optimizer_state_, {})
    outcome = train(
        _FileProblem(estimator, source, training_chunks),
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
    warn_if_not_converged(outcome, name="fit_csv: ", stacklevel=4)
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

    def __init__(self, estimator, source, chunks):
        self.estimator = estimator
        self.source = source
        self.chunks = chunks
        self.n_coef = 0
        self.a1 = 0.0

    def value_and_gradient(self, params, grad=None):
        from ._kernels import chunk_sums, finish

        total, weight, grad_sum, model = 0.0, 0.0, np.zeros_like(params), None
        for chunk in self.chunks():
            with self.source.placed(chunk):
                data, model = self.estimator._training_data(chunk.X, chunk.y, chunk.w)
            totals, weights, grads, _ = chunk_sums(data, model, params)
            total += totals.sum()
            weight += weights.sum()
            grad_sum += grads.sum(axis=0)
        if model is None:
            raise ValueError(f"{self.source.name!r} has no training rows (with positive weight).")
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
    epoch_name = "passes over the file"
    noise = "one chunk of the file at a time"
    remedy = (
        "fit the rows in memory with batch_size='full' (warm_start=True from this model) "
        "or use larger chunks"
    )

    def __init__(self, estimator, source, chunks, fit_kwargs, verbose):
        self.estimator = estimator
        self.source = source
        self.chunks = chunks
        self.fit_kwargs = dict(fit_kwargs)
        self.verbose = verbose
        self.rows: list[int] = []
        self.epochs: list[int] = []

    def run(self, run) -> None:
        for _ in range(run.settings.max_iter):
            n_rows = 0
            for chunk in self.chunks():
                with self.source.placed(chunk):
                    self.estimator.partial_fit(
                        chunk.X, chunk.y, sample_weight=chunk.w, **self.fit_kwargs
                    )
                # classes are fixed by the first call; later calls must not repeat them
                self.fit_kwargs = {}
                n_rows += chunk.y.shape[0]
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
    on_bad_lines: str = "error",
) -> float:
    """The estimator's ``score`` on a CSV, computed chunk by chunk.

    Exact, not an average of chunk scores: for regressors R^2 is built from
    running weighted sums (the residual sum of squares and a merged weighted
    variance of y), for classifiers accuracy from counts. So it equals
    ``estimator.score`` on the whole file loaded at once (up to rounding).

    Never NaN: missing or non-finite targets, features or weights, and
    predictions or sums that overflow float64, are a ``ValueError`` naming
    the file and the lines.

    Parameters
    ----------
    estimator : fitted regressor or classifier
    path : str or path-like
        CSV with a header row.
    target : str
        Name of the target column.
    features : str or list of str, default=None
        Feature columns (a single name is one column); None means every
        column except ``target`` and ``sample_weight``.
    sample_weight : str, default=None
        Name of a column of row weights (finite, >= 0).
    chunksize : int, default=10_000
        Rows in memory at a time.
    read_csv_kwargs : dict, default=None
        Passed to :func:`pandas.read_csv`, except ``chunksize``,
        ``iterator`` and ``on_bad_lines``.
    on_bad_lines : {'error', 'warn', 'skip'}, default='error'
        As in :func:`fit_csv`: lines with too many fields and a short last
        line are refused, skipped with a warning, or skipped.

    Returns
    -------
    score : float
        R^2 (regressors) or accuracy (classifiers). Labels the classifier
        does not know count as wrong predictions.

    Raises
    ------
    ValueError
        A bad file or chunk (named with its lines), or no row with a
        positive weight.

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
    classifier = is_classifier(estimator)
    if not (classifier or is_regressor(estimator)):
        raise TypeError(
            f"score_csv scores regressors (R^2) and classifiers (accuracy); "
            f"{type(estimator).__name__} is neither."
        )
    source = CsvSource(
        path,
        target=target,
        features=features,
        sample_weight=sample_weight,
        chunksize=chunksize,
        read_csv_kwargs=read_csv_kwargs,
        on_bad_lines=on_bad_lines,
        numeric_target=not classifier,
    )
    source.expected_features = getattr(estimator, "feature_names_in_", None)
    with source.placed():
        return _score(estimator, source)


def _score(estimator, source, *, holdout=None, random_state=0, rows="rows") -> float:
    """R^2 or accuracy over the rows of ``source`` (with ``holdout``: the held-out ones)."""
    classifier = is_classifier(estimator)
    total_w = 0.0
    hits = 0.0  # classifiers: weight of correct predictions
    sse = 0.0  # regressors: weighted residual sum of squares
    mean = 0.0  # regressors: weighted mean of y so far, and
    m2 = 0.0  # the weighted sum of squared deviations from it
    chunks = source.chunks(holdout=holdout, keep="holdout", random_state=random_state)
    for chunk in chunks:
        w = np.ones(chunk.y.shape[0]) if chunk.w is None else chunk.w
        with source.placed(chunk), np.errstate(all="ignore"):
            pred = _predictions(estimator, chunk, source)
        if classifier:
            hits += float(np.sum(w * (pred == chunk.y.to_numpy())))
            total_w += float(w.sum())
            continue
        y = chunk.y.to_numpy(dtype=np.float64)
        with np.errstate(all="ignore"):
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
        if not np.isfinite([sse, m2, total_w]).all():
            raise ValueError(
                f"{source.name!r}, {chunk.span}: the sums of squares of R^2 overflow float64 "
                "(targets, residuals or weight ratios too large); rescale y or the weights."
            )
    if total_w == 0:
        raise ValueError(f"{source.name!r} has no {rows} (with positive weight) to score.")
    if classifier:
        return hits / total_w
    if m2 == 0:
        # as sklearn.metrics.r2_score for a constant target
        return 1.0 if sse == 0 else 0.0
    return 1.0 - sse / m2


def _predictions(estimator, chunk, source) -> np.ndarray:
    """The predictions of a chunk, or a ValueError if the model's scores are not finite.

    A classifier's predict turns NaN scores into some label silently, so its
    decision function is checked (one more product of the chunk with coef_).
    """
    scores = None
    if is_classifier(estimator) and hasattr(estimator, "decision_function"):
        scores = np.asarray(estimator.decision_function(chunk.X))
    pred = estimator.predict(chunk.X)
    values = scores if scores is not None else np.asarray(pred, dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.ndim > 1:
        bad = bad.any(axis=1)
    if bad.any():
        raise source._error(
            chunk.lines,
            chunk.lines[bad],
            "the model's prediction is not finite (the features times the coefficients "
            "overflow float64)",
        )
    return pred


def _check_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")
