"""pytest setup shared by the tests and the doctests (``--doctest-modules``)."""

import importlib.util
import os

# Nothing is shown on screen under pytest; Agg also works without a display.
os.environ.setdefault("MPLBACKEND", "Agg")

# skgd.plotting's doctests draw with matplotlib, an optional extra ('skgd[plot]'):
# without it they are skipped rather than failing.
collect_ignore_glob = [] if importlib.util.find_spec("matplotlib") else ["skgd/plotting/*"]
