"""Outcomes of the kernels, as integer enums usable inside Numba code.

A kernel never raises for an expected outcome; it returns one of these and the
planning layer turns it into a plan or an exception. "Proven" and "gave up" are
kept apart all the way up: :attr:`Status.INFEASIBLE` and :attr:`Status.NO_FIT`
are proofs, :attr:`Status.GAVE_UP` is not.
"""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    """Outcome of a packing or of the model search."""

    OK = 0
    """A solution was found (optimal when its lower bound meets it)."""
    NO_FIT = 1
    """Proven: some server fits no rack type of the site."""
    INFEASIBLE = 2
    """Proven: no packing within the positions (search: no choice of models meets every limit)."""
    GAVE_UP = 3
    """Nothing found within the work limit, and nothing proven."""
    LIMIT = 4
    """Search only: a plan was found but the search stopped before proving it the best."""
    PRUNED = 5
    """Packing only: its proven lower bound shows it cannot beat the incumbent, so it was not
    packed."""


class LPStatus(IntEnum):
    """Outcome of a linear program."""

    OPTIMAL = 0
    INFEASIBLE = 1
    """Proven infeasible (phase 1 ends above zero, or its Lagrangian bound is positive)."""
    LIMIT = 2
    """Stopped at the iteration or work limit, or numerically stuck: nothing proven."""
