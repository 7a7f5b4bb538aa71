"""The simulator: one self-contained web page of optimizer paths on the test surfaces.

:func:`write_page` (the console's ``skgd simulator``) writes an HTML file
with inline JavaScript and CSS that works offline from ``file://``. The
contours are computed here, from :mod:`skgd.landscapes`, when the page is
written; the update rules run in the page (``rules.js``, written to give the
iterates :func:`skgd.minimize` gives), so the sliders respond at once.

:func:`make_optimizer` turns the page's settings into the optimizer objects
:func:`skgd.minimize` takes, and :data:`OPTIMIZER_COLORS` are the colours of
the paths, on the page and in
:meth:`skgd.plotting.LandscapeDisplay.from_minimize_results`.
"""

from __future__ import annotations

from ._page import (
    CONDITIONS,
    CONTOUR_RAMP,
    DEFAULTS,
    OPTIMIZER_COLORS,
    TOLERANCES,
    build_page,
    make_optimizer,
    make_surface,
    write_page,
)

__all__ = [
    "CONDITIONS",
    "CONTOUR_RAMP",
    "DEFAULTS",
    "OPTIMIZER_COLORS",
    "TOLERANCES",
    "build_page",
    "make_optimizer",
    "make_surface",
    "write_page",
]
