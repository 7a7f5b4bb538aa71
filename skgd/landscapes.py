"""Two-dimensional test surfaces for watching optimizers move.

Each function returns a :class:`Landscape`: value and gradient (vectorized
over points, so a grid can be drawn in one call), the known minima, a
starting point where the surface is interesting, plotting bounds and a step
size at which plain gradient descent is stable from that start.

Examples
--------
>>> from skgd import landscapes, minimize
>>> surface = landscapes.quadratic(condition=10)
>>> res = minimize(surface, optimizer="momentum", learning_rate=0.05, max_iter=2000)
>>> bool(res.success), surface.distance_to_minimum(res.x) < 1e-5
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class Landscape:
    """A 2-D test function with its gradient and known critical points.

    Points are arrays whose last axis has length 2: ``value`` and
    ``gradient`` accept one point of shape (2,) or a stack of shape (..., 2),
    which is what contour plots need.

    Parameters
    ----------
    name : str
    value : callable
        ``value(x, y) -> f`` on arrays of any (common) shape.
    gradient : callable
        ``gradient(x, y) -> (df/dx, df/dy)``.
    minima : array-like of shape (n_minima, 2)
        Every local minimum in ``bounds`` (all global unless said otherwise).
    start : array-like of shape (2,)
        A default starting point.
    bounds : tuple of two (low, high) pairs
        The x and y ranges to draw.
    learning_rate : float
        A step size at which plain gradient descent from ``start`` is stable.
    saddles : array-like of shape (n_saddles, 2), default=()
        Saddle points, where there are some of interest.
    description : str, default=''

    Attributes
    ----------
    min_value : float
        The smallest value at the known minima.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd import landscapes
    >>> rosen = landscapes.rosenbrock()
    >>> rosen.value([1.0, 1.0]), rosen.gradient([1.0, 1.0]).tolist()
    (0.0, [0.0, 0.0])
    >>> rosen.value(np.zeros((3, 4, 2))).shape
    (3, 4)
    """

    def __init__(
        self,
        name: str,
        value: Callable,
        gradient: Callable,
        minima,
        start,
        bounds,
        learning_rate: float,
        saddles=(),
        description: str = "",
    ):
        self.name = name
        self._value = value
        self._gradient = gradient
        self.minima = np.asarray(minima, dtype=np.float64).reshape(-1, 2)
        self.start = np.asarray(start, dtype=np.float64)
        self.bounds = tuple((float(lo), float(hi)) for lo, hi in bounds)
        self.learning_rate = float(learning_rate)
        self.saddles = np.asarray(saddles, dtype=np.float64).reshape(-1, 2)
        self.description = description
        self.min_value = float(np.min(self.value(self.minima)))

    @staticmethod
    def _split(theta):
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape[-1:] != (2,):
            raise ValueError(f"A point on a 2-D landscape has 2 coordinates; got {theta.shape}.")
        return theta[..., 0], theta[..., 1]

    def value(self, theta):
        """f at a point (a float) or at a stack of points (an array of shape (...)).

        Parameters
        ----------
        theta : array-like of shape (2,) or (..., 2)

        Returns
        -------
        float or ndarray
        """
        f = self._value(*self._split(theta))
        return float(f) if np.ndim(f) == 0 else f

    __call__ = value

    def gradient(self, theta) -> np.ndarray:
        """The gradient, with the shape of ``theta``.

        Parameters
        ----------
        theta : array-like of shape (2,) or (..., 2)

        Returns
        -------
        ndarray of shape (2,) or (..., 2)
        """
        gx, gy = self._gradient(*self._split(theta))
        # "+ 0.0" turns -0.0 into 0.0, so a gradient at a minimum prints as zeros.
        return np.stack(np.broadcast_arrays(gx, gy), axis=-1).astype(np.float64) + 0.0

    def value_and_gradient(self, theta) -> tuple[float, np.ndarray]:
        """``(value(theta), gradient(theta))``, the form ``jac=True`` optimizers take.

        Parameters
        ----------
        theta : array-like of shape (2,)

        Returns
        -------
        value : float
        gradient : ndarray of shape (2,)
        """
        return self.value(theta), self.gradient(theta)

    def distance_to_minimum(self, theta) -> float:
        """Euclidean distance from ``theta`` to the nearest known minimum.

        Parameters
        ----------
        theta : array-like of shape (2,)

        Returns
        -------
        float
        """
        theta = np.asarray(theta, dtype=np.float64)
        return float(np.min(np.linalg.norm(self.minima - theta, axis=1)))

    @property
    def x0(self) -> np.ndarray:
        """``start``, under the name :func:`skgd.minimize` looks for."""
        return self.start.copy()

    def __repr__(self) -> str:
        return f"<Landscape {self.name}: minima {self.minima.round(6).tolist()}>"


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Landscape:
    """Rosenbrock's banana valley ``(a - x)^2 + b (y - x^2)^2``; minimum 0 at ``(a, a^2)``.

    The valley floor is easy to find and slow to follow: the curvature across
    it is about ``b`` times the curvature along it.

    Parameters
    ----------
    a, b : float, default=1.0, 100.0

    Returns
    -------
    Landscape

    Examples
    --------
    >>> from skgd import landscapes
    >>> landscapes.rosenbrock().minima
    array([[1., 1.]])
    """

    def value(x, y):
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def gradient(x, y):
        return -2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)

    return Landscape(
        "rosenbrock",
        value,
        gradient,
        [[a, a * a]],
        [-1.2, 1.0],
        ((-2.0, 2.0), (-1.0, 3.0)),
        learning_rate=1e-3,
        description=f"(a - x)^2 + b (y - x^2)^2, a={a:g}, b={b:g}",
    )


_HIMMELBLAU_MINIMA = [
    [3.0, 2.0],
    [-2.8051180869527, 3.1313125182505],
    [-3.7793102533778, -3.2831859912861],
    [3.5844283403305, -1.8481265269644],
]
_HIMMELBLAU_SADDLES = [
    [0.0866775046, 2.8842547012],
    [-3.0730257508, -0.0813530443],
    [3.3851541836, 0.0738518798],
    [-0.1279613467, -1.9537149802],
]


def himmelblau() -> Landscape:
    """Himmelblau's function ``(x^2 + y - 11)^2 + (x + y^2 - 7)^2``: four minima, all 0.

    Which minimum an optimizer reaches depends on where it starts and on its
    momentum. There is a local maximum near (-0.27, -0.92) and four saddles.

    Returns
    -------
    Landscape

    Examples
    --------
    >>> from skgd import landscapes
    >>> len(landscapes.himmelblau().minima)
    4
    """

    def value(x, y):
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def gradient(x, y):
        u, v = x**2 + y - 11, x + y**2 - 7
        return 4 * x * u + 2 * v, 2 * u + 4 * y * v

    return Landscape(
        "himmelblau",
        value,
        gradient,
        _HIMMELBLAU_MINIMA,
        [0.0, 0.0],
        ((-5.0, 5.0), (-5.0, 5.0)),
        learning_rate=0.01,
        saddles=_HIMMELBLAU_SADDLES,
        description="(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    )


def beale() -> Landscape:
    """Beale's function; minimum 0 at (3, 0.5), in a narrow curved valley with flat plateaus.

    ``(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2``.

    Returns
    -------
    Landscape

    Examples
    --------
    >>> from skgd import landscapes
    >>> landscapes.beale().value([3.0, 0.5])
    0.0
    """
    consts = (1.5, 2.25, 2.625)

    def value(x, y):
        return sum((c - x + x * y ** (k + 1)) ** 2 for k, c in enumerate(consts))

    def gradient(x, y):
        gx = gy = 0.0
        for k, c in enumerate(consts):
            r = c - x + x * y ** (k + 1)
            gx = gx + 2 * r * (y ** (k + 1) - 1)
            gy = gy + 2 * r * (k + 1) * x * y**k
        return gx, gy

    return Landscape(
        "beale",
        value,
        gradient,
        [[3.0, 0.5]],
        [1.0, 1.4],
        ((-4.5, 4.5), (-4.5, 4.5)),
        learning_rate=1e-3,
        description="(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    )


def saddle(offset: float = 1e-3) -> Landscape:
    """A saddle between two valleys: ``x^2 / 2 + y^4 / 4 - y^2 / 2``.

    The origin is a saddle point (curvature +1 along x, -1 along y); the
    minima are (0, 1) and (0, -1), both -1/4. The x axis is the saddle's
    stable manifold: gradient descent started on it converges to the saddle.
    The default start ``(1, offset)`` is just off it, so plain gradient descent
    first slides toward the saddle and escapes only as fast as the tiny y
    component grows (by a factor ``1 + learning_rate`` per step), while
    momentum compounds that growth and Adam rescales the small gradient.

    Parameters
    ----------
    offset : float, default=1e-3
        The y coordinate of ``start``.

    Returns
    -------
    Landscape

    Examples
    --------
    >>> from skgd import landscapes
    >>> s = landscapes.saddle()
    >>> s.saddles, s.min_value
    (array([[0., 0.]]), -0.25)
    """

    def value(x, y):
        return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2

    def gradient(x, y):
        return x, y**3 - y

    return Landscape(
        "saddle",
        value,
        gradient,
        [[0.0, 1.0], [0.0, -1.0]],
        [1.0, offset],
        ((-1.5, 1.5), (-1.5, 1.5)),
        learning_rate=0.1,
        saddles=[[0.0, 0.0]],
        description="x^2/2 + y^4/4 - y^2/2",
    )


def quadratic(condition: float = 10.0, angle: float = 0.0) -> Landscape:
    """An elliptic bowl ``(u^2 + condition * v^2) / 2``; minimum 0 at the origin.

    ``(u, v)`` are ``(x, y)`` rotated by ``angle``, so the Hessian has
    eigenvalues 1 and ``condition``. Gradient descent is stable for
    ``learning_rate < 2 / condition`` and then needs about ``condition``
    times more steps along the flat direction than along the steep one;
    momentum cuts that to about ``sqrt(condition)``. Rotating the bowl
    (``angle`` not a multiple of pi/2) takes away the per-coordinate step
    sizes' advantage (AdaGrad, RMSProp, Adam).

    Parameters
    ----------
    condition : float, default=10.0
        Condition number of the Hessian, >= 1.
    angle : float, default=0.0
        Rotation of the bowl's axes, in radians.

    Returns
    -------
    Landscape

    Examples
    --------
    >>> from skgd import landscapes
    >>> landscapes.quadratic(condition=100).value([0.0, 1.0])
    50.0
    """
    if not (np.isfinite(condition) and condition >= 1):
        raise ValueError(f"condition must be a number >= 1; got {condition!r}.")
    c, s = np.cos(angle), np.sin(angle)

    def value(x, y):
        u, v = c * x + s * y, -s * x + c * y
        return 0.5 * (u**2 + condition * v**2)

    def gradient(x, y):
        u, v = c * x + s * y, -s * x + c * y
        gu, gv = u, condition * v
        return c * gu - s * gv, s * gu + c * gv

    return Landscape(
        "quadratic",
        value,
        gradient,
        [[0.0, 0.0]],
        [-2.0, 1.0],
        ((-2.5, 2.5), (-2.0, 2.0)),
        learning_rate=1.0 / condition,
        description=f"(u^2 + {condition:g} v^2) / 2, axes rotated by {angle:g} rad",
    )


#: The surfaces by name, as ``skgd landscape NAME`` knows them.
LANDSCAPES = {
    "rosenbrock": rosenbrock,
    "himmelblau": himmelblau,
    "beale": beale,
    "saddle": saddle,
    "quadratic": quadratic,
}

__all__ = ["LANDSCAPES", "Landscape", "beale", "himmelblau", "quadratic", "rosenbrock", "saddle"]
