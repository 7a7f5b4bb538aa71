"""Sphinx configuration: numpydoc API reference, sphinx-gallery examples, user guide."""

import os

import skgd

project = "skgd"
author = "the skgd developers"
copyright = "skgd developers"  # noqa: A001 - the name Sphinx reads
release = version = skgd.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

# The API pages are generated from the docstrings at build time (into docs/generated).
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
# numpydoc lists methods itself from the docstring sections; autosummary tables
# of every member would duplicate them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# Every example is executed during the build and its figures are embedded.
os.environ.setdefault("MPLBACKEND", "Agg")
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}

# No intersphinx: the build must work offline (CI, a fresh checkout behind a
# proxy); references to numpy, scipy and scikit-learn are shown as plain names.

# The simulator page (skgd simulator), written at every build and copied to the
# site's root as skgd-simulator.html; docs/simulator.rst embeds it.
from skgd.simulator import write_page  # noqa: E402

_SIMULATOR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_simulator")
os.makedirs(_SIMULATOR_DIR, exist_ok=True)
write_page(os.path.join(_SIMULATOR_DIR, "skgd-simulator.html"))
html_extra_path = ["_simulator"]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_simulator", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "alabaster"
html_theme_options = {
    "description": "scikit-learn estimators trained by gradient descent",
    "fixed_sidebar": True,
    "page_width": "1100px",
}
html_static_path = []
