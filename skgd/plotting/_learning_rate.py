"""LearningRateDisplay: the learning-rate dilemma in one picture."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import clone

from ..exceptions import ConvergenceWarning, DivergenceError
from ._base import as_curve, get_ax


class LearningRateDisplay:
    """One model trained with several learning rates: J against the epoch.

    Too small a rate creeps, a good one converges, too large a one
    oscillates or diverges. A run that diverged is drawn up to its last
    finite epoch and ends in a cross. Every curve starts at epoch 0, J at the
    common starting point, so the first steps are comparable.

    Build one with :meth:`from_estimator`; the constructor only stores what
    to draw.

    Parameters
    ----------
    learning_rates : sequence of float
    loss_curves : sequence of array-like
        For each rate, J at epoch 0, 1, 2, ... (for a run that diverged, up to
        the last finite epoch).
    diverged_at : sequence of int or None, default=None
        For each rate, the epoch in which training diverged, or None.
    stopped : sequence of bool, default=None
        For each rate, whether the run converged: the stopping rule certified
        its optimum before ``max_iter`` (shown in the legend).
    title : str, default=None

    Attributes
    ----------
    lines_ : list of matplotlib.lines.Line2D
        One line per learning rate.
    divergence_markers_ : list of matplotlib.lines.Line2D
        One cross per run that diverged.
    ax_ : matplotlib.axes.Axes
    figure_ : matplotlib.figure.Figure

    See Also
    --------
    LossCurveDisplay : Loss curves of estimators fitted already.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgd import GDRegressor
    >>> from skgd.plotting import LearningRateDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> display = LearningRateDisplay.from_estimator(
    ...     GDRegressor(optimizer="sgd", max_iter=100), X, y,
    ...     learning_rates=[0.01, 0.5, 3.0])
    >>> [epoch is not None for epoch in display.diverged_at]
    [False, False, True]
    >>> len(display.lines_), len(display.divergence_markers_)
    (3, 1)
    """

    def __init__(self, *, learning_rates, loss_curves, diverged_at=None, stopped=None, title=None):
        self.learning_rates = learning_rates
        self.loss_curves = loss_curves
        self.diverged_at = diverged_at
        self.stopped = stopped
        self.title = title

    def _label(self, i: int, curve: np.ndarray) -> str:
        rate = f"η = {self.learning_rates[i]:g}"
        if self.diverged_at is not None and self.diverged_at[i] is not None:
            return f"{rate}: diverged in epoch {self.diverged_at[i]}"
        epochs = curve.shape[0] - 1
        if self.stopped is not None and self.stopped[i]:
            return f"{rate}: converged in {epochs} epochs"
        if epochs > 0 and curve[-1] >= curve[0]:
            return f"{rate}: J grew over {epochs} epochs"
        return f"{rate}: still decreasing after {epochs} epochs"

    def plot(self, ax=None, **kwargs) -> LearningRateDisplay:
        """Draw the curves on a log scale, with a cross where a run diverged.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot` for every curve.

        Returns
        -------
        display : LearningRateDisplay
        """
        fig, ax = get_ax(ax)
        self.lines_, self.divergence_markers_ = [], []
        # Blown-up runs reach 1e10 times the start; the interesting part of the
        # picture is near the start and below, so they leave through the top.
        starts = [as_curve(c)[0] for c in self.loss_curves if len(c)]
        top = 30.0 * max(starts) if starts else np.inf
        for i, values in enumerate(self.loss_curves):
            curve = as_curve(values)
            shown = np.where(curve > 0, curve, np.nan)  # log axis
            (line,) = ax.plot(
                np.arange(curve.shape[0]), shown, label=self._label(i, curve), **kwargs
            )
            self.lines_.append(line)
            if self.diverged_at is not None and self.diverged_at[i] is not None:
                # The diverging epoch has no finite J: mark the last one that had
                # one, at the top edge if it is above it.
                (cross,) = ax.plot(
                    curve.shape[0] - 1,
                    min(shown[-1], top),
                    clip_on=False,
                    marker="X",
                    markersize=11,
                    markeredgecolor="black",
                    color=line.get_color(),
                    linestyle="none",
                )
                self.divergence_markers_.append(cross)
        ax.set_yscale("log")
        if np.isfinite(top) and top > 0:
            ax.set_ylim(top=top)
        ax.set_xlabel("epoch")
        ax.set_ylabel("objective J")
        ax.set_title(self.title if self.title is not None else "Effect of the learning rate")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(
            title="X: training diverged" if self.divergence_markers_ else None,
            fontsize="small",
        )
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        learning_rates,
        sample_weight=None,
        title=None,
        ax=None,
        **kwargs,
    ) -> LearningRateDisplay:
        """Fit a clone of ``estimator`` once per learning rate and plot the curves.

        A fit that raises :class:`~skgd.exceptions.DivergenceError` in epoch
        ``k`` is refitted for ``k - 1`` epochs to draw its curve up to the
        divergence (with the same ``random_state``, the same run; with a
        schedule whose length depends on ``max_iter``, such as cosine, the
        refit only approximates it). ``ConvergenceWarning`` is silenced: the
        legend says which runs converged.

        Parameters
        ----------
        estimator : skgd estimator or Pipeline ending in one
            Unfitted is fine: clones are fitted. A Pipeline's first steps are
            fitted once and its last step is trained with each rate.
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        learning_rates : sequence of float
        sample_weight : array-like of shape (n_samples,), default=None
        title : str, default=None
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : LearningRateDisplay
        """
        from .._objective import objective

        if hasattr(estimator, "steps"):
            X = clone(estimator[:-1]).fit_transform(X, y)
            estimator = estimator[-1]
        obj = objective(estimator, X, y, sample_weight)
        start = obj.value(obj.x0)
        curves, diverged_at, stopped = [], [], []
        for rate in learning_rates:
            model = clone(estimator).set_params(learning_rate=rate)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                try:
                    model.fit(X, y, sample_weight=sample_weight)
                    curves.append([start, *model.loss_curve_])
                    diverged_at.append(None)
                    stopped.append(bool(model.converged_))
                except DivergenceError as err:
                    done = err.epoch - 1
                    curve = [start]
                    if done > 0:
                        model.set_params(max_iter=done, tol=None)
                        curve += model.fit(X, y, sample_weight=sample_weight).loss_curve_
                    curves.append(curve)
                    diverged_at.append(err.epoch)
                    stopped.append(False)
        display = cls(
            learning_rates=list(learning_rates),
            loss_curves=curves,
            diverged_at=diverged_at,
            stopped=stopped,
            title=title,
        )
        return display.plot(ax=ax, **kwargs)
