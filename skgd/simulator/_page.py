"""Writing the simulator page: the surfaces' contours, the settings, the inlined code."""

from __future__ import annotations

import base64
import difflib
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np

#: The optimizers on the page, in the order of its table, with their path colours.
#: Saturated colours, so that they stand out on the grey contours (and can be
#: found in a screenshot); ``LandscapeDisplay.from_minimize_results`` uses them too.
OPTIMIZER_COLORS = {
    "sgd": "#ff3b30",
    "momentum": "#ff9f0a",
    "nesterov": "#ffd60a",
    "adagrad": "#30d158",
    "rmsprop": "#32d7ff",
    "adam": "#ff2dd4",
    "nadam": "#bf5af2",
    "lion": "#a0ff3a",
}

#: The contour colours, from the lowest value to the highest (grey-blue, unsaturated).
CONTOUR_RAMP = ("#1d2733", "#34414f", "#56657a", "#8190a3", "#b4bfcc", "#e6ebf0")

#: The quadratic's condition numbers on the page's slider (a contour grid for each).
CONDITIONS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0, 300.0, 1000.0)

#: The tolerances the page offers; 1e-6 is :func:`skgd.minimize`'s default.
TOLERANCES = (1e-1, 3e-2, 1e-2, 1e-3, 1e-4, 1e-6, 1e-8)

#: What the page opens on. Momentum 0.9 at learning rate 0.1 on the condition-5
#: bowl reaches tol=1e-2 in 44 steps (and minimize's default 1e-6 in 239): see
#: the user guide, "The simulator".
DEFAULTS = {
    "surface": "quadratic",
    "condition": 5.0,
    "learning_rate": 0.1,
    "momentum": 0.9,
    "beta1": 0.9,
    "beta2": 0.999,
    "rho": 0.9,
    "lion_beta2": 0.99,
    "tol": 1e-2,
    "max_iter": 1000,
    "optimizers": ("sgd", "momentum", "nesterov", "rmsprop", "adam"),
}

_LABELS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
    "nadam": "NAdam",
    "lion": "Lion",
}

# The learning rate the page sets when a surface is chosen: the headline's 0.1
# on the bowl and the saddle, elsewhere the surface's own stable rate.
_PAGE_RATES = {"quadratic": 0.1, "saddle": 0.1}

#: The tolerance each surface opens with. 1e-2 only on the bowl, where it is
#: the headline's "about 50 steps"; elsewhere the gradient at the start is so
#: large that 1e-2 of it is reached far from the minimum (SGD "converged" in
#: 2 steps at f = 4.1 on Rosenbrock), so those open at minimize's 1e-6.
_PAGE_TOLS = {"quadratic": DEFAULTS["tol"]}


def make_surface(name: str, *, condition: float = DEFAULTS["condition"]):
    """The test surface the page shows under ``name``.

    Parameters
    ----------
    name : {'quadratic', 'rosenbrock', 'himmelblau', 'beale', 'saddle'}
    condition : float, default=5.0
        The quadratic's condition number (ignored for the other surfaces).

    Returns
    -------
    skgd.landscapes.Landscape

    Examples
    --------
    >>> from skgd.simulator import make_surface
    >>> make_surface("quadratic", condition=10).value([0.0, 1.0])
    5.0
    """
    from ..landscapes import LANDSCAPES

    name = _pick("surface", name, LANDSCAPES)
    if name == "quadratic":
        return LANDSCAPES["quadratic"](condition=condition)
    return LANDSCAPES[name]()


def _pick(kind: str, name, names) -> str:
    """``name`` in lower case if it is one of ``names``, else a ValueError with a hint."""
    key = name.lower() if isinstance(name, str) else name
    if key in names:
        return key
    hint = difflib.get_close_matches(str(key), names, n=1)
    extra = f"; did you mean {hint[0]!r}?" if hint else "."
    raise ValueError(f"unknown {kind} {name!r}{extra} Choose from {', '.join(names)}.")


def make_optimizer(
    name: str,
    *,
    momentum: float = DEFAULTS["momentum"],
    beta1: float = DEFAULTS["beta1"],
    beta2: float = DEFAULTS["beta2"],
    rho: float = DEFAULTS["rho"],
    lion_beta2: float = DEFAULTS["lion_beta2"],
):
    """The optimizer object that makes :func:`skgd.minimize` take the page's steps.

    The page's sliders set ``momentum`` (momentum and Nesterov), ``beta1``
    (Adam, NAdam and Lion), ``beta2`` (Adam and NAdam), ``rho`` (RMSProp)
    and ``lion_beta2``; every other hyperparameter keeps skgd's default.

    Parameters
    ----------
    name : {'sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'nadam', 'lion'}
    momentum : float, default=0.9
        In [0, 1). Nesterov with momentum 0 is plain SGD.
    beta1 : float, default=0.9
    beta2 : float, default=0.999
    rho : float, default=0.9
    lion_beta2 : float, default=0.99

    Returns
    -------
    skgd.optimizers.Optimizer

    Examples
    --------
    >>> from skgd.simulator import make_optimizer
    >>> make_optimizer("nesterov", momentum=0.8)
    SGD(momentum=0.8, nesterov=True)
    >>> make_optimizer("adam", beta2=0.99)
    Adam(beta2=0.99)
    """
    from .. import optimizers

    factories = {
        "sgd": lambda: optimizers.SGD(),
        "momentum": lambda: optimizers.SGD(momentum=momentum),
        "nesterov": lambda: optimizers.SGD(momentum=momentum, nesterov=momentum > 0),
        "adagrad": lambda: optimizers.AdaGrad(),
        "rmsprop": lambda: optimizers.RMSProp(rho=rho),
        "adam": lambda: optimizers.Adam(beta1=beta1, beta2=beta2),
        "nadam": lambda: optimizers.NAdam(beta1=beta1, beta2=beta2),
        "lion": lambda: _lion(optimizers, beta1, lion_beta2),
    }
    return factories[_pick("optimizer", name, list(factories))]()


def _lion(optimizers, beta1, beta2):
    if not hasattr(optimizers, "Lion"):
        raise ValueError("skgd.optimizers has no Lion yet; the page's Lion runs in the page only.")
    return optimizers.Lion(beta1=beta1, beta2=beta2)


def _contour_grid(surface, resolution: int, decades: float = 6.0) -> str:
    """The surface's log-excess on a grid, scaled to 0..65535, as base64 of little-endian
    uint16 (row 0 = lowest y). 8 bits are too few: bands would follow the grid's cells."""
    (x_lo, x_hi), (y_lo, y_hi) = surface.bounds
    xx, yy = np.meshgrid(np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution))
    zz = surface.value(np.stack([xx, yy], axis=-1))
    excess = zz - zz.min()
    top = float(excess.max())
    floor = top * 10.0 ** (-decades)
    level = (np.log10(np.clip(excess, floor, None)) - math.log10(floor)) / decades
    grid = np.round(np.clip(level, 0.0, 1.0) * 65535).astype("<u2")
    return base64.b64encode(grid.tobytes()).decode("ascii")


def _surface_data(name: str, conditions, resolution: int) -> dict:
    if name == "quadratic":
        surfaces = [make_surface(name, condition=c) for c in conditions]
    else:
        surfaces = [make_surface(name)]
    first = surfaces[0]
    return {
        "name": name,
        "descriptions": [s.description.split(",")[0] for s in surfaces],
        "bounds": [list(b) for b in first.bounds],
        "start": first.start.tolist(),
        "minima": first.minima.tolist(),
        "saddles": first.saddles.tolist(),
        "minValue": first.min_value,
        "learningRate": _PAGE_RATES.get(name, first.learning_rate),
        "tol": _PAGE_TOLS.get(name, 1e-6),
        "grids": [_contour_grid(s, resolution) for s in surfaces],
    }


def _check_settings(surface: str, condition: float) -> tuple[str, list[float]]:
    from ..landscapes import LANDSCAPES, quadratic

    surface = _pick("surface", surface, LANDSCAPES)
    quadratic(condition=condition)  # a ValueError unless condition >= 1
    conditions = sorted({*CONDITIONS, float(condition)})
    return surface, conditions


def build_page(
    *,
    surface: str = DEFAULTS["surface"],
    condition: float = DEFAULTS["condition"],
    grid_resolution: int = 80,
) -> str:
    """The simulator as one HTML document (inline JavaScript and CSS, no network).

    Parameters
    ----------
    surface : {'quadratic', 'rosenbrock', 'himmelblau', 'beale', 'saddle'}, \
default='quadratic'
        The surface the page opens on (every surface can be picked on it).
    condition : float, default=5.0
        The quadratic's condition number the page opens on, >= 1; added to
        the slider's values (:data:`CONDITIONS`) if it is not one of them.
    grid_resolution : int, default=80
        Contour grid points per axis, >= 8.

    Returns
    -------
    str

    See Also
    --------
    write_page : Writes it to a file.

    Examples
    --------
    >>> from skgd.simulator import build_page
    >>> html = build_page(surface="saddle")
    >>> html.startswith("<!DOCTYPE html>"), "http" in html.split("<script")[0]
    (True, False)
    """
    surface, conditions = _check_settings(surface, condition)
    if int(grid_resolution) != grid_resolution or grid_resolution < 8:
        raise ValueError(f"grid_resolution must be an integer >= 8; got {grid_resolution!r}.")
    from ..landscapes import LANDSCAPES

    surfaces = {name: _surface_data(name, conditions, int(grid_resolution)) for name in LANDSCAPES}
    opening = dict(DEFAULTS, surface=surface, condition=float(condition))
    opening["optimizers"] = list(opening["optimizers"])
    opening["learning_rate"] = surfaces[surface]["learningRate"]
    opening["tol"] = surfaces[surface]["tol"]
    data = {
        "surfaces": surfaces,
        "conditions": conditions,
        "resolution": int(grid_resolution),
        "optimizers": [
            {"name": n, "label": _LABELS[n], "color": c} for n, c in OPTIMIZER_COLORS.items()
        ],
        "ramp": list(CONTOUR_RAMP),
        "tolerances": list(TOLERANCES),
        "defaults": opening,
    }
    # "</" inside a script element would end it; "<\/" is the same JSON string
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    files = resources.files(__package__)
    html = (files / "page.html").read_text(encoding="utf-8")
    for key, text in [
        ("/*STYLE*/", (files / "page.css").read_text(encoding="utf-8")),
        ("/*RULES*/", (files / "rules.js").read_text(encoding="utf-8")),
        ("/*PAGE*/", (files / "page.js").read_text(encoding="utf-8")),
        ("/*DATA*/", payload),
    ]:
        html = html.replace(key, text, 1)
    return html


def write_page(path=None, **settings) -> Path:
    """Write the simulator page to ``path`` and return the path.

    Parameters
    ----------
    path : str or path-like, default=None
        The HTML file to write; None: ``simulator.html`` in the current
        directory. An existing file is overwritten.
    **settings
        ``surface``, ``condition``, ``grid_resolution``: see :func:`build_page`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        For a bad setting, or a ``path`` that is a directory.
    OSError
        When the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skgd.simulator import write_page
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = write_page(pathlib.Path(folder) / "paths.html")
    ...     print(page.name, page.stat().st_size > 10_000)
    paths.html True
    """
    path = Path("simulator.html" if path is None else path)
    if path.is_dir():
        raise ValueError(f"{path} is a directory; give a file name such as {path / 'sim.html'}")
    html = build_page(**settings)
    path.write_text(html, encoding="utf-8")
    return path
