"""Dataset loaders. Nothing is downloaded: each loader reads files you have and says how to
get them when they are missing. ``$SKDEEP_DATA`` names a folder holding the datasets'
sub-folders (``mnist/``, ``fashion-mnist/``, ``atis/``, ``rt-polarity/``,
``polyphonic_music/``, ``aclImdb/``)."""

from ._mnist import load_fashion_mnist, load_mnist, read_idx
from ._music import load_piano_rolls
from ._text import load_atis, load_atis_iob, load_imdb, load_rt_polarity

__all__ = ["load_mnist", "load_fashion_mnist", "read_idx", "load_piano_rolls", "load_atis",
           "load_atis_iob", "load_rt_polarity", "load_imdb"]
