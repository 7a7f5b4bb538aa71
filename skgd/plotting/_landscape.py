"""LandscapeDisplay: contours of a 2-D function or of an estimator's J, with paths."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import describe, final_step, get_ax

# Path colours: bright, distinct from each other and drawn with a dark outline.
PATH_COLORS = ("#ff3b30", "#ffffff", "#ff9f0a", "#ff5ad6", "#32d7ff", "#a0ff3a", "#ffd60a")


class LandscapeDisplay:
    """Filled contours of a function of two variables, with optimization paths.

    The colour levels are spaced logarithmically above the smallest value on
    the grid, so both the floor of a valley and its walls show. Build one
    with :meth:`from_function` (a test surface from :mod:`skgd.landscapes`
    or any callable) or :meth:`from_estimator` (the objective J of a fitted
    estimator over two of its parameters); the constructor only stores what
    to draw.

    Parameters
    ----------
    xx, yy : ndarray of shape (n_y, n_x)
        The grid, as from :func:`numpy.meshgrid`.
    zz : ndarray of shape (n_y, n_x)
        The function's values on the grid.
    paths : dict of str to array-like of shape (n_points, 2), default=None
        Optimization paths, by legend label.
    minima : array-like of shape (n_minima, 2), default=None
        Points drawn as stars (known minima, or a fitted optimum).
    saddles : array-like of shape (n_saddles, 2), default=None
        Points drawn as crosses.
    xlabel, ylabel : str, default='x', 'y'
    zlabel : str, default='f'
        The colour bar's label.
    title : str, default=None
    minima_label : str, default='minimum'
        The legend entry of ``minima``.
    path_colors : dict of str to colour, default=None
        Colours of some paths, by label; the others take the default cycle.

    Attributes
    ----------
    contour_ : matplotlib.contour.QuadContourSet
        The contours (filled unless ``plot(filled=False)``).
    lines_ : dict of str to matplotlib.lines.Line2D
        One line per path, by label.
    colorbar_ : matplotlib.colorbar.Colorbar or None
    ax_ : matplotlib.axes.Axes
    figure_ : matplotlib.figure.Figure

    See Also
    --------
    skgd.minimize : Gives paths (``result.path``) on any function.
    skgd.landscapes : Test surfaces with known minima.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skgd import landscapes, minimize
    >>> from skgd.plotting import LandscapeDisplay
    >>> surface = landscapes.rosenbrock()
    >>> paths = {name: minimize(surface, optimizer=name, learning_rate=1e-3, max_iter=300).path
    ...          for name in ["sgd", "momentum"]}
    >>> display = LandscapeDisplay.from_function(surface, paths=paths)
    >>> sorted(display.lines_), display.ax_.get_xlabel()
    (['momentum', 'sgd'], 'x')
    """

    def __init__(
        self,
        *,
        xx,
        yy,
        zz,
        paths=None,
        minima=None,
        saddles=None,
        xlabel="x",
        ylabel="y",
        zlabel="f",
        title=None,
        minima_label="minimum",
        path_colors=None,
    ):
        self.xx = xx
        self.yy = yy
        self.zz = zz
        self.paths = paths
        self.minima = minima
        self.saddles = saddles
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.zlabel = zlabel
        self.title = title
        self.minima_label = minima_label
        self.path_colors = path_colors

    def plot(
        self,
        ax=None,
        *,
        levels=31,
        log_scale: bool = True,
        decades: float = 5.0,
        filled: bool = True,
        cmap="viridis",
        colorbar: bool = True,
        path_kwargs=None,
    ) -> LandscapeDisplay:
        """Draw the contours, the marked points and the paths.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        levels : int or array-like, default=31
            Number of contour levels, or the levels themselves (values of the
            function, drawn on a linear scale).
        log_scale : bool, default=True
            Colour by the excess over the grid's minimum on a log scale, so
            that the floor of a narrow valley shows as well as its walls.
            False: linear levels between the grid's minimum and maximum.
        decades : float, default=5.0
            With ``log_scale``, the range of the colours: from the largest
            excess down to ``10 ** -decades`` times it (smaller excesses get
            the lowest colour).
        filled : bool, default=True
            Filled contours (``contourf``) or lines only.
        cmap : str or Colormap, default='viridis'
        colorbar : bool, default=True
            Draw a colour bar.
        path_kwargs : dict, default=None
            Passed to :meth:`matplotlib.axes.Axes.plot` for every path.

        Returns
        -------
        display : LandscapeDisplay
        """
        from matplotlib import patheffects
        from matplotlib.colors import LogNorm

        fig, ax = get_ax(ax)
        xx, yy = np.asarray(self.xx, dtype=float), np.asarray(self.yy, dtype=float)
        zz = np.asarray(self.zz, dtype=float)
        finite = zz[np.isfinite(zz)]
        low, high = finite.min(), finite.max()
        norm = None
        bar_label = self.zlabel
        if np.isscalar(levels) and log_scale and high > low:
            floor = (high - low) * 10.0 ** (-float(decades))
            shown = np.clip(zz - low, floor, None)
            level_values = np.geomspace(floor, high - low, int(levels))
            norm = LogNorm(vmin=floor, vmax=high - low)
            bar_label = f"{self.zlabel} − {low:.4g}  (its minimum on the grid)"
        elif np.isscalar(levels):
            shown = zz
            level_values = np.linspace(low, high if high > low else low + 1, int(levels))
        else:
            shown, level_values = zz, np.asarray(levels, dtype=float)
        if filled:
            self.contour_ = ax.contourf(xx, yy, shown, levels=level_values, cmap=cmap, norm=norm)
            # thin lines on the band edges make the shape readable in grey print
            ax.contour(xx, yy, shown, levels=level_values, colors="k", linewidths=0.3, alpha=0.3)
        else:
            self.contour_ = ax.contour(
                xx, yy, shown, levels=level_values, cmap=cmap, norm=norm, linewidths=0.8
            )
        self.colorbar_ = None
        if colorbar:
            self.colorbar_ = fig.colorbar(self.contour_, ax=ax)
            self.colorbar_.set_label(bar_label)
            if norm is not None:
                # ticks at whole powers of ten, not at the (arbitrary) level values
                from matplotlib.ticker import LogFormatterSciNotation

                exponents = np.arange(np.ceil(np.log10(norm.vmin)), np.log10(norm.vmax) + 1e-9)
                self.colorbar_.set_ticks(10.0**exponents)
                self.colorbar_.ax.yaxis.set_major_formatter(LogFormatterSciNotation())
                self.colorbar_.ax.minorticks_off()

        self.lines_ = {}
        # A dark outline keeps every path colour visible on light and dark bands.
        options = dict(path_kwargs or {})
        starts = []
        n_paths = len(self.paths or {})
        for k, (label, path) in enumerate((self.paths or {}).items()):
            path = np.asarray(path, dtype=float)
            kw = dict(options)
            # Paths often share a stretch (a valley floor): each is drawn wider
            # than the ones after it, so one drawn over another leaves its edges
            # showing.
            width = 1.6 + 1.2 * (n_paths - 1 - k)
            kw.setdefault("linewidth", width)
            outline = [patheffects.withStroke(linewidth=width + 1.2, foreground="black", alpha=0.5)]
            kw.setdefault("path_effects", outline)
            kw.setdefault(
                "color", (self.path_colors or {}).get(label, PATH_COLORS[k % len(PATH_COLORS)])
            )
            if path.shape[0] <= 100:
                # a dot per iterate shows the step lengths; on long paths the dots
                # would merge into a thick line
                kw.setdefault("marker", ".")
                kw.setdefault("markersize", 4)
            (line,) = ax.plot(path[:, 0], path[:, 1], label=label, **kw)
            self.lines_[label] = line
            # the end point, larger, so a path that stops is seen to stop
            ax.plot(
                *path[-1],
                marker="o",
                markersize=5,
                color=line.get_color(),
                markeredgecolor="black",
                linestyle="none",
            )
            starts.append(path[0])
        if starts:
            same = all(np.allclose(s, starts[0]) for s in starts)
            points = np.array(starts[:1] if same else starts)
            ax.plot(
                *points.T,
                "s",
                color="white",
                markeredgecolor="black",
                markersize=7,
                label="start",
                zorder=5,
            )
        if self.minima is not None and len(self.minima):
            m = np.asarray(self.minima, dtype=float).reshape(-1, 2)
            ax.plot(
                *m.T,
                "*",
                color="gold",
                markeredgecolor="black",
                markersize=15,
                label=self.minima_label,
                zorder=6,
            )
        if self.saddles is not None and len(self.saddles):
            s = np.asarray(self.saddles, dtype=float).reshape(-1, 2)
            ax.plot(
                *s.T,
                "X",
                color="white",
                markeredgecolor="black",
                markersize=9,
                label="saddle",
                zorder=6,
            )
        ax.set_xlim(xx.min(), xx.max())
        ax.set_ylim(yy.min(), yy.max())
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(self.ylabel)
        if self.title is not None:
            ax.set_title(self.title)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small", framealpha=0.9)
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_function(
        cls,
        function,
        *,
        bounds=None,
        grid_resolution: int = 200,
        paths=None,
        vectorized=None,
        minima=None,
        saddles=None,
        xlabel="x",
        ylabel="y",
        zlabel="f(x, y)",
        title=None,
        path_colors=None,
        ax=None,
        **kwargs,
    ) -> LandscapeDisplay:
        """Contours of a function of two variables, with paths.

        Parameters
        ----------
        function : Landscape or callable
            A surface from :mod:`skgd.landscapes` (its bounds, minima, saddles
            and description are used as defaults), or ``f(theta) -> float``
            for ``theta`` of shape (2,).
        bounds : ((x_low, x_high), (y_low, y_high)), default=None
            The drawn region. None: the surface's bounds, or the box around
            the paths; either way widened to show every finite path point.
        grid_resolution : int, default=200
            Grid points per axis.
        paths : dict of str to array-like of shape (n_points, 2) or \
OptimizeResult, default=None
            Paths by legend label; an :func:`skgd.minimize` result gives its
            ``path``.
        vectorized : bool, default=None
            Whether ``function`` accepts a stack of points of shape (..., 2)
            and returns shape (...). None: True for a Landscape, False for
            other callables (which are then called once per grid point).
        minima, saddles : array-like of shape (n, 2), default=None
            Points to mark; None takes a Landscape's own.
        xlabel, ylabel, zlabel, title : str
            None title: a Landscape's name and description.
        path_colors : dict of str to colour, default=None
            Colours of some paths, by label.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot` (``levels``, ``cmap``, ``filled``, ...).

        Returns
        -------
        display : LandscapeDisplay
        """
        from ..landscapes import Landscape

        is_surface = isinstance(function, Landscape)
        if is_surface:
            minima = function.minima if minima is None else minima
            saddles = function.saddles if saddles is None else saddles
            if title is None:
                title = f"{function.name}: {function.description}".rstrip(": ")
            if bounds is None:
                bounds = function.bounds
        paths = _as_paths(paths)
        bounds = _frame(bounds, paths, margin=0.0 if bounds is not None else 0.1)
        xx, yy = _grid(bounds, grid_resolution)
        points = np.stack([xx, yy], axis=-1)
        vectorized = is_surface if vectorized is None else vectorized
        if vectorized:
            zz = np.asarray(function(points), dtype=float).reshape(xx.shape)
        else:
            zz = np.array([float(function(p)) for p in points.reshape(-1, 2)]).reshape(xx.shape)
        display = cls(
            xx=xx,
            yy=yy,
            zz=zz,
            paths=paths,
            minima=minima,
            saddles=saddles,
            xlabel=xlabel,
            ylabel=ylabel,
            zlabel=zlabel,
            title=title,
            path_colors=path_colors,
        )
        return display.plot(ax=ax, **kwargs)

    @classmethod
    def from_minimize_results(cls, function, results, **kwargs) -> LandscapeDisplay:
        """A test surface with :func:`skgd.minimize`'s paths, drawn as the simulator draws them.

        The static twin of ``skgd simulator``'s page: each path has its
        optimizer's colour on the page (:data:`skgd.simulator.OPTIMIZER_COLORS`),
        the contours its grey scale, and the legend says how each run ended,
        as the page's table does.

        Parameters
        ----------
        function : Landscape or callable
            As in :meth:`from_function`.
        results : dict of str to OptimizeResult
            :func:`skgd.minimize` results by optimizer name (``'sgd'``,
            ``'momentum'``, ``'nesterov'``, ``'adagrad'``, ``'rmsprop'``,
            ``'adam'``, ``'nadam'``, ``'lion'``: the page's colours); other
            names take the default colours.
        **kwargs : dict
            Passed to :meth:`from_function` (``bounds``, ``grid_resolution``,
            ``title``, ``ax``, ...) and :meth:`plot` (``cmap`` defaults to the
            page's grey scale).

        Returns
        -------
        display : LandscapeDisplay
            Its ``lines_`` are keyed by the legend labels, such as
            ``'momentum: 44 steps'``.

        See Also
        --------
        skgd.simulator.make_optimizer : The optimizer a page's settings stand for.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from skgd import landscapes, minimize
        >>> from skgd.plotting import LandscapeDisplay
        >>> bowl = landscapes.quadratic(condition=5)
        >>> results = {name: minimize(bowl, optimizer=name, learning_rate=0.1, tol=1e-2)
        ...            for name in ["sgd", "momentum"]}
        >>> display = LandscapeDisplay.from_minimize_results(bowl, results)
        >>> list(display.lines_), display.lines_["momentum: 44 steps"].get_color()
        (['sgd: 36 steps', 'momentum: 44 steps'], '#ff9f0a')
        """
        from matplotlib.colors import LinearSegmentedColormap

        from ..simulator import CONTOUR_RAMP, OPTIMIZER_COLORS

        paths, colors = {}, {}
        for name, result in results.items():
            label = f"{name}: {_ending(result)}"
            paths[label] = result
            if name in OPTIMIZER_COLORS:
                colors[label] = OPTIMIZER_COLORS[name]
        # the page's contours: 24 bands over 6 decades of f - min f, in its grey scale
        kwargs.setdefault("cmap", LinearSegmentedColormap.from_list("skgd_page", CONTOUR_RAMP))
        kwargs.setdefault("levels", 25)
        kwargs.setdefault("decades", 6.0)
        return cls.from_function(function, paths=paths, path_colors=colors, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        params=None,
        sample_weight=None,
        paths="auto",
        bounds=None,
        grid_resolution: int = 80,
        xlabel=None,
        ylabel=None,
        title=None,
        ax=None,
        **kwargs,
    ) -> LandscapeDisplay:
        """Contours of a fitted estimator's objective J over two of its parameters.

        J is the function ``fit`` minimizes (see :func:`skgd.objective`),
        evaluated on ``X, y`` with the two chosen parameters varying and all
        others held at their fitted values; the fitted point is drawn as a
        star. A path that moves the other parameters too (any model with more
        than two) is drawn as its projection on this slice.

        Parameters
        ----------
        estimator : fitted skgd estimator or Pipeline ending in one
            A Pipeline's earlier steps transform ``X`` first.
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        params : pair of int or str, default=None
            The two parameters, as indices into the vector of
            :func:`skgd.objective` or as names: ``'intercept'``,
            ``'coef[j]'``, ``'coef[name]'`` for a feature name, and for
            several outputs ``'coef[k, j]'`` and ``'intercept[k]'``. None:
            ``('intercept', 'coef[0]')`` (for a growth model, log I0 and the
            growth rate r), or the first two coefficients without intercept.
        sample_weight : array-like of shape (n_samples,), default=None
        paths : 'auto', dict or None, default='auto'
            ``'auto'`` draws ``estimator.path_`` when it was fitted with
            ``record_path=True``. A dict maps labels to fitted estimators
            (their ``path_``), :func:`skgd.minimize` results on J, or arrays
            of shape (n_points, n_params) or (n_points, 2).
        bounds : ((low, high), (low, high)), default=None
            None: a box around the fitted point and the paths.
        grid_resolution : int, default=80
            Grid points per axis (J is evaluated ``grid_resolution ** 2``
            times, each a pass over the data).
        xlabel, ylabel, title : str, default=None
            None: the parameters' names.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LandscapeDisplay
        """
        from .._objective import objective

        est, X = final_step(estimator, X)
        check_is_fitted(est)
        obj = objective(est, X, y, sample_weight)
        names = _parameter_names(obj, est)
        if params is None:
            params = ("intercept", "coef[0]") if obj.fit_intercept else (0, 1)
        if len(params) != 2:
            raise ValueError(f"params must name two parameters; got {params!r}.")
        i, j = (_index(p, names) for p in params)
        if i == j:
            raise ValueError(f"params must be two different parameters; got {params!r}.")
        center = obj.params_of(est)
        if paths == "auto":
            paths = {describe(est): est.path_} if hasattr(est, "path_") else None
        flat = {}
        for label, path in (paths or {}).items():
            flat[label] = _project(path, obj, i, j)
        if bounds is None:
            bounds = _frame(_box(center[[i, j]]), flat, margin=0.15)
        xx, yy = _grid(bounds, grid_resolution)
        theta = center.copy()
        zz = np.empty(xx.shape)
        for (r, c), (a, b) in zip(np.ndindex(xx.shape), zip(xx.ravel(), yy.ravel())):
            theta[i], theta[j] = a, b
            zz[r, c] = obj.value(theta)
        labels = _pretty(est, names)
        display = cls(
            xx=xx,
            yy=yy,
            zz=zz,
            paths=flat,
            minima=center[[i, j]],
            xlabel=labels[i] if xlabel is None else xlabel,
            ylabel=labels[j] if ylabel is None else ylabel,
            zlabel="objective J",
            title=(f"Objective J of {type(est).__name__}" if title is None else title),
            minima_label="fitted",
        )
        return display.plot(ax=ax, **kwargs)


def _ending(result) -> str:
    """How a minimize run ended, in the simulator's words."""
    if result.status == 0:
        return f"{result.nit} steps"
    if result.status == 2:
        return f"diverged at step {result.nit + 1}"
    return f"{result.nit} steps, not converged"


def _grid(bounds, resolution):
    resolution = int(resolution)
    if resolution < 2:
        raise ValueError(f"grid_resolution must be >= 2; got {resolution}.")
    (x_lo, x_hi), (y_lo, y_hi) = bounds
    return np.meshgrid(np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution))


def _as_paths(paths) -> dict:
    if paths is None:
        return {}
    if not isinstance(paths, Mapping):
        raise TypeError(f"paths must be a dict {{label: path}}; got {type(paths).__name__}.")
    out = {}
    for label, path in paths.items():
        path = getattr(path, "path", path)  # an OptimizeResult from skgd.minimize
        path = np.asarray(path, dtype=float)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(f"path {label!r} must have shape (n_points, 2); got {path.shape}.")
        out[label] = path
    return out


def _frame(bounds, paths, margin):
    """Bounds widened to hold every finite path point (plus a margin if computed)."""
    if bounds is None and not paths:
        raise ValueError("Give bounds=((x_low, x_high), (y_low, y_high)) or some paths.")
    boxes = [] if bounds is None else [np.asarray(bounds, dtype=float).T]
    for path in paths.values():
        finite = path[np.all(np.isfinite(path), axis=1)]
        if len(finite):
            boxes.append(np.array([finite.min(axis=0), finite.max(axis=0)]))
    stacked = np.vstack(boxes)
    low, high = stacked.min(axis=0), stacked.max(axis=0)
    pad = margin * (high - low)
    pad = np.where(pad > 0, pad, 1.0 if margin else 0.0)
    return tuple(zip(low - pad, high + pad))


def _box(point):
    """A default box around a fitted point, about its own size."""
    half = np.maximum(0.5 * np.abs(point), 1.0)
    return tuple(zip(point - half, point + half))


def _parameter_names(obj, est) -> list[str]:
    d, k = obj.n_features, obj.n_outputs
    if k == 1:
        names = [f"coef[{f}]" for f in range(d)]
    else:  # feature-major, as in skgd.objective
        names = [f"coef[{c}, {f}]" for f in range(d) for c in range(k)]
    if obj.fit_intercept:
        names += ["intercept"] if k == 1 else [f"intercept[{c}]" for c in range(k)]
    return names


def _index(param, names) -> int:
    if isinstance(param, (int, np.integer)):
        if not -len(names) <= param < len(names):
            raise ValueError(f"Parameter index {param} out of range for {len(names)} parameters.")
        return int(param) % len(names)
    if param in names:
        return names.index(param)
    raise ValueError(f"Unknown parameter {param!r}; choose from {names} or their indices.")


def _pretty(est, names) -> list[str]:
    """Axis labels: the growth model's parameters by their meaning, features by name."""
    labels = list(names)
    feature_names = getattr(est, "feature_names_in_", None)
    if feature_names is not None and getattr(est, "coef_", np.zeros(1)).ndim == 1:
        for f, name in enumerate(feature_names):
            labels[f] = f"coef of {name}"
    if getattr(est, "_family", "") == "growth":
        labels[0] = "growth rate r  (coef[0])"
        if "intercept" in labels[-1]:
            labels[-1] = "log I0  (intercept)"
    return labels


def _project(path, obj, i, j) -> np.ndarray:
    """A path of all parameters (or of the two drawn) as an (n_points, 2) array."""
    path = getattr(path, "path_", path)  # a fitted estimator
    path = getattr(path, "path", path)  # an OptimizeResult
    path = np.asarray(path, dtype=float)
    if path.ndim != 2:
        raise ValueError(f"A path must be two-dimensional; got shape {path.shape}.")
    if path.shape[1] == 2 and obj.n_params != 2:
        return path
    n_full = obj.n_features * obj.n_outputs + obj.n_outputs
    if path.shape[1] not in (obj.n_params, n_full):
        # path_ always carries the intercepts; without fit_intercept they are 0 and dropped
        raise ValueError(f"A path has {path.shape[1]} columns; J has {obj.n_params} parameters.")
    return path[:, [i, j]]
