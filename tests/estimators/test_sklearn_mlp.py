"""scikit-learn's own MLP test file, run against skdeep with only the import changed.

The file is read from the installed scikit-learn (so it always matches the version we
mirror), the import line is swapped, and its tests are collected here. The tests in
``PRIVATE`` call private functions of scikit-learn's implementation and are left out.
"""
import pathlib
import types

import pytest
import sklearn

SOURCE = pathlib.Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"
IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor"

PRIVATE = {
    "test_gradient": "calls MLPClassifier._loss_grad_lbfgs, scikit-learn's private "
                     "NumPy backpropagation; skdeep's gradients come from autograd",
}

if not SOURCE.exists():  # a scikit-learn installed without its tests
    pytest.skip("scikit-learn's test_mlp.py is not installed", allow_module_level=True)


def _swapped_module():
    text = SOURCE.read_text(encoding="utf-8")
    assert text.count(IMPORT) == 1, "scikit-learn's MLP test file changed its import"
    module = types.ModuleType("sklearn_test_mlp_against_skdeep")
    module.__file__ = str(SOURCE)
    exec(compile(text.replace(IMPORT, "from skdeep import MLPClassifier, MLPRegressor"),
                 str(SOURCE), "exec"), module.__dict__)
    return module


_module = _swapped_module()
assert _module.MLPClassifier.__module__.startswith("skdeep")
for _name, _obj in vars(_module).items():
    if _name.startswith("test_") and callable(_obj) and _name not in PRIVATE:
        globals()[_name] = _obj
