"""Utilities: estimator discovery and the documented expected failures of the common checks."""

from .discovery import all_estimators

__all__ = ["all_estimators"]
