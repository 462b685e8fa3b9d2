"""The documentation builds with warnings as errors, and docstring examples run."""
import doctest
import importlib
import os
import pathlib
import pkgutil
import shutil
import subprocess
import sys

import pytest

import skdeep

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _public_modules():
    for info in pkgutil.walk_packages(skdeep.__path__, "skdeep."):
        if info.name.startswith("skdeep._reproduce") or info.name.endswith("__main__"):
            continue
        yield info.name


@pytest.mark.parametrize("name", sorted(_public_modules()))
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        if test.examples and test.name.startswith(name):
            runner.run(test)
    assert runner.failures == 0, f"{runner.failures} docstring example(s) failed in {name}"


def test_public_classes_have_examples():
    from skdeep.utils import all_estimators

    for name, cls in all_estimators():
        assert "Examples\n    --------" in (cls.__doc__ or ""), f"{name} has no Examples"


def test_sphinx_build_warnings_as_errors(tmp_path):
    """The docs build with warnings as errors, running the quick part of the example
    gallery (SKDEEP_GALLERY=quick: the examples listed in docs/gallery_order.py, under a
    minute on two idle cores; a plain build runs every example)."""
    if shutil.which("sphinx-build") is None and importlib.util.find_spec("sphinx") is None:
        pytest.skip("the docs extra is not installed")
    pytest.importorskip("numpydoc")
    pytest.importorskip("sphinx_gallery")
    # A copy, so the gallery is generated away from the source tree (no stale outputs
    # reused, nothing written into the checkout).
    ignore = shutil.ignore_patterns("_build", "auto_examples", "sg_execution_times.rst",
                                    "__pycache__")
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=ignore)
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=ignore)
    env = dict(os.environ, SKDEEP_DOCS_OFFLINE="1", SKDEEP_GALLERY="quick", MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(tmp_path / "docs"),
         str(tmp_path / "html")], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    html = tmp_path / "html"
    gallery = (html / "auto_examples" / "index.html").read_text(encoding="utf-8")
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        from gallery_order import CHAPTERS, QUICK
    finally:
        sys.path.remove(str(ROOT / "docs"))
    for name in CHAPTERS:  # every example has a page, linked from the gallery
        assert (html / "auto_examples" / f"{name}.html").exists(), name
        assert f"{name}.html" in gallery, name
    assert sorted(p.stem for p in (ROOT / "examples").glob("plot_*.py")) == sorted(CHAPTERS)
    for name in QUICK:  # the examples that ran have their figures on their pages
        page = (html / "auto_examples" / f"{name}.html").read_text(encoding="utf-8")
        assert f"sphx_glr_{name}_001.png" in page, name
        assert (html / "_images" / f"sphx_glr_{name}_001.png").exists(), name
