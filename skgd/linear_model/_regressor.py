"""GDRegressor: a linear model of a real target, fitted by gradient descent."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin

from .._checks import check_range
from ._base import BaseGD, unpack


class GDRegressor(RegressorMixin, BaseGD):
    """Linear regression fitted by a gradient-descent optimizer you choose.

    Minimizes ``J = sum_i w_i L(y_i, x_i @ coef + intercept) / sum_i w_i +
    alpha * R(coef)`` (see the user guide). The optimizer, the batch size and
    the learning-rate schedule are ordinary hyperparameters, so they can be
    tuned with :class:`~sklearn.model_selection.GridSearchCV`.

    Parameters
    ----------
    loss : {'squared_error', 'huber', 'epsilon_insensitive', \
'squared_epsilon_insensitive', 'quantile'}, default='squared_error'
        ``'squared_error'`` is ``(y - f)**2 / 2``; ``'huber'`` is quadratic up to
        ``epsilon`` and linear beyond; the epsilon-insensitive losses ignore
        errors below ``epsilon`` (linear SVR); ``'quantile'`` is the pinball
        loss of quantile ``quantile`` (its optimum is that of
        :class:`~sklearn.linear_model.QuantileRegressor` with ``alpha=0``).
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
        stop on their R^2 instead of on J.
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
        Fit an intercept. It starts at the weighted mean of y.
    epsilon : float, default=0.1
        Threshold of the huber and epsilon-insensitive losses, >= 0.
    quantile : float, default=0.5
        The quantile that ``loss='quantile'`` estimates, in (0, 1).
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
    coef_ : ndarray of shape (n_features,)
        Coefficients, in the dtype of X (float32 stays float32).
    intercept_ : float
        Intercept.
    n_iter_ : int
        Epochs run, counted across ``warm_start`` fits and ``partial_fit``
        calls (``len(loss_curve_) == n_iter_``).
    t_ : int
        Parameter updates made (batches with positive weight).
    loss_curve_ : list of float
        J after each epoch (not the start), on the rows trained on.
    validation_scores_ : list of float
        Validation R^2 after each epoch; only with ``early_stopping=True``.
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
    GDClassifier : The same training for classification.
    sklearn.linear_model.SGDRegressor : scikit-learn's plain-SGD regressor.

    Notes
    -----
    A learning rate that makes training diverge raises
    :class:`skgd.exceptions.DivergenceError` (a ``ValueError``) naming the rate
    and the epoch; the estimator keeps its previous state.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgd import GDRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), GDRegressor(optimizer="adam", batch_size=32,
    ...                                                     learning_rate=0.1, random_state=0))
    >>> round(model.fit(X, y).score(X, y), 2)
    0.52

    The 90th percentile of the target instead of its mean, with the pinball
    loss (its kink cannot be certified by a gradient, so run a decaying
    schedule for a fixed number of epochs, ``tol=None``):

    >>> import numpy as np
    >>> X = StandardScaler().fit_transform(X)
    >>> upper = GDRegressor(loss="quantile", quantile=0.9, penalty=None, optimizer="adam",
    ...                     schedule="cosine", max_iter=2000, tol=None).fit(X, y)
    >>> round(float(np.mean(y <= upper.predict(X))), 2)
    0.9
    """

    _family = "regression"

    def __init__(
        self,
        *,
        loss="squared_error",
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
        epsilon=0.1,
        quantile=0.5,
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
        self.epsilon = epsilon
        self.quantile = quantile
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.record_path = record_path

    def fit(self, X, y, sample_weight=None):
        """Fit the model by running the optimizer for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; CSR/CSC sparse matrices are used without densifying.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights; a weight of 2 is the same as repeating the row.

        Returns
        -------
        self : GDRegressor
        """
        return self._fit(X, y, sample_weight)

    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over the given rows, continuing the previous state.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : GDRegressor
        """
        return self._fit(X, y, sample_weight, partial=True)

    def predict(self, X):
        """Predict ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        return np.asarray(X @ self.coef_).ravel() + self.intercept_

    # hooks of BaseGD
    def _check_params(self):
        resolved = super()._check_params()
        check_range("quantile", self.quantile, 0.0, 1.0, low_open=True, high_open=True)
        return resolved

    def _loss_param(self) -> float:
        return float(self.quantile if self.loss == "quantile" else self.epsilon)

    def _baseline(self, y, w, n_outputs, info):
        if self.loss == "quantile":
            # the best constant of the pinball loss: the weighted quantile of y
            order = np.argsort(y, kind="stable")
            cumulative = np.cumsum(w[order])
            at = np.searchsorted(cumulative, self.quantile * cumulative[-1])
            return y[order][min(at, y.shape[0] - 1)]
        return super()._baseline(y, w, n_outputs, info)

    def _encode_target(self, y, *, first_call, classes=None):
        return np.asarray(y, dtype=np.float64), 1

    def _score_params(self, params, X, y, w):
        from sklearn.metrics import r2_score

        coef, intercept = unpack(params, X.shape[1], 1)
        pred = np.asarray(X @ coef[:, 0]).ravel() + intercept[0]
        return r2_score(y, pred, sample_weight=w)

    def _unpack_params(self, params, n_features, n_outputs):
        coef, intercept = unpack(params, n_features, 1)
        return coef[:, 0].copy(), float(intercept[0]) if self.fit_intercept else 0.0

    def _current_params(self):
        return np.append(self.coef_.astype(np.float64), self.intercept_)
