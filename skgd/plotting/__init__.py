"""Pictures of training, in scikit-learn's Display style.

Each ``XDisplay`` holds what to draw; ``plot(ax=None, **kwargs)`` draws it
and sets ``ax_`` and ``figure_``; the ``from_*`` class methods compute the
data and plot in one call. matplotlib is an optional dependency
(``pip install 'skgd[plot]'``) imported only when something is drawn, so
``import skgd.plotting`` works without it.

- :class:`LossCurveDisplay`: ``loss_curve_`` of one or several fitted
  estimators against the epoch, on a log scale.
- :class:`LearningRateDisplay`: the same model fitted with several learning
  rates, the diverging ones included.
- :class:`LandscapeDisplay`: filled contours of a 2-D function, or of an
  estimator's objective J over two of its parameters, with optimization
  paths drawn on it.
- :class:`GrowthRateDisplay`: an epidemic's growth rate r(t) over sliding
  windows with its confidence band, read also as doubling times.
- :class:`GrowthPeakDisplay`: counts with the fitted growth and decline
  phases and the peak between them.
"""

from ._growth import GrowthPeakDisplay, GrowthRateDisplay
from ._landscape import LandscapeDisplay
from ._learning_rate import LearningRateDisplay
from ._loss_curve import LossCurveDisplay

__all__ = [
    "GrowthPeakDisplay",
    "GrowthRateDisplay",
    "LandscapeDisplay",
    "LearningRateDisplay",
    "LossCurveDisplay",
]
