"""The version of qualcode (one owner; the package face re-exports it)."""

__version__ = "0.1.0"
