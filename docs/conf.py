"""Sphinx configuration for skdeep's documentation."""
import os
import socket
import sys

sys.path.insert(0, os.path.abspath(".."))

import skdeep  # noqa: E402

project = "skdeep"
author = "skdeep developers"
copyright = "2026, skdeep developers"
release = skdeep.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
exclude_patterns = ["_build"]

# The example gallery: examples/plot_*.py run at build time, their figures on the pages.
# SKDEEP_GALLERY says which run: "all" (the default) every example whose data is found,
# "quick" the faster ones listed in gallery_order.py (the test suite's docs build), "off"
# none. An example that is not run keeps its page, with its code and without output.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gallery_order import CHAPTERS, NEEDS_DATA, QUICK  # noqa: E402

_gallery = os.environ.get("SKDEEP_GALLERY", "all")
if _gallery not in ("all", "quick", "off"):
    raise ValueError(f"SKDEEP_GALLERY must be 'all', 'quick' or 'off'; got {_gallery!r}.")
_data = os.environ.get("SKDEEP_DATA", "")
_runnable = [name for name in CHAPTERS
             if not (name in NEEDS_DATA
                     and not os.path.isdir(os.path.join(_data, NEEDS_DATA[name])))
             and (_gallery == "all" or name in QUICK)]
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"[\\/](" + "|".join(_runnable) + r")\.py$",
    "plot_gallery": _gallery != "off" and bool(_runnable),
    "within_subsection_order": "gallery_order.ChapterOrder",
    "download_all_examples": False,
    "remove_config_comments": True,
    "reset_modules": ("matplotlib",),
    "min_reported_time": 1,
    "show_memory": False,
    "thumbnail_size": (320, 240),
}
html_theme = "alabaster"
nitpicky = False


def _online(host: str) -> bool:
    try:
        socket.create_connection((host, 443), timeout=2).close()
        return True
    except OSError:
        return False


# Cross-links into scikit-learn's and PyTorch's docs. Their inventories are fetched at build
# time; on a machine without network access the links are left out instead of failing a
# `sphinx-build -W`.
intersphinx_mapping = {}
if os.environ.get("SKDEEP_DOCS_OFFLINE") != "1" and _online("scikit-learn.org"):
    intersphinx_mapping = {
        "sklearn": ("https://scikit-learn.org/stable/", None),
        "torch": ("https://docs.pytorch.org/docs/stable/", None),
        "numpy": ("https://numpy.org/doc/stable/", None),
        "python": ("https://docs.python.org/3/", None),
    }
