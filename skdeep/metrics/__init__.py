"""Metrics."""

from ._music import frame_accuracy

__all__ = ["frame_accuracy"]
