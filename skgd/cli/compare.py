"""``skgd compare``: the estimator against scipy's L-BFGS-B and the closed form, as a table."""

from __future__ import annotations

import argparse

from . import UsageError, finite_float, squares_overflow

_DATASETS = {"diabetes": "regressor", "breast_cancer": "classifier", "wine": "classifier"}
_ESTIMATORS = {
    "regressor": "GDRegressor",
    "classifier": "GDClassifier",
    "growth": "ExponentialGrowthRegressor",
}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="compare a gradient-descent fit with L-BFGS-B and the closed form",
        description=(
            "Fit a skgd estimator on standardized features and print J at its answer next "
            "to scipy's L-BFGS-B and, where one exists, the closed form (skgd.compare_solvers)."
        ),
    )
    parser.add_argument("file", nargs="?", help="a CSV file (needs --target); default: --dataset")
    parser.add_argument("--target", help="the CSV column to predict")
    parser.add_argument(
        "--dataset",
        default=None,
        help=f"a scikit-learn dataset: {', '.join(sorted(_DATASETS))} (default: diabetes)",
    )
    parser.add_argument(
        "--estimator",
        default=None,
        help=f"{', '.join(sorted(_ESTIMATORS))}; default: regressor for diabetes and CSV "
        "files, classifier otherwise",
    )
    parser.add_argument("--loss", help="the estimator's loss (default: its default)")
    parser.add_argument(
        "--optimizer",
        default="nesterov",
        help="e.g. sgd, momentum, nesterov, adam, lbfgs (default: nesterov, which converges "
        "fastest of the gradient methods on standardized data)",
    )
    parser.add_argument("--learning-rate", type=finite_float, default=0.1)
    parser.add_argument("--batch-size", default=None, help="an integer or 'full'")
    parser.add_argument("--penalty", default=None, help="none, l2, l1 or elasticnet")
    parser.add_argument("--alpha", type=finite_float, default=None)
    parser.add_argument("--max-iter", type=int, default=2000)
    parser.add_argument(
        "--tol", type=finite_float, default=1e-8, help="stopping tolerance on J (default: 1e-8)"
    )
    parser.add_argument("--random-state", type=int, default=0)
    parser.set_defaults(run=run)


def _choice(option: str, value, choices) -> None:
    """One-line errors instead of argparse's usage block (the CLI's contract)."""
    if value is not None and value not in choices:
        raise UsageError(f"{option} must be one of {', '.join(sorted(choices))}; got {value!r}")


def _load(args: argparse.Namespace):
    """(X, y, what the data are) from a CSV file or a scikit-learn dataset."""
    _choice("--dataset", args.dataset, _DATASETS)
    _choice("--estimator", args.estimator, _ESTIMATORS)
    _choice("--penalty", args.penalty, ["none", "l2", "l1", "elasticnet"])
    if args.file is not None:
        if args.dataset is not None:
            raise UsageError("give either a CSV file or --dataset, not both")
        if not args.target:
            raise UsageError("a CSV file needs --target COLUMN")
        import pandas as pd

        from . import read_csv

        frame = read_csv(args.file)
        if args.target not in frame.columns:
            raise UsageError(
                f"column {args.target!r} is not in {args.file}; columns: {list(frame.columns)}"
            )
        features = frame.drop(columns=[args.target])
        text = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
        if text:
            raise UsageError(f"feature columns must be numeric; not numeric: {text}")
        if features.shape[1] == 0:
            raise UsageError(f"{args.file} has no feature columns besides {args.target!r}")
        if features.isna().any().any() or frame[args.target].isna().any():
            raise UsageError(f"{args.file} has missing values; drop or fill them first")
        target = frame[args.target]
        kind = args.estimator or "regressor"
        if kind != "classifier" and not pd.api.types.is_numeric_dtype(target):
            example = next(v for v in target if _not_a_number(v))
            raise UsageError(
                f"target column {args.target!r} holds text ({example!r}), not numbers: for "
                "class labels use --estimator classifier"
            )
        columns = list(features.columns) + ([args.target] if kind != "classifier" else [])
        _check_finite(frame, columns, args.file)
        return features.to_numpy(dtype=float), target.to_numpy(), args.file
    if args.target:
        raise UsageError("--target applies to a CSV file only")
    from sklearn import datasets

    name = args.dataset or "diabetes"
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return X, y, f"scikit-learn's {name} dataset"


def _not_a_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return True
    return False


def _check_finite(frame, columns, path) -> None:
    """Infinite values, and values whose squares overflow float64, named by column.

    Standardizing a column sums the squares of its deviations, and squared
    losses square the target: past float64's range (values near 1.34e154
    and above) numpy would go on with inf and NaN and warnings.
    """
    import numpy as np

    for column in columns:
        values = frame[column].to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(values)):
            raise UsageError(f"column {column!r} of {path} has infinite values")
        if squares_overflow(values):
            largest = float(np.max(np.abs(values)))
            raise UsageError(
                f"column {column!r} of {path} has values up to {largest:.3g}, too large for "
                f"float64 arithmetic (the sum of their squares overflows); rescale it"
            )


def _estimator(args: argparse.Namespace):
    kind = args.estimator or (_DATASETS[args.dataset] if args.dataset else "regressor")
    import skgd

    try:
        cls = getattr(skgd, _ESTIMATORS[kind])
    except (ImportError, AttributeError):
        raise UsageError(f"{_ESTIMATORS[kind]} is not available in this version of skgd") from None
    params = {
        "loss": args.loss,
        "optimizer": args.optimizer,
        "learning_rate": args.learning_rate,
        "alpha": args.alpha,
        "max_iter": args.max_iter,
        "tol": args.tol,
        "random_state": args.random_state,
    }
    params = {k: v for k, v in params.items() if v is not None}
    if args.penalty is not None:
        params["penalty"] = None if args.penalty == "none" else args.penalty
    elif kind == "classifier":
        # breast_cancer is linearly separable: without a penalty J has no minimum
        # and the coefficients of every solver run off to infinity.
        params["penalty"] = "l2"
        params.setdefault("alpha", 1e-2)
    if args.batch_size is not None:
        size = args.batch_size
        if size != "full":
            try:
                size = int(size)
            except ValueError:
                raise UsageError(
                    f"--batch-size must be an integer or 'full'; got {size!r}"
                ) from None
        params["batch_size"] = size
    return cls(**params)


def run(args: argparse.Namespace) -> int:
    import warnings

    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    from .. import compare_solvers
    from ..exceptions import ConvergenceWarning

    X, y, source = _load(args)
    estimator = _estimator(args)
    # Standardized features make every optimizer's learning rate mean the same thing
    # on every dataset; the table is about optimizers, not about feature scales.
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        table = compare_solvers(estimator, X, y)
    print(f"Data: {source}, {X.shape[0]} rows x {X.shape[1]} features.")
    print("Features standardized (StandardScaler) before fitting; J is over all rows.")
    print(f"Estimator: {estimator!r}")
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        print("Note: the estimator stopped at max_iter before its stopping rule was met.")
    print()
    with pd.option_context("display.width", 200, "display.max_columns", 10):
        print(
            table.to_string(
                index=False,
                formatters={
                    "objective": "{:.10g}".format,
                    "objective_gap": "{:.3e}".format,
                    "relative_gap": "{:.3e}".format,
                    "max_coef_diff": "{:.3e}".format,
                    "seconds": "{:.3f}".format,
                    "setup_seconds": "{:.3f}".format,
                },
            )
        )
    return 0
