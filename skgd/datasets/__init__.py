"""Small data sets bundled with skgd, returned like scikit-learn's loaders."""

from ._flu import load_boarding_school_flu

__all__ = ["load_boarding_school_flu"]
