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
]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
exclude_patterns = ["_build"]
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
