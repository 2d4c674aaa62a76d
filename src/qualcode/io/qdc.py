"""Moved to :mod:`qualcode.refi.qdc`; this shim keeps the old import path."""

from qualcode.refi.qdc import *  # noqa: F403
