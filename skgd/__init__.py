"""skgd: scikit-learn estimators trained by gradient descent.

The optimizer, the batch size and the learning-rate schedule are ordinary
hyperparameters. Public names are loaded on first use, so ``import skgd`` is
cheap and compiles nothing.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "GDRegressor": "skgd.linear_model",
    "GDClassifier": "skgd.linear_model",
    "ExponentialGrowthRegressor": "skgd.linear_model",
    "check_gradient": "skgd._gradcheck",
    "objective": "skgd._objective",
    "compare_solvers": "skgd._compare",
    "minimize": "skgd._minimize",
    "DivergenceError": "skgd.exceptions",
    "fit_csv": "skgd._streaming",
    "score_csv": "skgd._streaming",
    "growth_rates": "skgd._growth_rates",
    "growth_peak": "skgd._growth_peak",
    "GrowthPeak": "skgd._growth_peak",
}
_SUBMODULES = {
    "optimizers",
    "schedules",
    "losses",
    "penalties",
    "landscapes",
    "datasets",
    "plotting",
    "simulator",
    "exceptions",
    "linear_model",
}

__all__ = sorted([*_LAZY, *_SUBMODULES])


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"skgd.{name}")
    raise AttributeError(f"module 'skgd' has no attribute {name!r}")


def __dir__():
    return __all__
