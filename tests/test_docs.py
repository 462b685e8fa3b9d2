"""The documentation builds with warnings as errors, and docstring examples run."""
import doctest
import importlib
import pathlib
import pkgutil
import shutil
import subprocess
import sys

import pytest

import skdeep

ROOT = pathlib.Path(__file__).resolve().parents[1]


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


def test_sphinx_build_warnings_as_errors(tmp_path, monkeypatch):
    if shutil.which("sphinx-build") is None and importlib.util.find_spec("sphinx") is None:
        pytest.skip("the docs extra is not installed")
    pytest.importorskip("numpydoc")
    monkeypatch.setenv("SKDEEP_DOCS_OFFLINE", "1")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(ROOT / "docs"),
         str(tmp_path / "html")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
