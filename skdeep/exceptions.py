"""Warnings and errors that skdeep raises itself (beyond scikit-learn's own)."""
from __future__ import annotations

__all__ = ["DataRangeWarning"]


class DataRangeWarning(UserWarning):
    """Training data lies outside the range a model's units are defined on.

    Raised, once per fit, when Bernoulli visible units (:class:`~skdeep.BernoulliRBM`,
    :class:`~skdeep.DBNTransformer`, :class:`~skdeep.DBNClassifier`) are trained on
    values outside [0, 1]. Scikit-learn's ``BernoulliRBM`` accepts such data, and so
    does skdeep's drop-in, but the model then learns from values its energy does not
    describe. Scale the data into [0, 1] (e.g. with
    :class:`~sklearn.preprocessing.MinMaxScaler`) or use ``visible_units="gaussian"``.
    Filter it like any warning::

        import warnings
        from skdeep.exceptions import DataRangeWarning
        warnings.simplefilter("ignore", DataRangeWarning)
    """
