"""GDClassifier: a linear classifier fitted by gradient descent."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets

from ..losses import LOSSES, MULTINOMIAL
from ._base import BaseGD, unpack

#: Losses whose scores can be turned into class probabilities.
_PROBABILISTIC = ("log_loss", "modified_huber")
#: Class frequencies below this are raised to it for the starting intercept, so
#: a class absent from the first batch of ``partial_fit`` starts at a finite
#: log-odds. The floor is a fraction, so weights and repeated rows agree.
_MIN_FREQUENCY = 1e-3


def _has_proba(estimator) -> bool:
    # available_if turns this AttributeError into "no such method", which is
    # what hasattr(), scoring="neg_log_loss" and scikit-learn's checks expect.
    if estimator.loss not in _PROBABILISTIC:
        raise AttributeError(
            f"probability estimates are not available for loss={estimator.loss!r}; "
            f"use loss='log_loss' or loss='modified_huber'."
        )
    return True


class GDClassifier(ClassifierMixin, BaseGD):
    """Linear classifier fitted by a gradient-descent optimizer you choose.

    Minimizes ``J = sum_i w_i L(y_i, x_i @ coef.T + intercept) / sum_i w_i +
    alpha * R(coef)``, where ``w_i`` is ``sample_weight`` times the weight of
    the row's class (``class_weight``). The optimizer, the batch size and the
    learning-rate schedule are ordinary hyperparameters, so they can be tuned
    with :class:`~sklearn.model_selection.GridSearchCV`.

    With ``loss='log_loss'`` and ``penalty='l2'``, the optimum is that of
    :class:`~sklearn.linear_model.LogisticRegression` with ``C = 1 / (alpha *
    n_samples)``, in the binary and in the multiclass case.

    Parameters
    ----------
    loss : {'log_loss', 'hinge', 'modified_huber', 'squared_hinge'}, \
default='log_loss'
        ``'log_loss'`` is logistic regression: with two classes one score and
        the binary cross-entropy, with more than two classes one multinomial
        (softmax) model with a score per class, not one-vs-rest.
        ``'hinge'`` (linear SVM), ``'squared_hinge'`` and
        ``'modified_huber'`` (a smoothed hinge that also gives probabilities)
        use one score for two classes; with more classes they fit one score
        per class, each against the rest, as the sum of the K binary losses in
        one model (so one optimizer run trains all K).
    optimizer : str or Optimizer, default='lbfgs'
        ``'sgd'``, ``'momentum'``, ``'nesterov'``, ``'adagrad'``, ``'rmsprop'``,
        ``'adam'``, ``'adamw'``, ``'nadam'``, ``'lion'``, ``'lbfgs'`` or an instance from
        :mod:`skgd.optimizers` (e.g. ``Adam(beta1=0.8)``). The default,
        scipy's L-BFGS-B on the full batch, is the one that certifies the
        optimum of common problems (standardized data, scikit-learn's
        default ``alpha``) within ``max_iter``; the gradient-descent rules
        are there to be chosen, watched and compared, and say so when they
        stop short. L-BFGS ignores ``learning_rate``, ``batch_size`` and
        ``schedule`` (and warns about the last two when they are set).
    learning_rate : float, default=0.1
        Base step size eta, > 0. A schedule multiplies it. Used by the
        gradient-descent optimizers (not by ``'lbfgs'``).
    batch_size : int or 'full', default='full'
        Rows per update: 1 is stochastic gradient descent, ``'full'`` (or any
        number at least the number of rows) is batch gradient descent. Each
        update steps along an unbiased estimate of the gradient of J: the
        batch's mean of ``w_i * grad L_i`` with the weights scaled to mean 1,
        so a row of weight 10 counts ten times at every batch size.
    schedule : str, Schedule or callable, default='constant'
        ``'constant'``, ``'step'``, ``'exponential'``, ``'cosine'``,
        ``'invscaling'``, ``'plateau'``, an instance from
        :mod:`skgd.schedules`, or a callable ``epoch -> multiplier``.
    max_iter : int, default=1000
        Maximum number of epochs (passes over the data), >= 1.
    tol : float or None, default=1e-5
        The stopping rule: training stops as soon as the optimality measure
        is ``<= tol`` (checked at the start too, so a start at the optimum
        takes no step). The measure is the largest component of the gradient
        of J, each divided by its own size at the null model (the sum of its
        terms without their signs), so it does not depend on the scale of X,
        y or the weights; see the user guide. ``max_iter`` ending training
        first gives a ``ConvergenceWarning`` saying why, and the parameters of
        the epoch with the lowest J. None runs ``max_iter`` epochs with no
        rule and no warning.
    n_iter_no_change : int, default=10
        With ``early_stopping``: epochs without the validation score
        improving by ``tol`` before stopping, >= 1.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows with positive weight and
        stop on their (weighted) accuracy instead of on J.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping, in (0, 1).
    penalty : {None, 'l2', 'l1', 'elasticnet'}, default=None
        Regularization R(coef); the intercept is never penalized.
    alpha : float, default=1e-4
        Penalty strength, >= 0.
    l1_ratio : float, default=0.15
        Elastic-net mixing: ``R = (1 - l1_ratio) ||coef||^2 / 2 + l1_ratio
        ||coef||_1``.
    fit_intercept : bool, default=True
        Fit an intercept. With ``'log_loss'`` it starts at the (weighted) log
        odds, or log class frequencies, of the training labels; with the
        margin losses at 0.
    class_weight : dict, 'balanced' or None, default=None
        Weight of each class, multiplied into ``sample_weight``. A dict maps
        labels to non-negative weights (missing labels get 1);
        ``'balanced'`` uses ``n_samples / (n_classes * np.bincount(y))``.
        ``'balanced'`` is not available in ``partial_fit``, which sees one
        batch at a time: compute the weights once with
        :func:`sklearn.utils.class_weight.compute_class_weight` and pass a
        dict.
    shuffle : bool, default=True
        Shuffle the rows before each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds shuffling and the early-stopping split: the same value gives the
        same fitted model.
    warm_start : bool, default=False
        Continue from the previous solution, optimizer state and schedule
        position instead of starting again.
    verbose : int, default=0
        If >= 1, print one line per epoch: epoch, J, learning rate, seconds.
    record_path : bool, default=False
        Keep the parameters at the start and after every epoch in ``path_``,
        to draw the optimizer's path (see
        :class:`skgd.plotting.LandscapeDisplay`). Off, it costs nothing.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients, one row for two classes (the score of ``classes_[1]``),
        one row per class otherwise; in the dtype of X.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts. For the multinomial model they are shifted to sum to 0,
        which changes no probability (softmax ignores a common shift) and
        makes them unique.
    n_iter_ : int
        Epochs run, counted across ``warm_start`` fits and ``partial_fit``
        calls (``len(loss_curve_) == n_iter_``).
    t_ : int
        Parameter updates made (batches with positive weight).
    loss_curve_ : list of float
        J after each epoch (not the start), on the rows trained on.
    validation_scores_ : list of float
        Validation accuracy after each epoch; only with
        ``early_stopping=True``.
    history_ : pandas.DataFrame
        One row for the start (``epoch`` 0) and one per epoch: ``epoch``,
        ``loss`` (J), ``optimality`` (the measure the stopping rule reads),
        ``learning_rate``, ``validation_score``, ``seconds``.
    optimality_ : float
        The optimality measure at the returned parameters.
    converged_ : bool
        ``optimality_ <= tol``: the fit is certified to be at the optimum.
    path_ : ndarray of shape (n_epochs + 1, n_params)
        Only with ``record_path=True``: row 0 is the starting point, row ``e``
        the parameters after epoch ``e``, in the order of
        :func:`skgd.objective` (coefficients, then intercepts).
    optimizer_state_ : OptimizerState
        Moment estimates and update count, used by ``partial_fit`` and
        ``warm_start``.
    schedule_state_ : dict
        The schedule's position, used the same way.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when X has string column names.

    See Also
    --------
    GDRegressor : The same training for a real target.
    sklearn.linear_model.LogisticRegression : The exact solver for the same
        optimum with ``loss='log_loss'``.
    sklearn.linear_model.SGDClassifier : scikit-learn's plain-SGD classifier
        (one-vs-rest for every loss).

    Notes
    -----
    A learning rate that makes training diverge raises
    :class:`skgd.exceptions.DivergenceError` (a ``ValueError``) naming the rate
    and the epoch.

    ``predict_proba`` exists for ``'log_loss'`` (the logistic or softmax
    probabilities) and ``'modified_huber'`` (scikit-learn's
    ``(clip(score, -1, 1) + 1) / 2``, normalized over the classes); for the
    other losses accessing it raises ``AttributeError``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgd import GDClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), GDClassifier(optimizer="adam", batch_size=32,
    ...                                                      random_state=0))
    >>> round(model.fit(X, y).score(X, y), 2)
    0.99
    >>> model[-1].coef_.shape, model.predict_proba(X[:1]).shape
    ((3, 4), (1, 3))
    """

    _family = "classification"

    def __init__(
        self,
        *,
        loss="log_loss",
        optimizer="lbfgs",
        learning_rate=0.1,
        batch_size="full",
        schedule="constant",
        max_iter=1000,
        tol=1e-5,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        penalty=None,
        alpha=1e-4,
        l1_ratio=0.15,
        fit_intercept=True,
        class_weight=None,
        shuffle=True,
        random_state=None,
        warm_start=False,
        verbose=0,
        record_path=False,
    ):
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.schedule = schedule
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.record_path = record_path

    # ------------------------------------------------------------ public API
    def fit(self, X, y, sample_weight=None):
        """Fit the model by running the optimizer for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; CSR/CSC sparse matrices are used without densifying.
        y : array-like of shape (n_samples,)
            Class labels (any sortable type: ints, strings, ...), at least two
            distinct ones.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, multiplied by ``class_weight``; a weight of 2 is the
            same as repeating the row.

        Returns
        -------
        self : GDClassifier
        """
        return self._fit(X, y, sample_weight)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over the given rows, continuing the previous state.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Labels, all of them in ``classes`` (a batch may hold a single
            class).
        classes : array-like of shape (n_classes,), default=None
            Every label the model will ever see. Required on the first call,
            optional afterwards (and then it must not change).
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : GDClassifier
        """
        if not hasattr(self, "coef_") and classes is None:
            # hyperparameters first, as in fit: a bad one is named before the data
            self._check_params()
            raise ValueError(
                "classes must be passed on the first call to partial_fit: a batch may "
                "not contain every label, e.g. partial_fit(X, y, classes=np.unique(y_all))."
            )
        return self._fit(X, y, sample_weight, partial=True, classes=classes)

    def decision_function(self, X):
        """Scores ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the score of ``classes_[1]`` (positive means
            ``classes_[1]`` is predicted); otherwise one score per class.
        """
        X = self._check_X(X)
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predict the class with the highest score.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    @available_if(_has_proba)
    def predict_proba(self, X):
        """Class probabilities (``loss='log_loss'`` or ``'modified_huber'`` only).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; rows sum to 1.
        """
        scores = self.decision_function(X)
        if self.loss == "log_loss":
            if scores.ndim == 1:
                p = expit(scores)
                return np.column_stack([1.0 - p, p])
            return softmax(scores, axis=1)
        return _modified_huber_proba(scores)

    @available_if(_has_proba)
    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably for ``'log_loss'``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``-inf`` where ``'modified_huber'`` gives probability 0.
        """
        if self.loss == "log_loss":
            scores = self.decision_function(X)
            if scores.ndim == 1:
                return np.column_stack([log_expit(-scores), log_expit(scores)])
            return log_softmax(scores, axis=1)
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    # ------------------------------------------------------------ hooks of BaseGD
    def _check_params(self):
        resolved = super()._check_params()
        cw = self.class_weight
        if not (
            cw is None or (isinstance(cw, str) and cw == "balanced") or isinstance(cw, Mapping)
        ):
            raise ValueError(
                f"class_weight must be None, 'balanced' or a dict {{label: weight}}; got {cw!r}."
            )
        if isinstance(cw, Mapping):
            for label, weight in cw.items():
                if (
                    isinstance(weight, bool)
                    or not isinstance(weight, Real)
                    or not np.isfinite(weight)
                    or weight < 0
                ):
                    raise ValueError(
                        f"class_weight values must be finite numbers >= 0; got {weight!r} "
                        f"for label {label!r}."
                    )
        return resolved

    def _encode_target(self, y, *, first_call, classes=None):
        check_classification_targets(y)
        partial = classes is not None or not first_call
        if first_call:
            labels = np.unique(y if classes is None else np.asarray(classes))
            if labels.shape[0] < 2:
                what = "y" if classes is None else "classes"
                raise ValueError(
                    f"{type(self).__name__} needs at least two classes; {what} has only one "
                    f"class: {labels.tolist()}."
                )
            if (
                self.warm_start
                and hasattr(self, "coef_")
                and not np.array_equal(labels, self.classes_)
            ):
                # The rows of coef_ belong to the old labels: continuing would
                # silently give them to different classes.
                raise ValueError(
                    f"warm_start=True but y has classes {labels.tolist()}, not the fitted "
                    f"{self.classes_.tolist()}; refit with warm_start=False."
                )
        else:
            labels = self.classes_
            if classes is not None and not np.array_equal(np.unique(classes), labels):
                raise ValueError(
                    f"classes={np.unique(classes).tolist()} is not the same as on the first "
                    f"call to partial_fit ({labels.tolist()})."
                )
        unseen = ~np.isin(y, labels)
        if np.any(unseen):
            raise ValueError(
                f"y contains labels not in classes_ {labels.tolist()}: "
                f"{np.unique(y[unseen]).tolist()}. Pass every label in classes= on the "
                "first call to partial_fit."
            )
        index = np.searchsorted(labels, y)
        # classes_ is stored with the coefficients (_store_params), so a call
        # that fails does not leave labels that belong to no model.
        self._encoding = (labels, partial)
        n_outputs = 1 if labels.shape[0] == 2 else labels.shape[0]
        return index.astype(np.float64), n_outputs

    def _no_optimum(self, X, y_enc, w, model) -> str | None:
        # Without any penalty, classes that a hyperplane separates make the
        # log-loss fall towards 0 as the coefficients grow without bound: J
        # has no minimum, and its gradient vanishes only at infinity, so a
        # small gradient certifies nothing.
        if self.loss != "log_loss" or model.a2 > 0 or model.a1 > 0:
            return None
        scores = self.decision_function(X)
        labels = y_enc.astype(np.intp)
        if scores.ndim == 1:
            margins = np.where(labels == 1, scores, -scores)
        else:
            true = scores[np.arange(labels.shape[0]), labels]
            others = scores.copy()
            others[np.arange(labels.shape[0]), labels] = -np.inf
            margins = true - others.max(axis=1)
        if not np.all(margins[w > 0] > 0):
            return None
        return (
            "The fitted coefficients separate the classes of every training row, and "
            "without a penalty the log-loss then has no minimum: it keeps falling as the "
            f"coefficients grow (the largest is {float(np.max(np.abs(self.coef_))):.3g}), so "
            "the small gradient certifies no optimum. Add a penalty (penalty='l2') for a "
            "well-defined answer."
        )

    def _row_weights(self, y_encoded, sample_weight):
        labels, partial = self._encoding
        index = y_encoded.astype(np.intp)
        cw = self.class_weight
        if isinstance(cw, str):
            if partial:
                raise ValueError(
                    "class_weight='balanced' is not supported by partial_fit, which sees one "
                    "batch at a time; compute the weights once with sklearn.utils.class_weight."
                    "compute_class_weight('balanced', classes=..., y=...) and pass them as a dict."
                )
            per_class = compute_class_weight("balanced", classes=labels, y=labels[index])
        elif cw is not None:
            position = {label: k for k, label in enumerate(labels.tolist())}
            unknown = [label for label in cw if label not in position]
            if unknown:
                raise ValueError(
                    f"class_weight has labels that are not classes: {unknown}; the classes "
                    f"are {labels.tolist()}."
                )
            per_class = np.ones(labels.shape[0])
            for label, weight in cw.items():
                per_class[position[label]] = weight
        else:
            per_class = np.ones(labels.shape[0])
        w = sample_weight * per_class[index]
        present = np.unique(index[w > 0])
        if not partial and present.shape[0] < 2:
            raise ValueError(
                "Only one class has positive weight after sample_weight and class_weight "
                f"({labels[present].tolist()}); a classifier needs rows of at least two classes."
            )
        if not np.any(w > 0):
            raise ValueError("All rows have weight 0 after applying class_weight.")
        return w

    def _loss_info(self, n_outputs):
        if self.loss == "log_loss" and n_outputs > 1:
            return MULTINOMIAL
        return LOSSES[self._family][self.loss]

    def _baseline(self, y, w, n_outputs, info):
        if self.loss != "log_loss":
            # As in SGDClassifier: the margin losses' best constant is a
            # median-like +-1 that would only bias the start toward the majority.
            return np.zeros(n_outputs)
        n_classes = max(n_outputs, 2)
        freq = np.bincount(y.astype(np.intp), weights=w, minlength=n_classes) / w.sum()
        log_freq = np.log(np.maximum(freq, _MIN_FREQUENCY))
        if n_outputs == 1:
            return np.array([log_freq[1] - log_freq[0]])
        return log_freq - log_freq.mean()

    def _score_params(self, params, X, y, w):
        n_outputs = params.shape[0] // (X.shape[1] + 1)
        W, b = unpack(params, X.shape[1], n_outputs)
        eta = np.asarray(X @ W) + b
        pred = (eta[:, 0] > 0) if n_outputs == 1 else eta.argmax(axis=1)
        return float(np.average(pred == y, weights=w))

    def _unpack_params(self, params, n_features, n_outputs):
        W, b = unpack(params, n_features, n_outputs)
        intercept = b.copy() if self.fit_intercept else np.zeros(n_outputs)
        if self.loss == "log_loss" and n_outputs > 1:
            intercept -= intercept.mean()
        return W.T.copy(), intercept

    def _store_params(self, params, n_features, n_outputs, dtype):
        super()._store_params(params, n_features, n_outputs, dtype)
        self.intercept_ = self.intercept_.astype(dtype)
        self.classes_ = self._encoding[0]

    def _current_params(self):
        return np.concatenate(
            [self.coef_.T.astype(np.float64).ravel(), self.intercept_.astype(np.float64)]
        )


def _modified_huber_proba(scores):
    """scikit-learn's SGDClassifier formula: (clip(score, -1, 1) + 1) / 2, normalized."""
    if scores.ndim == 1:
        p = (np.clip(scores, -1.0, 1.0) + 1.0) / 2.0
        return np.column_stack([1.0 - p, p])
    prob = (np.clip(scores, -1.0, 1.0) + 1.0) / 2.0
    total = prob.sum(axis=1)
    # Every score at -1 or below leaves nothing to normalize: call it uniform.
    none = total == 0
    prob[none] = 1.0
    total[none] = prob.shape[1]
    return prob / total[:, None]
