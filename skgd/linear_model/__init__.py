"""The estimators."""

from ._regressor import GDRegressor

__all__ = ["GDRegressor"]
