"""The objective J of an estimator as a plain function of one flat parameter vector."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone


class Objective:
    """J (see the user guide) of one estimator on one data set, as a function of a flat vector.

    Built by :func:`skgd.objective`; not meant to be created directly. The
    vector ``theta`` holds the coefficients (``n_features * n_outputs``
    values, feature-major: the K class scores of feature 0, then of feature
    1, ...) followed by the ``n_outputs`` intercepts. With
    ``fit_intercept=False`` the intercepts are fixed at 0 and left out of
    ``theta``, so every component of ``theta`` is a free parameter and the
    gradient is the true gradient.

    Attributes
    ----------
    x0 : ndarray of shape (n_params,)
        The point ``fit`` starts from (zero coefficients, the best constant as
        intercept).
    n_features : int
    n_outputs : int
        Number of linear scores K (1 except for multinomial classification).
    fit_intercept : bool
    estimator : estimator
        A clone of the estimator given, validated against the data (it has
        ``n_features_in_`` and, for classifiers, ``classes_``) but not fitted.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import minimize
    >>> from skgd import GDRegressor, objective
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> y = np.array([1.0, 3.0, 5.0])
    >>> obj = objective(GDRegressor(), X, y)
    >>> res = minimize(obj.value_and_gradient, obj.x0, jac=True, method="L-BFGS-B")
    >>> coef, intercept = obj.unpack(res.x)
    >>> np.round(coef, 4), round(intercept, 4)
    (array([2.]), 1.0)
    """

    def __init__(self, estimator, problem, x0_full: np.ndarray):
        self.estimator = estimator
        self._problem = problem
        model = problem.model
        self.n_features = int(model.n_features)
        self.n_outputs = int(model.n_outputs)
        self.fit_intercept = bool(model.fit_intercept)
        self._n_coef = self.n_features * self.n_outputs
        self._n_full = self._n_coef + self.n_outputs
        self.x0 = self._free(np.asarray(x0_full, dtype=np.float64))

    @property
    def n_params(self) -> int:
        """Length of ``theta``."""
        return self._n_full if self.fit_intercept else self._n_coef

    # The kernels always carry the intercepts; without fit_intercept they are
    # pinned at 0 here rather than exposed, because the kernels report a zero
    # gradient for them and a finite-difference check would then disagree.
    def _full(self, theta) -> np.ndarray:
        theta = np.ascontiguousarray(theta, dtype=np.float64).ravel()
        if theta.shape[0] != self.n_params:
            raise ValueError(
                f"theta must have {self.n_params} components (coefficients"
                f"{' and intercepts' if self.fit_intercept else ''}); got {theta.shape[0]}."
            )
        if self.fit_intercept:
            return theta.copy()
        return np.concatenate([theta, np.zeros(self.n_outputs)])

    def _free(self, params: np.ndarray) -> np.ndarray:
        return params[: self.n_params].copy()

    def value(self, theta) -> float:
        """J at ``theta``.

        Parameters
        ----------
        theta : array-like of shape (n_params,)

        Returns
        -------
        float
        """
        return float(self._problem.value(self._full(theta)))

    __call__ = value

    def gradient(self, theta) -> np.ndarray:
        """The gradient of J at ``theta``.

        At the kinks of the hinge and epsilon-insensitive losses and of the L1
        penalty this is the subgradient the training loop uses (0 for L1 at 0).

        Parameters
        ----------
        theta : array-like of shape (n_params,)

        Returns
        -------
        ndarray of shape (n_params,)
        """
        return self.value_and_gradient(theta)[1]

    def value_and_gradient(self, theta) -> tuple[float, np.ndarray]:
        """J and its gradient at ``theta``, in one pass over the data.

        Parameters
        ----------
        theta : array-like of shape (n_params,)

        Returns
        -------
        value : float
        gradient : ndarray of shape (n_params,)
        """
        value, grad = self._problem.value_and_gradient(self._full(theta))
        return float(value), self._free(grad)

    def gradient_scale(self) -> np.ndarray:
        """The scale of the optimality measure, as ``fit`` uses it (one per component of ``theta``).

        Each gradient component's size at the null model (zero coefficients,
        the best constant intercept) before its terms cancel; see the user
        guide. :func:`skgd.minimize` on this objective stops by it, so it
        stops where ``fit`` would.

        Returns
        -------
        ndarray of shape (n_params,)
        """
        return self._free(self._problem.gradient_scale())

    def unpack(self, theta):
        """Split ``theta`` into ``(coef, intercept)`` in the estimator's public shapes.

        Parameters
        ----------
        theta : array-like of shape (n_params,)

        Returns
        -------
        coef : ndarray
            Shaped like the fitted estimator's ``coef_``.
        intercept : float or ndarray
            Like ``intercept_``.
        """
        return self.estimator._unpack_params(self._full(theta), self.n_features, self.n_outputs)

    def params_of(self, fitted) -> np.ndarray:
        """``theta`` of a fitted estimator of the same kind, to evaluate J there.

        Parameters
        ----------
        fitted : estimator
            Fitted on data with the same features (and classes).

        Returns
        -------
        ndarray of shape (n_params,)
        """
        params = np.asarray(fitted._public_params(), dtype=np.float64).ravel()
        if params.shape[0] != self._n_full:
            raise ValueError(
                f"The fitted estimator has {params.shape[0]} parameters; this objective "
                f"has {self._n_full}."
            )
        return self._free(params)

    def __repr__(self) -> str:
        name = type(self.estimator).__name__
        return f"<Objective of {name}: {self.n_params} parameters>"


def objective(estimator, X, y, sample_weight=None) -> Objective:
    """The objective J that ``estimator.fit(X, y, sample_weight)`` minimizes.

    ``J = sum_i w_i L(y_i, f(x_i)) / sum_i w_i + alpha R(coef)``, with the
    estimator's loss, penalty, class weights and target encoding, evaluated
    by the same compiled kernels as ``fit``. Hand it to any optimizer, e.g.
    ``scipy.optimize.minimize(obj.value_and_gradient, obj.x0, jac=True)``.

    Parameters
    ----------
    estimator : GDRegressor, GDClassifier or ExponentialGrowthRegressor
        Only its hyperparameters are used; it is neither fitted nor modified.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    Objective
        With ``x0``, ``value``, ``gradient``, ``value_and_gradient`` and
        ``unpack``.

    Notes
    -----
    J is over all the rows given. With ``early_stopping=True``, ``fit``
    minimizes J over the rows it keeps for training only.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgd import GDRegressor, check_gradient, objective
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> obj = objective(GDRegressor(penalty="l2", alpha=0.1), X, y)
    >>> obj.x0.shape
    (11,)
    >>> check_gradient(obj.value, obj.gradient, obj.x0 + 1.0, eps=1e-3) < 1e-6
    True
    """
    from .linear_model._base import BaseGD

    if not isinstance(estimator, BaseGD):
        raise TypeError(
            "objective needs an skgd estimator (GDRegressor, GDClassifier, "
            f"ExponentialGrowthRegressor); got {type(estimator).__name__}. For a Pipeline, "
            "transform X with its first steps and pass the final estimator."
        )
    from ._kernels import make_data
    from ._problem import Problem

    # _prepare validates with reset=True, which sets attributes: work on a clone.
    est = clone(estimator)
    prep = est._prepare(X, y, sample_weight)
    x0 = est._initial_params(prep.X, prep.y, prep.w, prep.n_outputs, prep.info)
    null = est._null_params(prep.X, prep.y, prep.w, prep.n_outputs, prep.info)
    problem = Problem(make_data(prep.X, prep.y_fit, prep.w), prep.model, null_params=null)
    obj = Objective(est, problem, x0)
    # compare_solvers needs the validated arrays for the closed form.
    obj._prepared = prep
    return obj


__all__ = ["Objective", "objective"]
