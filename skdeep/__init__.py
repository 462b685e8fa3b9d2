"""skdeep: the models of the Deep Learning Tutorials as scikit-learn estimators on PyTorch."""

__version__ = "0.1.0"

from ._dbm_classifier import DBMClassifier
from ._dbn_classifier import DBNClassifier
from ._regressor import DBNRegressor, SdARegressor
from .autoencoder import DenoisingAutoencoder
from .contractive import ContractiveAutoencoder
from .conv import LeNetClassifier
from .dbm import DBMTransformer
from .dbn import DBNTransformer
from .deep_autoencoder import DeepAutoencoder
from .generative_dbn import GenerativeDBNClassifier
from .linear import LogisticClassifier
from .mlp import MLPClassifier, MLPRegressor
from .music import RNNRBM
from .rbm import BernoulliRBM
from .sampling import HMCSampler
from .sda import SdAClassifier, SdATransformer
from .sentiment import LSTMSentiment
from .sequence import ElmanSlotFiller
from .text import TextVectorizer

__all__ = [
    "BernoulliRBM",
    "ContractiveAutoencoder",
    "DBMClassifier",
    "DBMTransformer",
    "DBNClassifier",
    "DBNRegressor",
    "DBNTransformer",
    "DeepAutoencoder",
    "DenoisingAutoencoder",
    "ElmanSlotFiller",
    "GenerativeDBNClassifier",
    "HMCSampler",
    "LSTMSentiment",
    "LeNetClassifier",
    "LogisticClassifier",
    "MLPClassifier",
    "MLPRegressor",
    "RNNRBM",
    "SdAClassifier",
    "SdARegressor",
    "SdATransformer",
    "TextVectorizer",
    "__version__",
]
