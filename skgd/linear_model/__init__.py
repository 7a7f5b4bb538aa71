"""The estimators."""

from ._classifier import GDClassifier
from ._regressor import GDRegressor

__all__ = ["GDClassifier", "GDRegressor"]
