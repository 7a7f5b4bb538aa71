"""What the three estimators share: hyperparameter checks, the fit /
partial_fit plumbing around :func:`skgd._engine.train`, and prediction of
the linear part. The subclasses say how targets are encoded and scored."""

from __future__ import annotations

import functools
import threading
import warnings
import weakref
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from .._checks import check_range
from .._engine import COLUMNS, Settings, TrainState, train, warn_if_not_converged
from .._lbfgs import LBFGSB
from .._problem import Problem
from .._steppers import FullBatch, MiniBatch
from .._validation import (
    check_batch_size,
    check_bool,
    check_has_features,
    check_int,
    check_options,
    check_random_state_param,
    check_same_length,
    check_sample_weight,
    check_target,
    named_argument,
    normalize_weights,
)
from ..losses import LOSSES
from ..optimizers import resolve_optimizer
from ..penalties import PENALTIES, penalty_strengths
from ..schedules import resolve_schedule
from ._path import start_recording, store_path


class Prepared(NamedTuple):
    """Validated data and the pieces of J for one estimator (see ``BaseGD._prepare``)."""

    X: object
    y: np.ndarray
    y_fit: np.ndarray
    w: np.ndarray
    n_outputs: int
    info: object
    model: object
    optimizer: object
    schedule: object
    batch_size: int | None


class BaseGD(BaseEstimator):
    """Shared machinery of :class:`GDRegressor`, :class:`GDClassifier` and
    :class:`ExponentialGrowthRegressor`. Not meant to be used directly."""

    #: key of :data:`skgd.losses.LOSSES`
    _family = "regression"

    # ------------------------------------------------------------ checking
    def _check_params(self):
        """Check every hyperparameter; return the resolved objects."""
        losses = LOSSES[self._family]
        if self.loss not in losses:
            raise ValueError(f"loss must be one of {sorted(losses)}; got {self.loss!r}.")
        optimizer = resolve_optimizer(self.optimizer)
        optimizer._validate()
        schedule = resolve_schedule(self.schedule)
        check_range("learning_rate", self.learning_rate, 0.0, low_open=True)
        batch_size = check_batch_size(self.batch_size)
        check_int("max_iter", self.max_iter, 1)
        schedule.init(int(self.max_iter))  # checks the schedule's hyperparameters
        if self.tol is not None:
            check_range("tol", self.tol, 0.0)
        check_int("n_iter_no_change", self.n_iter_no_change, 1)
        check_bool("early_stopping", self.early_stopping)
        check_range(
            "validation_fraction", self.validation_fraction, 0.0, 1.0, low_open=True, high_open=True
        )
        check_options("penalty", self.penalty, PENALTIES)
        check_range("alpha", self.alpha, 0.0)
        check_range("l1_ratio", self.l1_ratio, 0.0, 1.0)
        check_bool("fit_intercept", self.fit_intercept)
        check_bool("shuffle", self.shuffle)
        check_bool("warm_start", self.warm_start)
        check_random_state_param(self.random_state)
        check_int("verbose", self.verbose, 0)
        if hasattr(self, "epsilon"):
            check_range("epsilon", self.epsilon, 0.0)
        a2, a1 = penalty_strengths(self.penalty, self.alpha, self.l1_ratio)
        return optimizer, schedule, batch_size, a2, a1

    # ------------------------------------------------------------ subclass hooks
    def _encode_target(self, y, *, first_call, classes=None):
        """Return (y as float64 for the kernels, number of outputs K)."""
        raise NotImplementedError

    def _loss_info(self, n_outputs):
        return LOSSES[self._family][self.loss]

    def _loss_param(self) -> float:
        """The loss's parameter in the kernels (epsilon, or the quantile)."""
        return float(getattr(self, "epsilon", 0.0))

    def _row_weights(self, y_encoded, sample_weight):
        return sample_weight

    def _initial_params(self, X, y, w, n_outputs, info):
        """Where a fresh fit starts: the null model unless a subclass knows better."""
        return self._null_params(X, y, w, n_outputs, info)

    def _null_params(self, X, y, w, n_outputs, info):
        """Zero coefficients and the best constant as intercept.

        The optimality measure is scaled by the gradient's terms at this point
        (see :mod:`skgd._optimality`), whatever the fit starts from.
        """
        params = np.zeros(X.shape[1] * n_outputs + n_outputs)
        if self.fit_intercept:
            params[X.shape[1] * n_outputs :] = self._baseline(y, w, n_outputs, info)
        return params

    def _baseline(self, y, w, n_outputs, info):
        return np.average(y, weights=w)

    def _score_params(self, params, X, y, w):
        """Validation score (higher is better) of ``params`` on encoded data."""
        raise NotImplementedError

    def _unpack_params(self, params, n_features, n_outputs):
        """Flat parameters -> (coef_, intercept_) in this estimator's public shapes."""
        raise NotImplementedError

    def _store_params(self, params, n_features, n_outputs, dtype):
        coef, intercept = self._unpack_params(params, n_features, n_outputs)
        self.coef_ = np.asarray(coef).astype(dtype)
        self.intercept_ = intercept

    def _current_params(self):
        """The fitted model as flat float64 parameters in the training coordinates."""
        raise NotImplementedError

    def _continue_params(self):
        """The flat float64 parameters that ``partial_fit`` / ``warm_start`` continue from.

        ``coef_`` has the dtype of X, so for float32 input rebuilding the
        parameters from it (:meth:`_current_params`) would round them at every
        ``partial_fit`` call and chunked training would drift from one long
        ``fit``. The last run's exact parameters are kept for that reason and
        used while ``coef_`` and ``intercept_`` are still what that run stored;
        a user who sets them by hand continues from the values set.
        """
        saved = getattr(self, "_params64", None)
        if (
            saved is not None
            and np.array_equal(saved[1], self.coef_)
            and np.array_equal(saved[2], self.intercept_)
        ):
            return saved[0].copy()
        return self._current_params()

    def _public_params(self):
        """The fitted model as flat float64 parameters of J (see :func:`skgd.objective`).

        The same as :meth:`_current_params` unless an estimator trains in
        other coordinates (the growth model standardizes its columns).
        """
        return self._current_params()

    # ------------------------------------------------------------ fitting
    def _validate_X_y(self, X, y, reset):
        """Validate X (setting ``n_features_in_`` when ``reset``) and y.

        The two are checked one after the other rather than by one
        ``validate_data(self, X, y)`` call so that every message says whether
        X or y is at fault (see :func:`skgd._validation.named_argument`).
        """
        check_has_features(X)
        with named_argument("X"):
            X = validate_data(
                self,
                X,
                accept_sparse=["csr", "csc"],
                dtype=[np.float64, np.float32],
                reset=reset,
            )
        y = check_target(y, numeric=self._family != "classification")
        check_same_length(X, y)
        return X, y

    def _prepare(self, X, y, sample_weight=None, *, reset=True, first_call=True, classes=None):
        """Validate the data and build everything J needs.

        Returns a :class:`Prepared` with the validated X, the encoded target,
        the weights (class weights included), the loss and the kernels' model.
        Used by ``fit``, :func:`skgd.objective` and :func:`skgd.compare_solvers`.
        """
        optimizer, schedule, batch_size, a2, a1 = self._check_params()
        X, y = self._validate_X_y(X, y, reset=reset)
        w = check_sample_weight(sample_weight, X.shape[0])
        y_enc, n_outputs = self._encode_target(y, first_call=first_call, classes=classes)
        w = self._row_weights(y_enc, w)
        info = self._loss_info(n_outputs)
        y_fit = np.log(y_enc) if info.log_target else y_enc

        from .._kernels import Model

        model = Model(
            X.shape[1],
            n_outputs,
            info.code,
            self._loss_param(),
            a2,
            a1,
            bool(self.fit_intercept),
        )
        return Prepared(X, y_enc, y_fit, w, n_outputs, info, model, optimizer, schedule, batch_size)

    def _fit(self, X, y, sample_weight=None, *, partial=False, classes=None, epochs=1):
        """``fit`` (``partial=False``) or ``partial_fit``, all or nothing (see :meth:`_guard`).

        ``epochs`` is for ``partial``: 1 for ``partial_fit``; 0 sets up the
        model at its start without training (:func:`skgd.fit_csv` does, so
        that it can evaluate J over the whole file before the first pass).
        """
        with self._guard():
            return self._train(
                X, y, sample_weight, partial=partial, classes=classes, epochs=epochs
            )

    @contextmanager
    def _guard(self):
        """Run one fit at a time on this instance, and undo one that fails before committing.

        Validation sets attributes before training starts
        (``n_features_in_``, ``feature_names_in_``, the classifier's label
        encoding); a call that then fails (bad weights, divergence, an
        interrupt in the first epoch) must not leave them describing data no
        model was fitted on. So every attribute is restored, unless a
        ``KeyboardInterrupt`` arrived after :meth:`_commit` stored the last
        completed epoch. Fits of one instance from several threads run one
        after the other, so the estimator ends as the complete result of the
        last one to finish, never a mix. Reentrant: a subclass may also wrap
        its own preparation in it.
        """
        with _instance_lock(self):
            saved = dict(self.__dict__)
            try:
                yield
            except BaseException as exc:
                done = getattr(exc, "outcome", None)
                committed = isinstance(exc, KeyboardInterrupt) and done is not None
                if not (committed and done.epochs > 0):
                    for name in set(self.__dict__) - set(saved):
                        del self.__dict__[name]
                    self.__dict__.update(saved)
                raise

    def _train(self, X, y, sample_weight=None, *, partial=False, classes=None, epochs=1):
        fitted = hasattr(self, "coef_")
        first_call = not (partial and fitted)
        prep = self._prepare(
            X, y, sample_weight, reset=first_call, first_call=first_call, classes=classes
        )
        X, y_enc, y_fit = prep.X, prep.y, prep.y_fit
        n_outputs, info, model = prep.n_outputs, prep.info, prep.model
        optimizer, schedule, batch_size = prep.optimizer, prep.schedule, prep.batch_size
        if optimizer.is_line_search:
            _warn_ignored_by_line_search(batch_size, schedule, self.early_stopping and not partial)
        continuing = fitted and (partial or self.warm_start)
        # partial_fit weighs every chunk in the unit of the first one, so that a
        # chunk of heavier rows moves the model more, as in one long fit
        unit = getattr(self, "_weight_unit", None) if partial and continuing else None
        w, unit = normalize_weights(prep.w, unit)

        from .._kernels import make_data

        rng = check_random_state(self.random_state)
        validation = None
        if self.early_stopping and not partial and not optimizer.is_line_search:
            fit_rows, val_rows = self._validation_split(y_enc, w, rng)
            Xv, yv, wv = X[val_rows], y_enc[val_rows], w[val_rows]

            def validation(params):
                return self._score_params(params, Xv, yv, wv)

            X, y_enc, y_fit, w = X[fit_rows], y_enc[fit_rows], y_fit[fit_rows], w[fit_rows]
            w, _ = normalize_weights(w)

        n_params = n_outputs * (X.shape[1] + 1)
        scale = getattr(self, "_gradient_scale", None) if partial and continuing else None
        if scale is not None and scale.shape[0] != n_params:
            scale = None
        problem = Problem(
            make_data(X, y_fit, w),
            model,
            scale=scale,
            null_params=self._null_params(X, y_enc, w, n_outputs, info),
        )
        if continuing:
            state = TrainState(
                self._continue_params(),
                self.optimizer_state_.copy(),
                dict(self.schedule_state_),
                self.n_iter_,
            )
            if state.params.shape[0] != n_params:
                raise ValueError(
                    "The data have a different number of features or classes than "
                    "the fitted model; refit with warm_start=False."
                )
            self._restart_changed_state(state, optimizer, schedule)
        else:
            params = self._initial_params(X, y_enc, w, n_outputs, info)
            state = TrainState(
                np.array(params, dtype=np.float64),
                optimizer.init(params.shape[0]),
                schedule.init(int(self.max_iter)),
            )
        if optimizer.is_line_search:
            stepper = LBFGSB(optimizer)
        elif batch_size is None or batch_size >= problem.n_rows:
            stepper = FullBatch(optimizer)
        else:
            stepper = MiniBatch(optimizer, batch_size, shuffle=bool(self.shuffle), rng=rng)
        name = f"{type(self).__name__}: "
        settings = Settings(
            learning_rate=float(self.learning_rate),
            max_iter=int(epochs) if partial else int(self.max_iter),
            tol=self.tol,
            n_iter_no_change=int(self.n_iter_no_change),
            verbose=int(self.verbose),
            stopping=not partial,
            record_start=not continuing,
            reference=self.loss_curve_[-1] if continuing and self.loss_curve_ else None,
            origin=self._training_origin() if partial and continuing else None,
            name=name,
        )
        recorder = start_recording(self, state)
        # what optimizer_state_ / schedule_state_ will belong to (undone with the
        # rest by _guard if this call fails before committing)
        self._state_kinds = (type(optimizer), type(schedule))
        try:
            outcome = train(
                problem,
                state,
                stepper,
                schedule=schedule,
                settings=settings,
                validation=validation,
                on_epoch=None if recorder is None else recorder.append,
            )
        except KeyboardInterrupt as exc:
            done = getattr(exc, "outcome", None)
            if done is not None and done.epochs > 0:
                self._commit(done, continuing, X, n_outputs, problem, unit)
            raise
        self._commit(outcome, continuing, X, n_outputs, problem, unit)
        store_path(self, recorder, outcome, continuing, X.shape[1], n_outputs, X.dtype)
        warn_if_not_converged(outcome, name=name, stacklevel=5)
        if self.converged_ and not partial:
            caveat = self._no_optimum(X, y_enc, w, model)
            if caveat is not None:
                self.converged_ = False
                warnings.warn(f"{name}{caveat}", ConvergenceWarning, stacklevel=4)
        return self

    def _no_optimum(self, X, y_enc, w, model) -> str | None:
        """Why a certified fit has no optimum to be at (the classifier's separable classes)."""
        return None

    def _training_origin(self) -> float | None:
        """J where this model's training began (the epoch-0 row of ``history_``), if recorded."""
        history = getattr(self, "history_", None)
        if history is None or not len(history) or history["epoch"].iloc[0] != 0:
            return None
        value = float(history["loss"].iloc[0])
        return value if np.isfinite(value) else None

    def _start(self, X, y, sample_weight=None, classes=None):
        """Set up an unfitted model at its starting point from these rows, without training."""
        return self._fit(X, y, sample_weight, partial=True, classes=classes, epochs=0)

    def _training_data(self, X, y, sample_weight=None):
        """The kernels' (data, model) of more rows, in this fitted model's coordinates.

        Validated and encoded like a ``partial_fit`` call, weighed in the unit
        of the fit's weights, in the coordinates training works in; nothing on
        the estimator changes. :func:`skgd.fit_csv` evaluates J over a whole
        file chunk by chunk with it.
        """
        from .._kernels import make_data

        check_is_fitted(self)
        saved = dict(self.__dict__)
        try:
            prep = self._prepare(X, y, sample_weight, reset=False, first_call=False)
        finally:
            self.__dict__.clear()
            self.__dict__.update(saved)
        w, _ = normalize_weights(prep.w, self._weight_unit)
        return make_data(self._training_X(prep.X), prep.y_fit, w), prep.model

    def _training_X(self, X):
        """X in the coordinates training works in (the growth model standardizes)."""
        return X

    def _restart_changed_state(self, state, optimizer, schedule):
        """Start the optimizer's or the schedule's state afresh if it was set to another kind.

        ``set_params(optimizer=...)`` between ``warm_start`` fits or
        ``partial_fit`` calls keeps the parameters but not the moments of the
        previous update rule (Adam's three slots are not SGD's velocity), and
        a new schedule starts at its beginning; continuing the old state would
        mean reading moments that do not exist.
        """
        previous = getattr(self, "_state_kinds", (None, None))
        n_params = state.params.shape[0]
        fresh = optimizer.init(n_params)
        changed = previous[0] not in (None, type(optimizer))
        if changed or state.optimizer_state.slots.shape != fresh.slots.shape:
            state.optimizer_state = fresh
        initial = schedule.init(int(self.max_iter))
        changed = previous[1] not in (None, type(schedule))
        if changed or set(state.schedule_state) != set(initial):
            state.schedule_state = initial

    def _commit(self, outcome, continuing, X, n_outputs, problem, weight_unit):
        """Store a finished run on the estimator, all attributes together."""
        import pandas as pd

        # typed columns built directly: a frame of row dicts and an astype
        # were half of a small fit's time
        rows = outcome.history
        history = pd.DataFrame(
            {
                name: np.array(
                    [row[name] for row in rows], dtype=np.int64 if name == "epoch" else np.float64
                )
                for name in COLUMNS
            }
        )
        if continuing and hasattr(self, "history_"):
            history = pd.concat([self.history_, history], ignore_index=True)
        coef, _ = self._unpack_params(outcome.state.params, X.shape[1], n_outputs)
        largest = float(np.max(np.abs(coef), initial=0.0))
        if largest > float(np.finfo(X.dtype).max):
            # training ran in float64; coef_ takes X's dtype and would hold inf
            raise ValueError(
                f"The fitted coefficients reach {largest:.3g}, beyond the range of "
                f"{X.dtype}, the dtype of X: fit on float64 X (X.astype(np.float64)) "
                "or rescale X or y."
            )
        self._store_params(outcome.state.params, X.shape[1], n_outputs, X.dtype)
        self._params64 = (
            outcome.state.params.copy(),
            np.copy(self.coef_),
            np.copy(self.intercept_),
        )
        self.optimizer_state_ = outcome.state.optimizer_state
        self.schedule_state_ = outcome.state.schedule_state
        self.n_iter_ = int(outcome.state.epoch)
        self.t_ = int(outcome.state.optimizer_state.t)
        self.history_ = history
        trained = history["epoch"].to_numpy() > 0
        self.loss_curve_ = history["loss"].to_numpy()[trained].tolist()
        self.optimality_ = float(outcome.optimality)
        self.converged_ = bool(outcome.converged)
        self._gradient_scale = problem.gradient_scale()
        self._weight_unit = weight_unit
        if self.early_stopping:
            self.validation_scores_ = history["validation_score"].to_numpy()[trained].tolist()
        elif hasattr(self, "validation_scores_"):
            del self.validation_scores_

    def _validation_split(self, y, w, rng):
        """Hold out ``validation_fraction`` of the rows with positive weight."""
        candidates = np.flatnonzero(w > 0)
        n_val = int(np.ceil(self.validation_fraction * candidates.shape[0]))
        if n_val < 1 or candidates.shape[0] - n_val < 1:
            raise ValueError(
                f"early_stopping with validation_fraction={self.validation_fraction} leaves "
                f"no rows to train or to validate on ({candidates.shape[0]} rows have "
                "positive weight); use more data or early_stopping=False."
            )
        val = rng.choice(candidates, size=n_val, replace=False)
        keep = np.ones(y.shape[0], dtype=bool)
        keep[val] = False
        return np.flatnonzero(keep), np.sort(val)

    # ------------------------------------------------------------ predicting
    def _check_X(self, X):
        check_is_fitted(self)
        return validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=False
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def guarded(method):
    """Decorate a fitting method of a BaseGD subclass to run inside :meth:`BaseGD._guard`."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._guard():
            return method(self, *args, **kwargs)

    return wrapper


_LOCKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


def _instance_lock(estimator) -> threading.RLock:
    """The lock of one estimator instance, kept outside it so pickle and clone ignore it."""
    with _LOCKS_LOCK:
        lock = _LOCKS.get(estimator)
        if lock is None:
            lock = _LOCKS[estimator] = threading.RLock()
        return lock


def _warn_ignored_by_line_search(batch_size, schedule, early_stopping):
    """L-BFGS-B runs on the full batch with its own steps: say what it ignores."""
    from ..schedules import Constant

    ignored = []
    if batch_size is not None:
        ignored.append(f"batch_size={batch_size}")
    if not isinstance(schedule, Constant):
        ignored.append(f"schedule={schedule!r}")
    if early_stopping:
        ignored.append("early_stopping=True")
    if ignored:
        warnings.warn(
            f"optimizer='lbfgs' minimizes J on the full batch with its own line search; "
            f"it ignores {', '.join(ignored)}. Choose a gradient-descent optimizer "
            "(e.g. 'sgd' or 'adam') to use them.",
            UserWarning,
            stacklevel=4,
        )


def unpack(params, n_features, n_outputs):
    """Split flat parameters into W of shape (d, K) and b of shape (K,)."""
    n_coef = n_features * n_outputs
    return params[:n_coef].reshape(n_features, n_outputs), params[n_coef:]
