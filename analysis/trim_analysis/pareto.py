"""Exact Pareto fronts of 2 or 3 objectives, sized for tens of millions of rows.

Definitions (all objectives turned into minimization by negating the maximized ones): point q
dominates point p when q <= p in every objective and q < p in at least one. The front is the
set of points no other point dominates. Identical points do not dominate each other, so every
copy of a non-dominated point is on the front. Rows with a NaN objective are never on the front.

Algorithms (n points, h points on the front):
- 2 objectives: lexicographic sort, then one vectorized prefix-minimum pass. O(n log n).
- 3 objectives: lexicographic sort by (f1, f2, f3); every point can then be dominated only by an
  earlier one, and only through its (f2, f3) projection. A 2-D staircase of the front found so
  far answers "is some earlier point <= in f2 and f3" by binary search. The sorted points are
  processed in blocks: the whole block is first tested against the staircase as it stood before
  the block (numpy searchsorted), and only the survivors go through the exact sequential
  insert-and-query loop. O(n log n) for the sort and filter, plus O(s log h) Python steps for
  the s survivors (s is a small multiple of h on real sweeps).
"""

import bisect

import numpy as np

_BLOCK_FIRST = 1 << 10
_BLOCK_MAX = 1 << 18
_PIVOT_MIN_ROWS = 1 << 16
_PIVOT_SAMPLE = 1 << 12
_PIVOTS = 16


def _as_minimize(values, maximize):
    """Float64 (n, k) matrix with the maximized objectives negated."""
    v = np.array(values, dtype=np.float64, copy=True)
    if v.ndim != 2:
        raise ValueError(f"objective values must be a 2-D (rows, objectives) array, got {v.ndim}-D")
    k = v.shape[1]
    if maximize is None:
        maximize = [False] * k
    maximize = list(maximize)
    if len(maximize) != k:
        raise ValueError(f"{k} objectives but {len(maximize)} maximize flags")
    for j, m in enumerate(maximize):
        if m:
            v[:, j] = -v[:, j]
    return v


def _group_starts(sorted_values):
    """True where a sorted row differs from the previous one (first row: True)."""
    n = sorted_values.shape[0]
    starts = np.ones(n, dtype=bool)
    if n > 1:
        starts[1:] = np.any(sorted_values[1:] != sorted_values[:-1], axis=1)
    return starts


def _front_2d(v):
    order = np.lexsort((v[:, 1], v[:, 0]))
    s = v[order]
    starts = _group_starts(s)
    # Minimum f2 over all rows strictly before each row's group of identical rows.
    prefix = np.minimum.accumulate(s[:, 1])
    before = np.empty_like(prefix)
    before[0] = np.inf
    before[1:] = prefix[:-1]
    group_first = np.maximum.accumulate(np.where(starts, np.arange(len(s)), 0))
    keep_sorted = s[:, 1] < before[group_first]
    mask = np.zeros(len(v), dtype=bool)
    mask[order[keep_sorted]] = True
    return mask


class _Staircase:
    """2-D minimization front: f2 strictly increasing, f3 strictly decreasing."""

    def __init__(self):
        self.f2 = []
        self.f3 = []

    def dominated(self, a, b):
        """Is there a stored (x, y) with x <= a and y <= b?"""
        i = bisect.bisect_right(self.f2, a) - 1
        return i >= 0 and self.f3[i] <= b

    def insert(self, a, b):
        """Adds (a, b), which REQUIRES not dominated(a, b); drops the entries it dominates."""
        i = bisect.bisect_left(self.f2, a)
        j = i
        while j < len(self.f2) and self.f3[j] >= b:
            j += 1
        self.f2[i:j] = [a]
        self.f3[i:j] = [b]

    def arrays(self):
        return np.asarray(self.f2, dtype=np.float64), np.asarray(self.f3, dtype=np.float64)


def _front_3d(v):
    order = np.lexsort((v[:, 2], v[:, 1], v[:, 0]))
    s = v[order]
    n = len(s)
    starts = _group_starts(s)
    keep_sorted = np.zeros(n, dtype=bool)
    stairs = _Staircase()
    begin, block = 0, _BLOCK_FIRST
    while begin < n:
        end = min(n, begin + block)
        while end < n and not starts[end]:  # never split a group of identical rows
            end += 1
        a, b = s[begin:end, 1], s[begin:end, 2]
        s2, s3 = stairs.arrays()
        if len(s2):
            pos = np.searchsorted(s2, a, side="right") - 1
            stale = (pos >= 0) & (s3[np.maximum(pos, 0)] <= b)
            candidates = np.flatnonzero(~stale)
        else:
            candidates = np.arange(end - begin)
        first_of_group = starts[begin:end]
        for c in candidates.tolist():
            if not first_of_group[c]:
                # A copy of row c - 1: same block, same filter result, so already decided.
                keep_sorted[begin + c] = keep_sorted[begin + c - 1]
                continue
            x, y = float(a[c]), float(b[c])
            if not stairs.dominated(x, y):
                stairs.insert(x, y)
                keep_sorted[begin + c] = True
        begin = end
        block = min(_BLOCK_MAX, block * 2)
    mask = np.zeros(n, dtype=bool)
    mask[order[keep_sorted]] = True
    return mask


def pareto_mask(values, maximize=None):
    """Boolean mask of the non-dominated rows of an (n, k) array, k = 2 or 3.

    `maximize` is a sequence of k booleans (default: minimize everything). Rows with a NaN in
    any objective are never on the front. +-inf compare as ordinary numbers.
    """
    v = _as_minimize(values, maximize)
    k = v.shape[1]
    if k not in (2, 3):
        raise ValueError(f"the Pareto front needs 2 or 3 objectives, got {k}")
    valid = ~np.isnan(v).any(axis=1)
    mask = np.zeros(len(v), dtype=bool)
    if not valid.any():
        return mask
    rows = np.flatnonzero(valid)
    rows = rows[_survivors_of_pivots(v, rows)]
    sub = v[rows]
    mask[rows] = _front_2d(sub) if k == 2 else _front_3d(sub)
    return mask


def _dominated_by(cols, p):
    """Rows of the column list `cols` that the point p dominates."""
    le = np.ones(len(cols[0]), dtype=bool)
    lt = np.zeros(len(cols[0]), dtype=bool)
    for c, x in zip(cols, p):
        le &= c >= x
        lt |= c > x
    return le & lt


def _survivors_of_pivots(v, rows):
    """Positions in `rows` not dominated by a few front points of a random sample.

    Removing rows that some point dominates never changes the front, and on real sweeps (and
    on random data) a handful of near-front pivots removes most rows before the sort.
    """
    if len(rows) <= _PIVOT_MIN_ROWS:
        return np.arange(len(rows))
    rng = np.random.default_rng(0)
    sample = v[rows[rng.choice(len(rows), _PIVOT_SAMPLE, replace=False)]]
    front = sample[_front_2d(sample) if v.shape[1] == 2 else _front_3d(sample)]
    front = front[np.lexsort(front.T[::-1])]
    step = max(1, len(front) // _PIVOTS)
    keep = np.arange(len(rows))
    for p in front[::step][:_PIVOTS]:
        cols = [v[rows[keep], j] for j in range(v.shape[1])]
        keep = keep[~_dominated_by(cols, p)]
    return keep


def pareto_mask_bruteforce(values, maximize=None, block=2048):
    """The same mask by comparing every pair: O(n^2), a reference for tests."""
    v = _as_minimize(values, maximize)
    valid = ~np.isnan(v).any(axis=1)
    w = v[valid]
    dominated = np.zeros(len(w), dtype=bool)
    for lo in range(0, len(w), block):
        p = w[lo:lo + block, None, :]          # (b, 1, k): candidates
        le = np.all(w[None, :, :] <= p, axis=2)  # (b, n): q <= p everywhere
        lt = np.any(w[None, :, :] < p, axis=2)   # (b, n): q < p somewhere
        dominated[lo:lo + block] = np.any(le & lt, axis=1)
    mask = np.zeros(len(v), dtype=bool)
    mask[np.flatnonzero(valid)] = ~dominated
    return mask
