"""LossCurveDisplay: J against the epoch for one or several fitted estimators."""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import as_curve, describe, final_step, get_ax


class LossCurveDisplay:
    """Loss curves: the objective J after each epoch, on a log scale.

    Build one with :meth:`from_estimator` or :meth:`from_estimators`; the
    constructor only stores what to draw. J is the same function for every
    optimizer and batch size (see the user guide), so curves of different
    settings on the same data can be compared directly.

    Parameters
    ----------
    loss_curves : sequence of array-like of shape (n_epochs,)
        J after each epoch, as in ``estimator.loss_curve_``.
    labels : sequence of str, default=None
        One legend entry per curve; None draws no legend.
    reference : float, default=None
        If given, ``J - reference`` is drawn instead of J, e.g. with the
        optimum from :func:`skgd.compare_solvers`, so that the log scale
        shows how many digits each curve has gained.
    title : str, default=None

    Attributes
    ----------
    lines_ : list of matplotlib.lines.Line2D
        One line per curve, in the order given.
    ax_ : matplotlib.axes.Axes
    figure_ : matplotlib.figure.Figure

    Notes
    -----
    A fit that starts at its optimum runs no epoch (``n_iter_ == 0``): a
    growth fit with ``loss='log_squared_error'`` starts at the closed-form
    least-squares answer, for example. Its ``loss_curve_`` is empty, and
    instead of an empty plot the display writes why on the axes, adds
    "(no epochs)" to its legend entry and warns.

    See Also
    --------
    LearningRateDisplay : One model fitted with several learning rates.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgd import GDRegressor
    >>> from skgd.plotting import LossCurveDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> fits = {name: GDRegressor(optimizer=name, max_iter=50, tol=None).fit(X, y)
    ...         for name in ["sgd", "adam"]}
    >>> display = LossCurveDisplay.from_estimators(fits)
    >>> len(display.lines_), display.ax_.get_yscale()
    (2, 'log')
    """

    def __init__(self, *, loss_curves, labels=None, reference=None, title=None):
        self.loss_curves = loss_curves
        self.labels = labels
        self.reference = reference
        self.title = title

    def plot(self, ax=None, *, yscale: str = "log", **kwargs) -> LossCurveDisplay:
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        yscale : {'log', 'linear', 'symlog'}, default='log'
            Scale of the J axis. On the log scale points where J (or
            ``J - reference``) is not positive are left out.
        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot` for every curve.

        Returns
        -------
        display : LossCurveDisplay
        """
        fig, ax = get_ax(ax)
        curves = [as_curve(c) for c in self.loss_curves]
        labels = self.labels if self.labels is not None else [None] * len(curves)
        if len(labels) != len(curves):
            raise ValueError(f"{len(labels)} labels for {len(curves)} loss curves.")
        self.lines_ = []
        empty = [i for i, curve in enumerate(curves) if curve.shape[0] == 0]
        if empty:
            labels = list(labels)
            for i in empty:
                labels[i] = f"{labels[i]} (no epochs)" if labels[i] is not None else None
        for curve, label in zip(curves, labels):
            values = curve if self.reference is None else curve - self.reference
            if yscale == "log":
                # a log axis cannot show 0 (an exact optimum) or below: leave those out
                values = np.where(values > 0, values, np.nan)
            epochs = np.arange(1, values.shape[0] + 1)
            (line,) = ax.plot(epochs, values, label=label, **kwargs)
            self.lines_.append(line)
        ax.set_yscale(yscale)
        ax.set_xlabel("epoch")
        ax.set_ylabel("objective J" if self.reference is None else "J - J* (distance to optimum)")
        if self.title is not None:
            ax.set_title(self.title)
        if any(label is not None for label in labels):
            ax.legend()
        ax.grid(True, which="major", alpha=0.3)
        if empty:
            _say_why_empty(ax, len(empty), len(curves))
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, label=None, reference=None, title=None, ax=None, yscale="log", **kwargs
    ) -> LossCurveDisplay:
        """Plot the loss curve of one fitted estimator (or Pipeline ending in one).

        Parameters
        ----------
        estimator : fitted skgd estimator or Pipeline
        label : str, default=None
            Legend entry; None names the optimizer and learning rate.
        reference : float, default=None
            Draw ``J - reference`` instead of J.
        title : str, default=None
        ax : matplotlib Axes, default=None
        yscale : str, default='log'
        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : LossCurveDisplay
        """
        return cls.from_estimators(
            {describe(estimator) if label is None else label: estimator},
            reference=reference,
            title=title,
            ax=ax,
            yscale=yscale,
            **kwargs,
        )

    @classmethod
    def from_estimators(
        cls,
        estimators,
        *,
        labels=None,
        reference=None,
        title=None,
        ax=None,
        yscale="log",
        **kwargs,
    ) -> LossCurveDisplay:
        """Plot the loss curves of several fitted estimators on one axes.

        Parameters
        ----------
        estimators : dict of str to estimator, or sequence of estimators
            Fitted skgd estimators (or Pipelines ending in one). A dict's keys
            are the legend entries.
        labels : sequence of str, default=None
            Legend entries for a sequence; None names each estimator's
            optimizer, learning rate and batch size.
        reference : float, default=None
            Draw ``J - reference`` instead of J.
        title : str, default=None
        ax : matplotlib Axes, default=None
        yscale : str, default='log'
        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : LossCurveDisplay
        """
        if isinstance(estimators, Mapping):
            if labels is not None:
                raise ValueError("Give labels either as the dict's keys or as labels=, not both.")
            labels, estimators = list(estimators.keys()), list(estimators.values())
        elif not isinstance(estimators, Sequence):
            raise TypeError(
                "estimators must be a dict {label: estimator} or a list of estimators; "
                f"got {type(estimators).__name__}. For one estimator use from_estimator."
            )
        curves = []
        for est in estimators:
            last, _ = final_step(est)
            check_is_fitted(last, "loss_curve_")
            curves.append(last.loss_curve_)
        if labels is None:
            labels = [describe(est) for est in estimators]
        display = cls(loss_curves=curves, labels=list(labels), reference=reference, title=title)
        return display.plot(ax=ax, yscale=yscale, **kwargs)


_EMPTY = (
    "no epochs were run (n_iter_ = 0), so there is no J per epoch to draw: the fit started "
    "at its optimum (a growth fit with loss='log_squared_error' starts at the closed-form "
    "least-squares answer)"
)


def _say_why_empty(ax, n_empty: int, n_curves: int) -> None:
    """An empty loss curve gets words on the axes and a warning, never a silent blank plot."""
    if n_empty == n_curves:
        what = "The loss curve is empty" if n_curves == 1 else "Every loss curve is empty"
        text = textwrap.fill(f"{what}: {_EMPTY}.", width=48)
        ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center")
        # the axes have no data: their ticks and grid would be made up
        ax.grid(False)
        ax.tick_params(which="both", left=False, bottom=False, labelleft=False, labelbottom=False)
        message = f"{what}: {_EMPTY}."
    else:
        message = f"{n_empty} of {n_curves} loss curves are empty (marked 'no epochs'): {_EMPTY}."
    warnings.warn(message, UserWarning, stacklevel=3)
