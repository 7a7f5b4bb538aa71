"""ExponentialGrowthRegressor: I(t) = I0 * exp(r t), fitted by gradient descent."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ..exceptions import ConvergenceWarning
from . import _growth_stats as gs
from ._base import BaseGD, guarded, unpack
from ._growth_time import to_days


def _rows(mask: np.ndarray, y: np.ndarray) -> str:
    """'rows [2, 5] (values [-1.0, -3.0])', shortened after ten rows."""
    idx = np.flatnonzero(mask)
    more = f" and {idx.shape[0] - 10} more" if idx.shape[0] > 10 else ""
    return f"rows {idx[:10].tolist()}{more} (values {y[idx[:10]].tolist()})"


class ExponentialGrowthRegressor(RegressorMixin, BaseGD):
    """Exponential growth ``y = exp(intercept + X @ coef)`` fitted by gradient descent.

    With one column of times ``t`` this is ``I(t) = I0 * exp(r t)``: the
    growth rate ``r`` is ``coef_[0]`` and ``log I0`` is ``intercept_``. Times
    may be numbers or dates (numpy ``datetime64``, pandas datetime columns
    and Series, ``datetime.date`` objects): dates become days since the
    earliest one, ``time_origin_``, so that ``r`` is per day. The
    default loss is the Poisson deviance, the maximum-likelihood fit for
    counts (the Poisson GLM with log link). It minimizes
    ``J = sum_i w_i L(y_i, exp(eta_i)) / sum_i w_i + alpha * R(coef)`` with
    ``eta_i = x_i @ coef + intercept``.

    Fitting is scale-aware: every fit starts from the weighted least-squares
    line through ``log(y + 0.5)`` (the log-linear fit), the parameters are
    ``log I0`` and ``r`` (never ``I0`` itself), and ``exp`` is never evaluated
    where it would overflow, so counts in the thousands and times in days fit
    with the default settings and no rescaling.

    Parameters
    ----------
    loss : {'poisson', 'log_squared_error', 'squared_error'}, default='poisson'
        ``'poisson'``: half the Poisson deviance ``f - y - y log(f / y)``
        (zero counts allowed). ``'log_squared_error'``: ``(log y - log f)^2 / 2``,
        ordinary least squares on log y (needs ``y > 0``).
        ``'squared_error'``: ``(y - f)^2 / 2`` on the raw scale.
    optimizer : str or Optimizer, default='lbfgs'
        ``'sgd'``, ``'momentum'``, ``'nesterov'``, ``'adagrad'``, ``'rmsprop'``,
        ``'adam'``, ``'adamw'``, ``'nadam'``, ``'lion'``, ``'lbfgs'`` or an instance from
        :mod:`skgd.optimizers`. The default differs from :class:`GDRegressor`'s
        ``'adam'``: growth fits are small, full-batch and smooth, and users
        read standard errors off the optimum, so they need it to 1e-6 rather
        than to the ~1% where constant-step Adam stops (measured on the
        bundled outbreak: Adam with the default settings ends 1% off in r).
        First-order optimizers work too: the columns are standardized inside
        ``fit`` (see Notes), so ``learning_rate`` is in standardized units and
        does not depend on the time unit; ``optimizer='adam',
        learning_rate=1e-2, max_iter=3000, tol=None`` reaches the optimum.
    learning_rate : float, default=0.1
        Base step size eta, > 0 (not used by ``'lbfgs'``).
    batch_size : int or 'full', default='full'
        Rows per update; ``'full'`` is batch gradient descent.
    schedule : str, Schedule or callable, default='constant'
        Learning-rate schedule, as in :class:`GDRegressor`.
    max_iter : int, default=1000
        Maximum number of epochs (L-BFGS-B iterations for ``'lbfgs'``), >= 1.
    tol : float or None, default=1e-7
        Tighter than :class:`GDRegressor`'s 1e-5, because the standard errors
        and intervals are read off the optimum (L-BFGS-B reaches it in a few
        more iterations; float64 rounding limits the measure to about 1e-9
        on large problems). The stopping rule: training stops as soon
        as the optimality measure
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
        Stop on a held-out score instead of J: the fraction of Poisson deviance
        explained (D^2) for ``'poisson'``, R^2 of log y for
        ``'log_squared_error'``, R^2 for ``'squared_error'``.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping, in (0, 1).
    penalty : {None, 'l2', 'l1', 'elasticnet'}, default=None
        Regularization of ``coef`` (the intercept ``log I0`` is never penalized).
    alpha : float, default=1e-4
        Penalty strength, >= 0.
    l1_ratio : float, default=0.15
        Elastic-net mixing.
    fit_intercept : bool, default=True
        Fit ``log I0``. If False, ``I0 = 1``.
    shuffle : bool, default=True
        Shuffle the rows before each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds shuffling and the early-stopping split.
    warm_start : bool, default=False
        Continue from the previous solution instead of the log-linear start.
    verbose : int, default=0
        If >= 1, print one line per epoch.
    record_path : bool, default=False
        Keep the parameters at the start and after every epoch in ``path_``,
        to draw the optimizer's path (see
        :class:`skgd.plotting.LandscapeDisplay`). Off, it costs nothing.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients on the log scale: per unit of each column, the change in
        ``log y``.
    intercept_ : float
        ``log I0``.
    growth_rate_ : float
        The exponential growth rate per unit of time, in 1/time: the
        coefficient of the column that holds dates, if one does, else of the
        first column (``coef_[0]``). With several columns (say time and an
        indicator of an intervention) it is the rate with the other columns
        held fixed.
    initial_value_ : float
        ``I0 = exp(intercept_)``, the expected value at ``X = 0`` (at
        ``time_origin_`` when the times are dates).
    time_origin_ : pandas.Timestamp or None
        Day 0 when X holds dates: the earliest date seen by ``fit`` (or the
        first ``partial_fit``). Dates in X, in ``fit``, ``predict`` and
        ``score``, are read as days since it; numbers passed to ``predict``
        are days since it too. None when the times are numbers.
    doubling_time_ : float
        ``ln 2 / growth_rate_``; negative when the rate is negative (its
        absolute value is the halving time); ``inf`` when the rate is 0.
    bse_ : ndarray of shape (n_features + 1,)
        Standard errors of ``[*coef_, intercept_]`` (the intercept's is 0 when
        ``fit_intercept=False``), with the default dispersion rule of
        :meth:`confidence_interval`. Set by ``fit``, not by ``partial_fit``.
    covariance_ : ndarray of shape (n_features + 1, n_features + 1)
        Their covariance matrix, same order and rule.
    dispersion_ : float
        For ``'poisson'``, Pearson ``chi^2 / df``: about 1 for Poisson counts,
        above 1 for overdispersed counts. For the least-squares losses, the
        residual variance (of log y for ``'log_squared_error'``).
    df_resid_ : float
        Residual degrees of freedom, ``sum(sample_weight) - n_params``.
    path_ : ndarray of shape (n_epochs + 1, n_params)
        Only with ``record_path=True``: row 0 is the starting point, row ``e``
        the parameters after epoch ``e``, in the order of
        :func:`skgd.objective` (coefficients, then intercepts).
    n_iter_, t_, loss_curve_, validation_scores_, history_, optimality_, \
converged_, optimizer_state_, schedule_state_, n_features_in_, feature_names_in_
        As in :class:`GDRegressor`.

    See Also
    --------
    GDRegressor : Linear regression by gradient descent.
    sklearn.linear_model.PoissonRegressor : The same Poisson model, fitted by
        Newton or L-BFGS.

    Notes
    -----
    The optimizer works on standardized columns ``(x - mean) / std`` (weighted;
    with a penalty only centred, so the penalty keeps its meaning; sparse
    columns only scaled) and the result is mapped back, so ``eta`` and J are
    exactly those of the original columns: times in days, hours or calendar
    ordinals (``date.toordinal()``) fit the same way. A date column is never
    read as the integer nanoseconds it is stored as.

    Standard errors come from the observed Fisher information for
    ``'poisson'`` and from the residual variance for the least-squares
    losses; ``sample_weight`` counts as frequency weights there. They are
    computed for up to 100 features. The intervals assume the model (one
    exponential phase) holds in the fitted window: choose the window before
    the epidemic bends over.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd import ExponentialGrowthRegressor
    >>> t = np.arange(10.0).reshape(-1, 1)
    >>> cases = np.array([12, 15, 22, 30, 41, 52, 73, 95, 130, 170])
    >>> model = ExponentialGrowthRegressor().fit(t, cases)
    >>> round(model.growth_rate_, 3), round(model.doubling_time_, 2)
    (0.294, 2.35)
    >>> ci = model.confidence_interval()
    >>> [round(float(v), 3) for v in ci.loc["growth_rate", ["lower", "upper"]]]
    [0.262, 0.327]

    Dates work the same way, per day:

    >>> import pandas as pd
    >>> dates = pd.date_range("2024-03-01", periods=10, freq="D")
    >>> model = ExponentialGrowthRegressor().fit(pd.DataFrame({"date": dates}), cases)
    >>> round(model.growth_rate_, 3), str(model.time_origin_.date())
    (0.294, '2024-03-01')
    >>> model.predict(pd.DataFrame({"date": pd.to_datetime(["2024-03-11"])})).round(1)
    array([231.2])
    """

    _family = "growth"

    def __init__(
        self,
        *,
        loss="poisson",
        optimizer="lbfgs",
        learning_rate=0.1,
        batch_size="full",
        schedule="constant",
        max_iter=1000,
        tol=1e-7,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        penalty=None,
        alpha=1e-4,
        l1_ratio=0.15,
        fit_intercept=True,
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
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.record_path = record_path

    # ------------------------------------------------------------ public API
    def fit(self, X, y, sample_weight=None):
        """Fit the growth model, then its standard errors.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features) or (n_samples,)
            Times (one column) or several covariates. Date columns become days
            since the earliest date (``time_origin_``); a one-dimensional X is
            accepted when it holds dates (a datetime Series, a ``datetime64``
            array, a list of ``datetime.date``).
        y : array-like of shape (n_samples,)
            Counts or sizes, >= 0 (> 0 for ``'log_squared_error'``), not all 0.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights; a weight of 2 is the same as repeating the row.

        Returns
        -------
        self : ExponentialGrowthRegressor
        """
        X, y, w = self._fit_standardized(X, y, sample_weight, partial=False)
        self._fit_inference(X, y, w)
        return self

    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over the given rows, continuing the previous state.

        Standard errors describe a whole data set, so they are not computed
        here; call :meth:`fit` for intervals.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : ExponentialGrowthRegressor
        """
        self._fit_standardized(X, y, sample_weight, partial=True)
        for name in ("_inference", "bse_", "covariance_", "dispersion_", "df_resid_"):
            if hasattr(self, name):
                delattr(self, name)
        return self

    def predict(self, X):
        """Predict ``exp(intercept_ + X @ coef_)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Times as in ``fit``. For a model fitted on dates, dates are read
            against ``time_origin_`` and numbers as days since it.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Positive predictions; they saturate at the largest float64 instead
            of overflowing.
        """
        X = self._check_X(X)
        eta = np.asarray(X @ self.coef_, dtype=np.float64).ravel() + self.intercept_
        return np.exp(np.minimum(eta, gs.MAX_ETA))

    def confidence_interval(self, level: float = 0.95, *, dispersion="auto"):
        """Intervals for the growth rate, I0 and the doubling time.

        The rate's interval is the Wald interval ``r +- q * se`` (see
        ``dispersion`` for ``q`` and ``se``); I0's is ``exp`` of the interval
        of ``log I0`` (so it is asymmetric and positive). The doubling time's
        set is ``ln 2 / r`` over the rate's interval: ``lower = ln2 / r_upper``
        and ``upper = ln2 / r_lower``. When the rate's interval contains 0,
        "no growth" (an infinite doubling time) is plausible and the set is
        two rays through infinity, ``(-inf, upper] U [lower, +inf)`` with
        ``upper < 0 < lower``: ``two_rays`` is True and ``bounded`` False.
        They assume the fit is at the maximum-likelihood estimate: on a fit
        that is not certified optimal (``optimality_`` above ``tol``) a
        ``ConvergenceWarning`` says that they are not valid.

        Parameters
        ----------
        level : float, default=0.95
            Confidence level, in (0, 1).
        dispersion : {'auto', 'pearson'} or float, default='auto'
            ``'auto'``: for Poisson, widen the intervals by the Pearson
            dispersion ``dispersion_`` when it is above 1 (quasi-Poisson, with
            Student's t on ``df_resid_`` degrees of freedom), else plain Poisson
            intervals (normal quantile; a dispersion below 1 does not narrow
            them); for the least-squares losses, the residual variance with
            t. ``'pearson'``: use the estimated dispersion even if below 1. A
            number: that dispersion, taken as known (1.0 is plain Poisson).

        Returns
        -------
        intervals : pandas.DataFrame
            Index ``growth_rate``, ``initial_value``, ``doubling_time``; columns
            ``estimate``, ``std_error``, ``lower``, ``upper``, ``bounded`` and
            ``two_rays`` (True only for a doubling time whose set is the two
            rays ``(-inf, upper] U [lower, +inf)``).

        Examples
        --------
        >>> from skgd import ExponentialGrowthRegressor
        >>> from skgd.datasets import load_boarding_school_flu
        >>> X, y = load_boarding_school_flu(return_X_y=True)
        >>> model = ExponentialGrowthRegressor().fit(X[:5], y[:5])
        >>> model.confidence_interval().round(2)
                       estimate  std_error  lower  upper  bounded  two_rays
        growth_rate        1.07       0.07   0.94   1.20     True     False
        initial_value      1.06       0.32   0.58   1.92     True     False
        doubling_time      0.65        NaN   0.58   0.74     True     False

        Over the whole outbreak the counts rise and fall, the rate is
        indistinguishable from 0, and the doubling time is either at least
        5.4 days or negative (halving) with a halving time of at least 4.3
        days:

        >>> ci = ExponentialGrowthRegressor().fit(X, y).confidence_interval()
        >>> row = ci.loc["doubling_time"]
        >>> round(float(row["lower"]), 2), round(float(row["upper"]), 2), bool(row["two_rays"])
        (5.38, -4.34, True)
        """
        import pandas as pd

        self._warn_if_not_certified()
        cov, q = self._scaled_covariance(level, dispersion)
        se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        time = self._time_index()
        r, se_r = float(self.coef_[time]), float(se[time])
        if not np.isfinite(se_r):
            self._warn_no_interval()
        r_lo, r_hi = r - q * se_r, r + q * se_r
        b, se_b = float(self.intercept_), (float(se[-1]) if self.fit_intercept else 0.0)
        i0 = float(np.exp(min(b, gs.MAX_ETA)))
        i0_lo = float(np.exp(min(b - q * se_b, gs.MAX_ETA)))
        i0_hi = float(np.exp(min(b + q * se_b, gs.MAX_ETA)))
        dt_lo, dt_hi, two_rays = gs.doubling_time_interval(r_lo, r_hi)
        return pd.DataFrame(
            {
                "estimate": [r, i0, float(gs.doubling_time(r))],
                # the delta-method se of I0; none for the doubling time, whose
                # sampling distribution is far from normal near r = 0
                "std_error": [se_r, i0 * se_b, np.nan],
                "lower": [r_lo, i0_lo, dt_lo],
                "upper": [r_hi, i0_hi, dt_hi],
                "bounded": [
                    bool(np.isfinite(se_r)),
                    bool(np.isfinite(se_b)),
                    bool(np.isfinite(dt_lo) and np.isfinite(dt_hi) and not two_rays),
                ],
                "two_rays": [False, False, two_rays],
            },
            index=pd.Index(["growth_rate", "initial_value", "doubling_time"]),
        )

    def _warn_no_interval(self):
        """Say why the intervals are NaN rather than return them without a word."""
        inf = self._inference
        n_params = inf.unscaled_cov.shape[0]
        if not np.all(np.isfinite(inf.unscaled_cov)):
            why = (
                "the Fisher information of the fit cannot be inverted (are all the "
                "rows at one time, or are the weights so small that it underflows?)"
            )
        else:
            why = (
                f"the weights sum to {inf.df_resid + n_params:.3g} for {n_params} "
                "parameters, which leaves no residual degrees of freedom to estimate the "
                "dispersion from (sample_weight counts as repeated rows here); pass a "
                "known dispersion (a number; 1.0 is plain Poisson) or use more rows"
            )
        warnings.warn(f"The intervals are NaN: {why}.", UserWarning, stacklevel=3)

    def _warn_if_not_certified(self):
        """Intervals assume the maximum-likelihood estimate: say so if the fit is not at it."""
        check_is_fitted(self)
        tol = 1e-7 if self.tol is None else self.tol
        if getattr(self, "converged_", False) or (
            self.tol is None and getattr(self, "optimality_", np.inf) <= tol
        ):
            return
        against = (
            f"tol={tol:g}"
            if self.tol is not None
            else "1e-7, the default tol, since this fit ran with tol=None"
        )
        warnings.warn(
            f"This fit is not at a certified optimum (optimality {self.optimality_:.3g}, "
            f"checked against {against}): the intervals assume the maximum-likelihood "
            "estimate and are not valid here. Refit until it converges, e.g. with "
            "optimizer='lbfgs' (the default), and check that fit gives no ConvergenceWarning.",
            ConvergenceWarning,
            stacklevel=3,
        )

    def reproduction_number(
        self,
        generation_time_mean: float,
        generation_time_sd: float,
        *,
        growth_rate: float | None = None,
    ) -> float:
        """Reproduction number from the growth rate (Wallinga & Lipsitch, 2007).

        For a gamma-distributed generation interval with shape
        ``k = (mean / sd)^2`` and scale ``theta = sd^2 / mean``,
        ``R = (1 + r theta)^k``. It is increasing in ``r``, so the ends of the
        growth rate's interval give an interval for R.

        Parameters
        ----------
        generation_time_mean : float
            Mean generation interval, > 0, in the time unit of X.
        generation_time_sd : float
            Its standard deviation, >= 0 (0: a fixed generation time, where
            ``R = exp(r * mean)``).
        growth_rate : float, default=None
            Evaluate at this rate instead of ``growth_rate_`` (e.g. an end of
            :meth:`confidence_interval`'s interval).

        Returns
        -------
        R : float
            0 when ``r <= -1/theta`` (the relation's limit there).

        References
        ----------
        J. Wallinga and M. Lipsitch, "How generation intervals shape the
        relationship between growth rates and reproductive numbers",
        Proc. R. Soc. B 274 (2007) 599-604.

        Examples
        --------
        >>> import numpy as np
        >>> from skgd import ExponentialGrowthRegressor
        >>> t = np.arange(8.0).reshape(-1, 1)
        >>> model = ExponentialGrowthRegressor().fit(t, 10 * np.exp(0.2 * t.ravel()))
        >>> round(model.reproduction_number(5.0, 2.5), 2)  # (1 + 0.2 * 1.25) ** 4
        2.44
        """
        check_is_fitted(self)
        rate = self.growth_rate_ if growth_rate is None else float(growth_rate)
        return float(
            gs.wallinga_lipsitch(rate, float(generation_time_mean), float(generation_time_sd))
        )

    # ------------------------------------------------------------ inference
    @guarded  # validation below sets attributes: a failed call must undo them
    def _fit_standardized(self, X, y, sample_weight, *, partial, epochs=1):
        """Train on standardized columns; store coef_ and intercept_ in the original units.

        The optimizer sees ``z = (x - shift) / scale`` (weighted mean and
        standard deviation of each column), so a step of a given size means
        the same in days, hours or calendar dates, and L-BFGS-B's first step
        (of length 1 in parameter space) cannot overflow ``exp``. ``eta`` and
        therefore J are unchanged. With a penalty the columns are only centred:
        scaling would change what the penalty measures. The transform is fixed
        by the first fit, so ``partial_fit`` and ``warm_start`` continue in
        the same coordinates. Returns the validated X, y and weights.
        """
        from .._validation import check_sample_weight

        self._check_params()  # hyperparameters are named before the data
        fitted = hasattr(self, "coef_")
        continuing = fitted and (partial or self.warm_start)
        X, y = self._validate_X_y(X, y, reset=not (partial and fitted))
        w = check_sample_weight(sample_weight, X.shape[0])
        old = getattr(self, "_standardizer", None)
        if continuing and old is not None:
            if old[0].shape[0] != X.shape[1]:
                raise ValueError(
                    "The data have a different number of features than the fitted model; "
                    "refit with warm_start=False."
                )
            shift, scale = old
        else:
            shift, scale = gs.standardizer(
                X, w, center=bool(self.fit_intercept), scale=self.penalty is None
            )
        self._standardizer = (shift, scale)
        self._validated_input = True
        try:
            self._fit(
                gs.standardize(X, shift, scale), y, sample_weight, partial=partial, epochs=epochs
            )
        except BaseException:
            self._standardizer = old
            if old is None:
                del self._standardizer
            raise
        finally:
            self._validated_input = False
        return X, y, w

    def _start(self, X, y, sample_weight=None, classes=None):
        self._fit_standardized(X, y, sample_weight, partial=True, epochs=0)
        return self

    def _training_X(self, X):
        return gs.standardize(X, *self._standardizer)

    def _validate_X_y(self, X, y, reset):
        # fit has validated X (and kept its feature names) before standardizing it
        if getattr(self, "_validated_input", False):
            return X, y
        return super()._validate_X_y(self._to_days(X, reset=reset), y, reset)

    def _check_X(self, X):
        check_is_fitted(self)
        return super()._check_X(self._to_days(X, reset=False))

    def _to_days(self, X, *, reset):
        """X with dates as days since ``time_origin_`` (set when ``reset``), before validation.

        Every path that reads X comes here first (fit, partial_fit, predict,
        score, :func:`skgd.objective`), so a date never reaches scikit-learn's
        validation, which would turn it into nanoseconds.
        """
        if reset:
            times = to_days(X)
            self.time_origin_ = times.origin
            self._date_columns = times.date_columns
            return times.X
        origin = getattr(self, "time_origin_", None)
        times = to_days(X, origin)
        unexpected = sorted(set(times.date_columns) - set(getattr(self, "_date_columns", ())))
        if unexpected:
            raise ValueError(
                f"X column {unexpected[0]} holds dates, but the model was fitted with numbers "
                "there; pass numbers (the times used in fit) or refit with dates."
            )
        return times.X

    def _fit_inference(self, X, y, w):
        if X.shape[1] > gs.MAX_FEATURES_FOR_SE:
            for name in ("_inference", "bse_", "covariance_", "dispersion_", "df_resid_"):
                if hasattr(self, name):
                    delattr(self, name)
            return
        a2 = self.alpha * (1.0 - self.l1_ratio) if self.penalty == "elasticnet" else 0.0
        a2 = self.alpha if self.penalty == "l2" else a2
        inf = gs.inference(
            self.loss,
            X,
            np.asarray(y, dtype=np.float64),
            w,
            self.coef_.astype(np.float64),
            float(self.intercept_),
            fit_intercept=self.fit_intercept,
            a2=float(a2),
        )
        self._inference = inf
        self.dispersion_ = inf.dispersion
        self.df_resid_ = inf.df_resid
        cov, _ = self._scaled_covariance(0.95, "auto")
        self.covariance_ = cov
        self.bse_ = np.sqrt(np.clip(np.diag(cov), 0.0, None))

    def _scaled_covariance(self, level, dispersion):
        """Covariance of [coef..., intercept] and the interval quantile."""
        check_is_fitted(self)
        if not hasattr(self, "_inference"):
            raise AttributeError(
                "Standard errors are computed by fit (not partial_fit) for up to "
                f"{gs.MAX_FEATURES_FOR_SE} features; call fit first."
            )
        phi, q = gs.scale_and_quantile(self._inference, dispersion, level)
        cov = self._inference.unscaled_cov * phi
        if not self.fit_intercept:
            cov = np.pad(cov, ((0, 1), (0, 1)))
        return cov, q

    # ------------------------------------------------------------ hooks of BaseGD
    def _encode_target(self, y, *, first_call, classes=None):
        y = np.asarray(y, dtype=np.float64)
        if self.loss == "log_squared_error":
            bad = y <= 0
            if bad.any():
                raise ValueError(
                    "loss='log_squared_error' fits log y and needs y > 0; "
                    f"{_rows(bad, y)} are zero or negative. Use loss='poisson' for "
                    "counts with zeros."
                )
        bad = y < 0
        if bad.any():
            raise ValueError(
                f"ExponentialGrowthRegressor needs y >= 0 (counts or sizes); "
                f"{_rows(bad, y)} are negative."
            )
        if first_call and y.size and not y.any():
            raise ValueError(
                f"All {y.shape[0]} values of y (rows 0 to {y.shape[0] - 1}) are 0: "
                "an exponential curve through them has I0 = 0 and no growth rate."
            )
        return y, 1

    def _baseline(self, y, w, n_outputs, info):
        # the best constant of a log-link model: log of the mean (mean of log y
        # for the least-squares loss on log y)
        if info.log_target:
            return np.average(np.log(y), weights=w)
        return np.log(np.average(y, weights=w))

    def _initial_params(self, X, y, w, n_outputs, info):
        # log(y + 0.5): the usual continuity correction, finite at zero counts
        z = np.log(y) if info.log_target else np.log(y + 0.5)
        return gs.log_linear_start(X, z, w, bool(self.fit_intercept))

    def _score_params(self, params, X, y, w):
        from sklearn.metrics import d2_tweedie_score, r2_score

        coef, intercept = unpack(params, X.shape[1], 1)
        eta = np.asarray(X @ coef[:, 0]).ravel() + intercept[0]
        if self.loss == "poisson":
            pred = np.exp(np.minimum(eta, gs.MAX_ETA))
            if np.ptp(y) == 0:
                # D^2 divides by the deviance of the mean, 0 for a constant
                # target (scikit-learn raises ZeroDivisionError): r2_score's rule
                return 1.0 if np.allclose(pred, y) else 0.0
            return d2_tweedie_score(y, pred, sample_weight=w, power=1)
        if self.loss == "log_squared_error":
            return r2_score(np.log(y), eta, sample_weight=w)
        return r2_score(y, np.exp(np.minimum(eta, gs.MAX_ETA)), sample_weight=w)

    def _unpack_params(self, params, n_features, n_outputs):
        coef, intercept = unpack(params, n_features, 1)
        return coef[:, 0].copy(), float(intercept[0]) if self.fit_intercept else 0.0

    def _store_params(self, params, n_features, n_outputs, dtype):
        # params are in the standardized coordinates of _fit_standardized
        shift, scale = self._standardizer
        a, b = unpack(params, n_features, 1)
        coef = a[:, 0] / scale
        intercept = float(b[0] - coef @ shift) if self.fit_intercept else 0.0
        self.coef_ = coef.astype(dtype)
        self.intercept_ = intercept
        self.growth_rate_ = float(self.coef_[self._time_index()])
        self.initial_value_ = float(np.exp(min(self.intercept_, gs.MAX_ETA)))
        self.doubling_time_ = float(gs.doubling_time(self.growth_rate_))

    def _time_index(self) -> int:
        """The column of X that holds the time: the date column if there is one, else the first."""
        dates = getattr(self, "_date_columns", ())
        return int(dates[0]) if len(dates) else 0

    def _current_params(self):
        shift, scale = self._standardizer
        coef = self.coef_.astype(np.float64)
        return np.append(coef * scale, self.intercept_ + coef @ shift)

    def _public_params(self):
        return np.append(self.coef_.astype(np.float64), self.intercept_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Counts and sizes are never negative; the estimator checks then send
        # positive targets.
        tags.target_tags.positive_only = True
        return tags
