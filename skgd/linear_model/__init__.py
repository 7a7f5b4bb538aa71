"""The estimators."""

from ._classifier import GDClassifier
from ._growth import ExponentialGrowthRegressor
from ._regressor import GDRegressor

__all__ = ["ExponentialGrowthRegressor", "GDClassifier", "GDRegressor"]
