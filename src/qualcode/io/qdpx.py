"""Moved to :mod:`qualcode.refi.qdpx`; this shim keeps the old import path."""

from qualcode.refi.qdpx import *  # noqa: F403
