"""The master linear program of rack packing, solved by a revised simplex.

The master LP chooses how many racks of each *column* (a rack type and the
servers one rack of it holds) to use::

    minimise    sum_p cost_p x_p
    subject to  sum_p a_pk x_p >= demand_k        one "cover" row per item type k
                sum_{p in S_r} x_p <= limit_r      "packing" rows: positions per rack type,
                                                   racks per arrival class (objective time)
                x >= 0

It has few rows (item types + rack types + classes) and a growing number of
columns, so it is kept as an explicit basis inverse (``m x m``) with columns
appended as column generation finds them; the current basis stays feasible when
a column is added, so every solve after the first starts warm.

Column layout of the constraint matrix ``A`` (``m`` rows, capacity grows):
``[0, n_cover)`` artificials of the cover rows, ``[n_cover, m)`` slacks of the
packing rows, ``[m, m + n_cover)`` surpluses of the cover rows, then the
structural columns. Artificials never enter the basis; one that is basic at
zero leaves as soon as a pivot would move it, so it stays at zero.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._jit import jit
from ..tolerance import FEAS_TOL, PIVOT_TOL, RC_TOL
from .status import LPStatus


class LPSolution(NamedTuple):
    """A solved master LP over fixed columns."""

    x: np.ndarray
    """(P,) value of each column."""
    value: float
    """Objective; ``inf`` when proven infeasible or unsolved."""
    status: LPStatus
    work: int
    """Matrix cells touched (machine-independent effort)."""

REFACTOR_EVERY = 50
"""Pivots between two fresh inversions of the basis (keeps the product-form drift small)."""


@jit
def invert(B, Binv):
    """Gauss-Jordan inverse of the square matrix ``B`` into ``Binv``; False when singular."""
    m = B.shape[0]
    W = B.copy()
    for i in range(m):
        for j in range(m):
            Binv[i, j] = 1.0 if i == j else 0.0
    for col in range(m):
        piv = col
        big = abs(W[col, col])
        for r in range(col + 1, m):
            if abs(W[r, col]) > big:
                big = abs(W[r, col])
                piv = r
        if big < 1e-12:
            return False
        if piv != col:
            for j in range(m):
                t = W[col, j]
                W[col, j] = W[piv, j]
                W[piv, j] = t
                t = Binv[col, j]
                Binv[col, j] = Binv[piv, j]
                Binv[piv, j] = t
        d = W[col, col]
        for j in range(m):
            W[col, j] /= d
            Binv[col, j] /= d
        for r in range(m):
            if r != col:
                f = W[r, col]
                if f != 0.0:
                    for j in range(m):
                        W[r, j] -= f * W[col, j]
                        Binv[r, j] -= f * Binv[col, j]
    return True


@jit
def new_master(b, n_cover, capacity):
    """An empty master with right-hand side ``b`` (cover rows first, then packing rows) and
    room for ``capacity`` structural columns.

    Returns ``(A, c, ncol, basis, Binv, xB)``: the starting basis is the
    artificials of the cover rows and the slacks of the packing rows, so
    ``xB = b`` (``b >= 0``).
    """
    m = b.shape[0]
    cap = m + n_cover + max(capacity, 16)
    A = np.zeros((m, cap))
    c = np.zeros(cap)
    for i in range(m):
        A[i, i] = 1.0
    for i in range(n_cover):
        A[i, m + i] = -1.0
    basis = np.arange(m)
    Binv = np.eye(m)
    xB = b.astype(np.float64).copy()
    return A, c, m + n_cover, basis, Binv, xB


@jit
def reserve(A, c, ncol, extra):
    """``(A, c)`` with room for ``extra`` more columns (a copy when they must grow)."""
    if ncol + extra <= A.shape[1]:
        return A, c
    cap = max(2 * A.shape[1], ncol + extra)
    A2 = np.zeros((A.shape[0], cap))
    c2 = np.zeros(cap)
    A2[:, :ncol] = A[:, :ncol]
    c2[:ncol] = c[:ncol]
    return A2, c2


@jit
def duals(c, basis, Binv):
    """Simplex multipliers ``y = c_B B^-1``."""
    m = basis.shape[0]
    y = np.zeros(m)
    for r in range(m):
        cb = c[basis[r]]
        if cb != 0.0:
            for i in range(m):
                y[i] += cb * Binv[r, i]
    return y


@jit
def _refactor(A, basis, Binv, xB, b):
    m = basis.shape[0]
    B = np.empty((m, m))
    for r in range(m):
        for i in range(m):
            B[i, r] = A[i, basis[r]]
    if not invert(B, Binv):
        return False
    for r in range(m):
        v = 0.0
        for i in range(m):
            v += Binv[r, i] * b[i]
        xB[r] = v if v > FEAS_TOL or v < -FEAS_TOL else 0.0
    return True


@jit
def simplex(A, c, ncol, basis, Binv, xB, b, n_art, max_iter):
    """Minimise ``c x`` from the current feasible basis; columns below ``n_art`` never enter.

    Dantzig's rule, Bland's rule after a run of degenerate pivots (no cycling).
    Returns ``(status, iterations, work)``; ``work`` counts matrix cells touched.
    """
    m = basis.shape[0]
    where = np.full(ncol, -1, np.int64)
    for r in range(m):
        where[basis[r]] = r
    alpha = np.empty(m)
    degenerate = 0
    work = 0
    it = 0
    since = 0
    while it < max_iter:
        y = duals(c, basis, Binv)
        bland = degenerate > m + 10
        q = -1
        best = -RC_TOL
        for j in range(n_art, ncol):
            if where[j] >= 0:
                continue
            d = c[j]
            for i in range(m):
                if A[i, j] != 0.0:
                    d -= y[i] * A[i, j]
            if d < best:
                q = j
                if bland:
                    break
                best = d
        work += m * (ncol + m)
        if q < 0:
            return LPStatus.OPTIMAL, it, work
        for r in range(m):
            v = 0.0
            for i in range(m):
                if A[i, q] != 0.0:
                    v += Binv[r, i] * A[i, q]
            alpha[r] = v
        row = -1
        theta = np.inf
        for r in range(m):
            if basis[r] < n_art and xB[r] <= FEAS_TOL and abs(alpha[r]) > PIVOT_TOL:
                row = r  # an artificial at zero leaves before it can move
                theta = 0.0
                break
            if alpha[r] > PIVOT_TOL:
                ratio = xB[r] / alpha[r]
                if ratio < theta - 1e-12 or (ratio <= theta + 1e-12 and row >= 0
                                             and basis[r] < basis[row]):
                    theta = ratio
                    row = r
        if row < 0:
            return LPStatus.LIMIT, it, work  # unbounded: impossible with costs >= 0 and cover rows
        if theta < 0.0:
            theta = 0.0
        degenerate = degenerate + 1 if theta <= 1e-12 else 0
        for r in range(m):
            xB[r] -= theta * alpha[r]
            if -FEAS_TOL < xB[r] < FEAS_TOL:
                xB[r] = 0.0
        xB[row] = theta
        piv = alpha[row]
        for i in range(m):
            Binv[row, i] /= piv
        for r in range(m):
            if r != row and alpha[r] != 0.0:
                f = alpha[r]
                for i in range(m):
                    Binv[r, i] -= f * Binv[row, i]
        where[basis[row]] = -1
        basis[row] = q
        where[q] = row
        it += 1
        since += 1
        if since >= REFACTOR_EVERY:
            since = 0
            if not _refactor(A, basis, Binv, xB, b):
                return LPStatus.LIMIT, it, work
            work += m * m * m
    return LPStatus.LIMIT, it, work


@jit
def primal(ncol, basis, xB):
    """The value of every column (zero when non-basic)."""
    x = np.zeros(ncol)
    for r in range(basis.shape[0]):
        x[basis[r]] = xB[r]
    return x


@jit
def solve_columns(A_cols, cost, b, n_cover, n_types, ptype, pclass, max_iter):
    """The master LP over a fixed set of columns (no pricing): two-phase simplex.

    ``A_cols`` (n_cover, P) cover coefficients, ``cost`` (P,), ``b`` (m,): the
    cover demands, then one position limit per rack type (``n_types`` rows),
    then (objective time) one limit per arrival class ``g`` on the racks of
    class ``>= g``. ``ptype`` (P,) is each column's rack type and ``pclass``
    (P,) its arrival class (unused without class rows). ``max_iter`` 0 picks a
    limit from the size. Returns ``(x (P,), value, status, work)``; ``value``
    is ``inf`` when the LP is proven infeasible.
    """
    P = A_cols.shape[1]
    m = b.shape[0]
    G = m - n_cover - n_types
    A, c, ncol, basis, Binv, xB = new_master(b, n_cover, P)
    first = ncol
    scale = 0.0
    for p in range(P):
        scale = max(scale, cost[p])
    scale = scale if scale > 0.0 else 1.0
    for p in range(P):
        for k in range(n_cover):
            A[k, first + p] = A_cols[k, p]
        A[n_cover + ptype[p], first + p] = 1.0
        for g in range(G):
            if g <= pclass[p]:
                A[n_cover + n_types + g, first + p] = 1.0
    ncol += P
    return _two_phase(A, c, ncol, basis, Binv, xB, b, n_cover, first, cost, scale, max_iter, n_types)


@jit
def _phase1_certificate(A, c, ncol, basis, Binv, b, n_cover, first, n_types):
    """A proven lower bound on the uncovered demand of every solution, from the phase-1 duals.

    Relaxing the cover rows (multipliers ``pi`` in [0, 1] after scaling) and the class rows
    (``<= 0``) leaves only the position rows: each rack type contributes its positions times
    the most negative ``-pi a_p - class duals`` of its columns. Positive: no solution covers
    the demand. Computed directly from the columns, so a float error in the simplex cannot
    turn into a false proof.
    """
    m = b.shape[0]
    y = duals(c, basis, Binv)
    scale = 1.0
    for k in range(n_cover):
        if y[k] > scale:
            scale = y[k]
    for i in range(m):
        if i < n_cover:
            y[i] = (y[i] if y[i] > 0.0 else 0.0) / scale
        elif i >= n_cover + n_types:
            y[i] = (y[i] if y[i] < 0.0 else 0.0) / scale
        else:
            y[i] = 0.0
    value = 0.0
    for i in range(m):
        value += y[i] * b[i]
    worst = np.zeros(n_types)
    for j in range(first, ncol):
        v = 0.0
        t = -1
        for i in range(m):
            if A[i, j] != 0.0:
                if n_cover <= i < n_cover + n_types:
                    t = i - n_cover
                else:
                    v += y[i] * A[i, j]
        if t >= 0 and -v < worst[t]:
            worst[t] = -v
    for t in range(n_types):
        value += b[n_cover + t] * worst[t]
    return value


@jit
def _two_phase(A, c, ncol, basis, Binv, xB, b, n_cover, first, cost, scale, max_iter, n_types):
    """Phase 1 (cover the demand within the limits), then phase 2 (least cost)."""
    m = b.shape[0]
    P = ncol - first
    for k in range(n_cover):
        c[k] = 1.0
    max_iter_ = max_iter if max_iter > 0 else 50 * (m + 10) + 4 * P
    x = np.zeros(P)
    st, _it, work = simplex(A, c, ncol, basis, Binv, xB, b, n_cover, max_iter_)
    if st != LPStatus.OPTIMAL:
        return LPSolution(x, np.inf, st, work)
    infeas = 0.0
    total = 1.0
    for r in range(m):
        if basis[r] < n_cover:
            infeas += xB[r]
    for k in range(n_cover):
        total += b[k]
    if infeas > FEAS_TOL * total:
        # certify it: the phase-1 Lagrangian at the duals must itself be positive
        if _phase1_certificate(A, c, ncol, basis, Binv, b, n_cover, first, n_types) > 1e-7 * total:
            return LPSolution(x, np.inf, LPStatus.INFEASIBLE, work)
        return LPSolution(x, np.inf, LPStatus.LIMIT, work)
    for k in range(n_cover):
        c[k] = 0.0
    for p in range(P):
        c[first + p] = cost[p] / scale
    st, _it, w2 = simplex(A, c, ncol, basis, Binv, xB, b, n_cover, max_iter_)
    work += w2
    if st != LPStatus.OPTIMAL:
        return LPSolution(x, np.inf, st, work)
    value = 0.0
    for r in range(m):
        j = basis[r]
        if j >= first:
            v = xB[r] if xB[r] > 0.0 else 0.0
            x[j - first] = v
            value += cost[j - first] * v
    return LPSolution(x, value, LPStatus.OPTIMAL, work)
