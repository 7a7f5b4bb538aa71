"""Pictures of an epidemic's growth: r(t) with its band, and the peak between two phases."""

from __future__ import annotations

import numpy as np

from ..linear_model._growth_stats import LN2, describe_doubling_set, fmt
from ._base import get_ax

#: Doubling times offered as ticks of the right-hand axis (in the time unit).
_DOUBLING_TICKS = (0.25, 0.5, 1, 2, 3, 5, 7, 10, 14, 21, 30, 60, 120, 365)


class GrowthRateDisplay:
    """The growth rate r over time with its confidence band, and its doubling times.

    The left axis is r per time unit; the right axis reads the same heights
    as doubling times ``ln 2 / r``, with ``inf`` at ``r = 0`` and negative
    values (minus the halving time) below it. Where the band crosses 0 it
    crosses ``inf`` on the right axis: the doubling times are then the two
    rays outside the band's ends, not an interval.

    Build one with :meth:`from_rates` (a table of :func:`skgd.growth_rates`)
    or :meth:`from_data`; the constructor only stores what to draw.

    Parameters
    ----------
    times : array-like of shape (n_windows,)
        Where each rate is drawn (numbers or dates): by default, in
        :meth:`from_rates`, the middle of its window.
    growth_rate, lower, upper : array-like of shape (n_windows,)
        The rates and their interval; NaN leaves a gap.
    level : float, default=0.95
        Confidence level of the band (for the legend).
    time_unit : str, default='day'
    window : float, default=None
        The window length, for the legend.
    at : str, default='middle'
        Where in its window each rate is drawn (``'middle'`` or ``'end'``),
        for the legend.
    peak_time : float or datetime, default=None
        If given, a vertical line marks it (e.g. ``growth_peak(...).peak_time``).
    title : str, default=None

    Attributes
    ----------
    line_ : matplotlib.lines.Line2D
    band_ : matplotlib.collections.PolyCollection
    doubling_axis_ : matplotlib.axes.Axes
        The right-hand axis of doubling times.
    ax_ : matplotlib.axes.Axes
    figure_ : matplotlib.figure.Figure

    See Also
    --------
    skgd.growth_rates : The table this draws.
    GrowthPeakDisplay : The counts with a growth and a decline phase.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skgd.datasets import load_boarding_school_flu
    >>> from skgd.plotting import GrowthRateDisplay
    >>> flu = load_boarding_school_flu(dated=True, as_frame=True).frame
    >>> display = GrowthRateDisplay.from_data(flu["date"], flu["in_bed"], window=7)
    >>> display.ax_.get_ylabel()
    'growth rate r per day'
    >>> display.line_.get_label()
    "r over windows of 7 days (at each window's middle)"
    >>> "\u221e" in [t.get_text() for t in display.doubling_axis_.get_yticklabels()]
    True
    """

    def __init__(
        self,
        *,
        times,
        growth_rate,
        lower,
        upper,
        level=0.95,
        time_unit="day",
        window=None,
        at="middle",
        peak_time=None,
        title=None,
    ):
        self.times = times
        self.growth_rate = growth_rate
        self.lower = lower
        self.upper = upper
        self.level = level
        self.time_unit = time_unit
        self.window = window
        self.at = at
        self.peak_time = peak_time
        self.title = title

    def plot(self, ax=None, *, doubling_axis: bool = True, **kwargs) -> GrowthRateDisplay:
        """Draw r(t), its band, the zero line and (optionally) the doubling-time axis.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        doubling_axis : bool, default=True
            Label the right-hand axis with doubling times.
        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot` for the rate's line.

        Returns
        -------
        display : GrowthRateDisplay
        """
        fig, ax = get_ax(ax)
        x = _as_x(self.times)
        r = np.asarray(self.growth_rate, dtype=np.float64)
        lo = np.asarray(self.lower, dtype=np.float64)
        hi = np.asarray(self.upper, dtype=np.float64)
        if not (x.shape[0] == r.shape[0] == lo.shape[0] == hi.shape[0]):
            raise ValueError(
                f"times, growth_rate, lower and upper have lengths {x.shape[0]}, "
                f"{r.shape[0]}, {lo.shape[0]}, {hi.shape[0]}; they must be equal."
            )
        pct = f"{100 * self.level:g}%"
        what = (
            "r" if self.window is None else f"r over windows of {self.window:g} {self.time_unit}s"
        )
        kwargs.setdefault("color", "C0")
        kwargs.setdefault("marker", "o")
        kwargs.setdefault("markersize", 3)
        (self.line_,) = ax.plot(x, r, label=f"{what} (at each window's {self.at})", **kwargs)
        self.band_ = ax.fill_between(
            x,
            lo,
            hi,
            color=kwargs["color"],
            alpha=0.2,
            linewidth=0,
            label=f"{pct} confidence band",
        )
        ax.axhline(0.0, color="0.3", linewidth=0.8)
        if self.peak_time is not None:
            ax.axvline(
                _as_x([self.peak_time])[0],
                color="C3",
                linestyle="--",
                linewidth=1,
                label=f"peak ({_label(self.peak_time)})",
            )
        ax.set_ylabel(f"growth rate r per {self.time_unit}")
        ax.set_xlabel(f"window {self.at}")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize="small")
        if self.title is not None:
            ax.set_title(self.title)
        self.doubling_axis_ = _doubling_axis(ax, self.time_unit) if doubling_axis else None
        _date_ticks(ax, x)
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_rates(
        cls,
        rates,
        *,
        at="middle",
        peak_time=None,
        title=None,
        ax=None,
        doubling_axis=True,
        **kwargs,
    ) -> GrowthRateDisplay:
        """Plot a table of :func:`skgd.growth_rates`.

        Parameters
        ----------
        rates : pandas.DataFrame
            The output of :func:`skgd.growth_rates` (its ``attrs`` give the
            level, the window and the time unit).
        at : {'middle', 'end'}, default='middle'
            Draw each rate at the middle of its window (halfway between its
            first and last time: where the rate describes the curve, so that
            r crosses 0 near the peak) or at its end (the convention of
            real-time estimates such as EpiEstim's, which lag the curve by
            half a window).
        peak_time : float or datetime, default=None
            Mark the peak, e.g. ``growth_peak(...).peak_time``.
        title : str, default=None
        ax : matplotlib Axes, default=None
        doubling_axis : bool, default=True
        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : GrowthRateDisplay
        """
        missing = {"window_end", "growth_rate", "growth_rate_lower", "growth_rate_upper"}
        missing -= set(getattr(rates, "columns", ()))
        if missing:
            raise ValueError(
                f"rates must be a table of skgd.growth_rates; it lacks {sorted(missing)}."
            )
        if at not in ("middle", "end"):
            raise ValueError(f"at must be 'middle' or 'end'; got {at!r}.")
        end = rates["window_end"]
        times = end if at == "end" else rates["window_start"] + (end - rates["window_start"]) / 2
        display = cls(
            times=times.to_numpy(),
            growth_rate=rates["growth_rate"].to_numpy(),
            lower=rates["growth_rate_lower"].to_numpy(),
            upper=rates["growth_rate_upper"].to_numpy(),
            level=rates.attrs.get("level", 0.95),
            time_unit=rates.attrs.get("time_unit", "day"),
            window=rates.attrs.get("window"),
            at=at,
            peak_time=peak_time,
            title=title,
        )
        return display.plot(ax=ax, doubling_axis=doubling_axis, **kwargs)

    @classmethod
    def from_data(
        cls,
        times,
        counts,
        *,
        window=7,
        level=0.95,
        dispersion="auto",
        at="middle",
        peak_time=None,
        title=None,
        ax=None,
        doubling_axis=True,
        **kwargs,
    ) -> GrowthRateDisplay:
        """Compute :func:`skgd.growth_rates` and plot it.

        Parameters
        ----------
        times, counts : array-like of shape (n_times,)
            As in :func:`skgd.growth_rates`.
        window : float or timedelta, default=7
        level : float, default=0.95
        dispersion : {'auto', 'pearson'} or float, default='auto'
        at : {'middle', 'end'}, default='middle'
            Where in its window each rate is drawn (see :meth:`from_rates`).
        peak_time : float or datetime, default=None
        title : str, default=None
        ax : matplotlib Axes, default=None
        doubling_axis : bool, default=True
        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : GrowthRateDisplay
        """
        from .._growth_rates import growth_rates

        rates = growth_rates(times, counts, window, level=level, dispersion=dispersion)
        return cls.from_rates(
            rates,
            at=at,
            peak_time=peak_time,
            title=title,
            ax=ax,
            doubling_axis=doubling_axis,
            **kwargs,
        )


class GrowthPeakDisplay:
    """Counts on a log scale with the fitted growth and decline phases and the peak.

    Build one with :meth:`from_peak` (a result of :func:`skgd.growth_peak`)
    or :meth:`from_data`. The legend gives each phase's rate and its
    doubling (or halving) times with their interval, two rays included.

    Parameters
    ----------
    peak : GrowthPeak
        The result of :func:`skgd.growth_peak`.
    count_label : str, default='count'
    title : str, default=None

    Attributes
    ----------
    points_ : matplotlib.collections.PathCollection
    lines_ : dict of str to matplotlib.lines.Line2D
        ``'growth'`` and ``'decline'``: the fitted curves.
    ax_ : matplotlib.axes.Axes
    figure_ : matplotlib.figure.Figure

    See Also
    --------
    skgd.growth_peak : The split fit drawn here.
    GrowthRateDisplay : r(t) over sliding windows.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skgd.datasets import load_boarding_school_flu
    >>> from skgd.plotting import GrowthPeakDisplay
    >>> flu = load_boarding_school_flu(dated=True, as_frame=True).frame
    >>> display = GrowthPeakDisplay.from_data(flu["date"], flu["in_bed"], count_label="in bed")
    >>> sorted(display.lines_), display.ax_.get_yscale()
    (['decline', 'growth'], 'log')
    """

    def __init__(self, *, peak, count_label="count", title=None):
        self.peak = peak
        self.count_label = count_label
        self.title = title

    def plot(self, ax=None) -> GrowthPeakDisplay:
        """Draw the counts, the two fitted phases and the peak.

        Parameters
        ----------
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : GrowthPeakDisplay
        """
        fig, ax = get_ax(ax)
        peak = self.peak
        x, y = _as_x(peak.times), np.asarray(peak.counts, dtype=np.float64)
        self.points_ = ax.scatter(x, y, color="0.25", s=18, zorder=3, label=self.count_label)
        pct = f"{100 * peak.level:g}%"
        self.lines_ = {}
        for name, color in (("growth", "C0"), ("decline", "C1")):
            row, model = peak.table.loc[name], getattr(peak, name)
            grid = _grid(row["start"], row["end"])
            doubling = describe_doubling_set(
                row["doubling_time_lower"],
                row["doubling_time_upper"],
                row["two_rays"],
                peak.time_unit,
            )
            label = (
                f"{name}: r = {fmt(row['growth_rate'])}/{peak.time_unit} "
                f"[{fmt(row['growth_rate_lower'])}, {fmt(row['growth_rate_upper'])}]\n"
                f"  doubling time {pct}: {doubling}"
            )
            (self.lines_[name],) = ax.plot(
                _as_x(grid), model.predict(_as_input(grid)), color=color, linewidth=2, label=label
            )
        ax.axvline(
            _as_x([peak.peak_time])[0],
            color="C3",
            linestyle="--",
            linewidth=1,
            label=f"peak: {_label(peak.peak_time)} ({peak.peak_count:g})",
        )
        if np.all(y > 0):
            ax.set_yscale("log")
        ax.set_ylabel(self.count_label)
        ax.set_xlabel("date" if peak.time_unit == "day" else "time")
        ax.grid(True, alpha=0.3)
        # the counts leave the bottom middle free on a rise and fall
        ax.legend(loc="lower center", fontsize="small")
        if self.title is not None:
            ax.set_title(self.title)
        _date_ticks(ax, x)
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_peak(cls, peak, *, count_label="count", title=None, ax=None) -> GrowthPeakDisplay:
        """Plot a result of :func:`skgd.growth_peak`.

        Parameters
        ----------
        peak : GrowthPeak
        count_label : str, default='count'
        title : str, default=None
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : GrowthPeakDisplay
        """
        return cls(peak=peak, count_label=count_label, title=title).plot(ax=ax)

    @classmethod
    def from_data(
        cls, times, counts, *, level=0.95, count_label="count", title=None, ax=None
    ) -> GrowthPeakDisplay:
        """Run :func:`skgd.growth_peak` and plot it.

        Parameters
        ----------
        times, counts : array-like of shape (n_times,)
            As in :func:`skgd.growth_peak`.
        level : float, default=0.95
        count_label : str, default='count'
        title : str, default=None
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : GrowthPeakDisplay
        """
        from .._growth_peak import growth_peak

        peak = growth_peak(times, counts, level=level)
        return cls.from_peak(peak, count_label=count_label, title=title, ax=ax)


def _as_x(values) -> np.ndarray:
    """Values matplotlib can place: numbers as float, dates as datetime64 (no time zone)."""
    import pandas as pd

    values = pd.Series(list(values)) if not hasattr(values, "dtype") else pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        if values.dt.tz is not None:
            values = values.dt.tz_localize(None)
        return values.to_numpy(dtype="datetime64[ns]")
    return values.to_numpy(dtype=np.float64)


def _date_ticks(ax, x) -> None:
    """Dates on the x axis without rotated labels (concise: '27', 'Feb', '1978')."""
    if np.issubdtype(x.dtype, np.datetime64):
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _as_input(grid):
    """A grid as the phase models take it: a 1-d Series of dates, or a column of numbers."""
    import pandas as pd

    if isinstance(grid, pd.DatetimeIndex):
        return pd.Series(grid)
    return np.asarray(grid, dtype=np.float64).reshape(-1, 1)


def _grid(start, end, n: int = 100):
    import pandas as pd

    if isinstance(start, pd.Timestamp):
        return pd.date_range(start, end, periods=n)
    return np.linspace(float(start), float(end), n)


def _label(value) -> str:
    import pandas as pd

    if isinstance(value, (pd.Timestamp, np.datetime64)):
        stamp = pd.Timestamp(value)
        return str(stamp.date()) if stamp == stamp.normalize() else str(stamp)
    return f"{value:g}"


def _doubling_axis(ax, unit: str):
    """A right-hand axis at the same heights as r, labelled with doubling times ln2 / r.

    ``ln2 / r`` is not monotonic through 0, so a transformed secondary axis
    cannot show it; an identity secondary axis with fixed ticks at
    ``r = ln2 / d`` can, and stays aligned when the view changes.
    """
    from matplotlib.ticker import FixedFormatter, FixedLocator

    low, high = ax.get_ylim()
    span = high - low
    positions, labels = [0.0], ["\u221e"]
    for d in sorted(_DOUBLING_TICKS):
        for sign in (1, -1):
            r = sign * LN2 / d
            if low <= r <= high and all(abs(r - p) > span / 14 for p in positions):
                positions.append(r)
                labels.append(f"{sign * d:g}")
    order = np.argsort(positions)
    secondary = ax.secondary_yaxis("right", functions=(lambda v: v, lambda v: v))
    secondary.yaxis.set_major_locator(FixedLocator(np.asarray(positions)[order]))
    secondary.yaxis.set_major_formatter(FixedFormatter([labels[i] for i in order]))
    secondary.yaxis.set_minor_locator(FixedLocator([]))
    secondary.set_ylabel(f"doubling time ({unit}s; negative: halving)")
    return secondary
