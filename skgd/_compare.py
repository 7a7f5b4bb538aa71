"""One table: does gradient descent reach what L-BFGS-B and the closed form reach?"""

from __future__ import annotations

import time

import numpy as np
from sklearn.base import clone

from ._objective import Objective, objective

#: Options of the reference L-BFGS-B run: tighter than ``fit``'s so it is the
#: yardstick rather than one more contestant.
SCIPY_OPTIONS = {"maxiter": 50_000, "maxfun": 500_000, "maxcor": 20, "gtol": 1e-12, "ftol": 0.0}


def _scipy_lbfgs(obj: Objective) -> tuple[np.ndarray, int]:
    """Minimize J with tight L-BFGS-B (L1 parts through the split coef = u - v).

    The same stepper as ``fit``'s ``optimizer='lbfgs'``, run by the same
    engine, with tighter options and no stopping rule of its own (``tol=0``):
    scipy's ``gtol=1e-12`` ends it.
    """
    from ._engine import Settings, TrainState, train
    from ._lbfgs import LBFGSB
    from .optimizers import LBFGS
    from .schedules import Constant

    optimizer = LBFGS(precondition=False)
    x0 = obj._full(obj.x0)
    state = TrainState(x0, optimizer.init(x0.shape[0]), {})
    outcome = train(
        obj._problem,
        state,
        LBFGSB(optimizer, options=SCIPY_OPTIONS),
        schedule=Constant(),
        settings=Settings(learning_rate=1.0, max_iter=SCIPY_OPTIONS["maxiter"], tol=0.0),
    )
    return obj._free(outcome.state.params), outcome.epochs


def _closed_form(obj: Objective) -> tuple[str, np.ndarray] | None:
    """Weighted least squares / ridge on the fitted target, when J is one.

    J = sum p_i (y_i - x_i b - c)^2 / 2 + a2 ||b||^2 / 2 with p = w / sum w.
    Setting dJ/dc = 0 gives c = ybar - xbar b (weighted means), so b solves
    the ridge problem on centred data; it is solved as the least-squares
    problem [sqrt(p) Xc; sqrt(a2) I] b = [sqrt(p) yc; 0], which is better
    conditioned than the normal equations and gives the minimum-norm OLS
    solution when X is rank deficient.
    """
    from scipy.linalg import lstsq

    from ._kernels import loss_code

    prep = obj._prepared
    model = prep.model
    if model.loss != loss_code("squared_error") or model.a1 > 0 or model.n_outputs != 1:
        return None
    X = prep.X.toarray() if hasattr(prep.X, "toarray") else np.asarray(prep.X)
    X = X.astype(np.float64)
    y = np.asarray(prep.y_fit, dtype=np.float64)
    keep = prep.w > 0
    X, y, p = X[keep], y[keep], prep.w[keep] / prep.w[keep].sum()
    if model.fit_intercept:
        x_mean, y_mean = p @ X, p @ y
        X, y = X - x_mean, y - y_mean
    root = np.sqrt(p)
    A, b = root[:, None] * X, root * y
    if model.a2 > 0:
        A = np.vstack([A, np.sqrt(model.a2) * np.eye(X.shape[1])])
        b = np.concatenate([b, np.zeros(X.shape[1])])
    coef = lstsq(A, b, lapack_driver="gelsd")[0]
    params = np.append(coef, y_mean - x_mean @ coef if model.fit_intercept else 0.0)
    kind = "ridge" if model.a2 > 0 else "OLS"
    on = " on log y" if prep.info.log_target else ""
    return f"closed form ({kind}{on})", obj._free(params)


def compare_solvers(estimator, X, y, sample_weight=None):
    """Fit ``estimator`` and compare it with scipy's L-BFGS-B and the closed form on the same J.

    Rows, one per solver:

    - the estimator as configured (a clone is fitted; ``estimator`` is not
      modified), named by its optimizer;
    - ``scipy L-BFGS-B``: :func:`scipy.optimize.minimize` on
      :func:`skgd.objective` with tight options (``gtol=1e-12``, no ``ftol``
      stop, up to 50 000 iterations; L1 and elastic-net through the smooth
      split ``coef = u - v``, ``u, v >= 0``);
    - the closed form, where J is a (weighted) least-squares problem:
      squared error with ``penalty=None`` (OLS) or ``"l2"`` (ridge), and
      ``ExponentialGrowthRegressor(loss="log_squared_error")`` (OLS / ridge on
      ``log y``).

    Parameters
    ----------
    estimator : GDRegressor, GDClassifier or ExponentialGrowthRegressor
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    pandas.DataFrame
        Columns ``solver``, ``objective`` (J at the solver's answer, over all
        rows), ``objective_gap`` (J minus the smallest J in the table, >= 0),
        ``relative_gap`` (that gap divided by the smallest J), ``max_coef_diff``
        (largest absolute difference of any coefficient or intercept from the
        row with the smallest J), ``n_iter`` (epochs for the estimator,
        iterations for scipy, missing for the closed form), ``seconds`` (for
        the estimator the time of its epochs, as summed in ``history_``; for
        the others the wall time of the solver) and ``setup_seconds`` (the
        rest of the estimator's ``fit``: validation and set-up). ``df.attrs["params"]`` maps
        each solver to its flat parameter vector (see :class:`Objective`).

    Raises
    ------
    skgd.exceptions.DivergenceError
        When fitting the estimator diverges.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgd import GDRegressor, compare_solvers
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> table = compare_solvers(GDRegressor(optimizer="lbfgs"), X, y)
    >>> table["solver"].tolist()
    ['GDRegressor(optimizer=lbfgs)', 'scipy L-BFGS-B', 'closed form (OLS)']
    >>> bool(table["objective_gap"].max() < 1e-6)
    True
    """
    import pandas as pd

    from .optimizers import resolve_optimizer

    obj = objective(estimator, X, y, sample_weight)
    rows, params = [], {}

    def add(name, theta, n_iter, seconds, setup):
        params[name] = theta
        rows.append(
            {
                "solver": name,
                "objective": obj.value(theta),
                "n_iter": n_iter,
                "seconds": seconds,
                "setup_seconds": setup,
            }
        )

    fitted = clone(estimator)
    tic = time.perf_counter()
    fitted.fit(X, y, sample_weight=sample_weight)
    total = time.perf_counter() - tic
    # the epochs' own time; validation, set-up (and any first-call compile) apart
    seconds = float(fitted.history_["seconds"].sum())
    opt = estimator.optimizer
    opt_name = opt if isinstance(opt, str) else repr(resolve_optimizer(opt))
    add(
        f"{type(estimator).__name__}(optimizer={opt_name})",
        obj.params_of(fitted),
        int(fitted.n_iter_),
        seconds,
        max(total - seconds, 0.0),
    )

    tic = time.perf_counter()
    theta, nit = _scipy_lbfgs(obj)
    add("scipy L-BFGS-B", theta, nit, time.perf_counter() - tic, 0.0)

    tic = time.perf_counter()
    closed = _closed_form(obj)
    if closed is not None:
        add(closed[0], closed[1], None, time.perf_counter() - tic, 0.0)

    table = pd.DataFrame(rows)
    best = int(np.nanargmin(table["objective"].to_numpy()))
    best_theta = params[table["solver"][best]]
    best_value = float(table["objective"][best])
    table["objective_gap"] = table["objective"] - best_value
    # the gap in units of J itself (J of a perfect fit is 0: then the gap)
    table["relative_gap"] = table["objective_gap"] / (abs(best_value) if best_value else 1.0)
    table["max_coef_diff"] = [
        float(np.max(np.abs(params[s] - best_theta), initial=0.0)) for s in table["solver"]
    ]
    table["n_iter"] = table["n_iter"].astype("Int64")
    columns = ["solver", "objective", "objective_gap", "relative_gap", "max_coef_diff"]
    table = table[[*columns, "n_iter", "seconds", "setup_seconds"]]
    table.attrs["params"] = params
    return table


__all__ = ["compare_solvers"]
