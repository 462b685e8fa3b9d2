"""skdeep: the models of the Deep Learning Tutorials as scikit-learn estimators on PyTorch."""

__version__ = "0.1.0"

from .linear import LogisticClassifier
from .mlp import MLPClassifier

__all__ = [
    "LogisticClassifier",
    "MLPClassifier",
    "__version__",
]
