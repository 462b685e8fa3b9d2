"""skdeep: the models of the Deep Learning Tutorials as scikit-learn estimators on PyTorch."""

__version__ = "0.1.0"

from .autoencoder import DenoisingAutoencoder, SdAClassifier, SdATransformer
from .conv import LeNetClassifier
from .dbn import DBNClassifier, DBNTransformer, DeepAutoencoder
from .linear import LogisticClassifier
from .mlp import MLPClassifier
from .music import RNNRBM
from .rbm import BernoulliRBM
from .sampling import HMCSampler
from .sequence import ElmanSlotFiller, LSTMSentiment
from .text import TextVectorizer

__all__ = [
    "BernoulliRBM",
    "DBNClassifier",
    "DBNTransformer",
    "DeepAutoencoder",
    "DenoisingAutoencoder",
    "ElmanSlotFiller",
    "HMCSampler",
    "LSTMSentiment",
    "LeNetClassifier",
    "LogisticClassifier",
    "MLPClassifier",
    "RNNRBM",
    "SdAClassifier",
    "SdATransformer",
    "TextVectorizer",
    "__version__",
]
