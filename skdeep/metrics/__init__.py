"""Metrics."""

from ._chunk import chunk_classification_report, chunk_f1_score, chunk_precision_recall_fscore
from ._music import frame_accuracy

__all__ = ["frame_accuracy", "chunk_f1_score", "chunk_precision_recall_fscore",
           "chunk_classification_report"]
