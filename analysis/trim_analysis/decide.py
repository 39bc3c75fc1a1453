"""From a loaded results frame to decisions: constraints, Pareto fronts, best designs, axis
sensitivity.

Every function takes the DataFrame of trim_analysis.load() (or any frame with the same columns)
and returns a new DataFrame; nothing is modified in place. docs/analysis.md defines each
quantity.

Objectives and goals are written `COLUMN`, `min:COLUMN` or `max:COLUMN`. COLUMN is a results
column or one of the goal short names of docs/job-format.md (latency, energy, edp, area, power,
throughput). Without a prefix a column is minimized, except the "more is better" columns
throughput_sps and utilization, which are maximized.
"""

import re

import numpy as np
import pandas as pd

from . import filters
from .pareto import pareto_mask

# Goal short names (docs/job-format.md), shared with the filters.
SHORT_NAMES = filters.SHORT_NAMES
MORE_IS_BETTER = frozenset(("throughput_sps", "utilization"))
# Design axes that describe the workload rather than the accelerator. Designs are only
# compared within one workload: the best design "per network" is per combination of these.
WORKLOAD_AXES = ("network", "batch", "mode", "precision")
# Axes the designer chooses besides the hardware parameters.
CHOICE_AXES = ("dataflow",)


class Objective:
    """One objective: a column and a direction."""

    def __init__(self, column, maximize):
        self.column = column
        self.maximize = bool(maximize)

    def __repr__(self):
        return f"{'max' if self.maximize else 'min'}:{self.column}"

    def better(self, a, b):
        """Is value a strictly better than value b?"""
        return a > b if self.maximize else a < b


def objective(spec):
    """Parses `COLUMN`, `min:COLUMN`, `max:COLUMN`, `minimize COLUMN` or an Objective."""
    if isinstance(spec, Objective):
        return spec
    text = str(spec).strip()
    m = re.fullmatch(r"(min|max|minimize|maximize)\s*[: ]\s*(\S+)", text)
    if m:
        column = SHORT_NAMES.get(m.group(2), m.group(2))
        return Objective(column, m.group(1).startswith("max"))
    column = SHORT_NAMES.get(text, text)
    return Objective(column, column in MORE_IS_BETTER)


def file_goal(df):
    """The job's goal stored in the file (root attribute `goal`), else minimize latency_s."""
    return objective(df.attrs.get("goal") or "latency_s")


def _check_columns(df, names):
    missing = [n for n in names if n not in df.columns]
    if missing:
        hint = ""
        if df.attrs.get("output_columns") == "chosen":
            hint = ("; the job's [output] columns stored only some result columns: add "
                    "the missing ones there and run the sweep again")
        raise KeyError(
            f"no column {', '.join(repr(n) for n in missing)}; columns: {', '.join(df.columns)}"
            + hint
        )


def parse_constraint(text):
    """One comparison `COL<=X`, `COL>=X`, `COL<X`, `COL>X`, `COL=X`, `COL!=X` as a tuple
    (column, op, value): value a float, or a label for = and != (filters.FilterError otherwise).
    Whole expressions (and, or, in) are read by trim_analysis.filters."""
    tree = filters.parse(text)
    if not isinstance(tree, filters.Compare) or tree.op in ("in", "notin"):
        raise filters.FilterError(text, "not a single comparison",
                                  "write COLUMN<=VALUE, COLUMN>=VALUE or COLUMN=VALUE")
    column, op, value = tree.column, tree.op, tree.values[0]
    number = value.number()
    if number is None:
        if op not in ("=", "!="):
            raise filters.FilterError(text, f"{op} needs a number, not {str(value)!r}",
                                      f"write {column}{op}20, or {column}={value}")
        return column, op, str(value)
    return column, op, number


def constrain(df, constraints=None, feasible_only=True):
    """The rows that satisfy every constraint.

    `constraints` is a filter expression (trim_analysis.filters: comparisons, !=, in, and, or,
    not), an iterable of such strings or of (column, op, value) tuples, or a dict
    {column: (min, max)} with None for an open side (bounds inclusive) or {column: label}.
    With feasible_only (the default) rows must also have feasible == 1 and status == "ok"
    (the job's own [constraints] are already folded into `feasible`).
    """
    keep = np.ones(len(df), dtype=bool)
    if feasible_only:
        if "feasible" in df.columns:
            keep &= df["feasible"].to_numpy() == 1
        if "status" in df.columns:
            keep &= (df["status"] == "ok").to_numpy()
    items = []
    if isinstance(constraints, dict):
        for column, bound in constraints.items():
            if isinstance(bound, tuple):
                lo, hi = bound
                if lo is not None:
                    items.append((column, ">=", float(lo)))
                if hi is not None:
                    items.append((column, "<=", float(hi)))
            else:
                items.append((column, "=", bound))
    elif isinstance(constraints, str):
        keep &= filters.mask(constraints, df)
    elif constraints:
        for c in constraints:
            if isinstance(c, str):
                keep &= filters.mask(c, df)  # a whole --where expression
            else:
                items.append(tuple(c))
    _check_columns(df, [c for c, _, _ in items])
    for column, op, value in items:
        col = df[column]
        if op in ("=", "!="):
            m = (col == value).to_numpy()
            keep &= m if op == "=" else ~m
            continue
        x = col.to_numpy(dtype=np.float64)
        keep &= {"<=": x <= value, ">=": x >= value, "<": x < value, ">": x > value}[op]
    return df[keep]


def pareto_front(df, objectives, constraints=None, feasible_only=True, by=None):
    """The rows on the Pareto front of 2 or 3 objectives, among those that pass `constrain`.

    by: columns whose groups get a front each (default: workload_axes(df), one front per
    network and workload; [] = one front over all rows). Returns the fronts sorted by group,
    then by the objectives (best first), with the frame's columns.
    """
    objs = [objective(o) for o in objectives]
    if len(objs) not in (2, 3):
        raise ValueError(f"a Pareto front needs 2 or 3 objectives, got {len(objs)}")
    by = workload_axes(df) if by is None else ([by] if isinstance(by, str) else list(by))
    _check_columns(df, [o.column for o in objs] + by)
    cand = constrain(df, constraints, feasible_only)
    on_front = np.zeros(len(cand), dtype=bool)
    values = np.column_stack([cand[o.column].to_numpy(dtype=np.float64) for o in objs])
    maximize = [o.maximize for o in objs]
    if by:
        codes = cand.groupby(by[0] if len(by) == 1 else by, observed=True, sort=False).ngroup()
        codes = codes.to_numpy()
        for g in np.unique(codes):
            rows = np.flatnonzero(codes == g)
            on_front[rows] = pareto_mask(values[rows], maximize)
    elif len(cand):
        on_front = pareto_mask(values, maximize)
    front = cand[on_front]
    out = front.sort_values(by + [o.column for o in objs],
                            ascending=[True] * len(by) + [not o.maximize for o in objs],
                            kind="stable").reset_index(drop=True)
    out.attrs["objectives"] = [repr(o) for o in objs]
    out.attrs["by"] = by
    return out


def workload_axes(df):
    """The workload axes present in the frame that group designs (see WORKLOAD_AXES).

    network always (when present); batch, mode and precision when they take more than one value.
    """
    out = []
    for a in WORKLOAD_AXES:
        if a in df.columns and (a == "network" or df[a].nunique(dropna=True) > 1):
            out.append(a)
    return out


def design_axes(df):
    """The axes a designer chooses: the hardware axes of the file and dataflow.

    Read from df.attrs["axis_order"] (set by load()); without it, every /params column that is
    not a workload axis.
    """
    order = df.attrs.get("axis_order") or []
    if not order:
        order = [c for c in df.columns if c in df.attrs.get("params", ())]
    return [a for a in order if a in df.columns and a not in WORKLOAD_AXES]


def best(df, goal=None, by=None, top=1, constraints=None, feasible_only=True):
    """The `top` best rows for `goal` in each group of `by`.

    goal: an objective (default: the job's goal stored in the file). by: a column name or list
    (default: workload_axes(df), i.e. per network and per workload); [] ranks the whole frame.
    Ties keep the lower design index first. Adds a column `rank` (1 = best in its group).
    """
    g = objective(goal) if goal is not None else file_goal(df)
    by = workload_axes(df) if by is None else ([by] if isinstance(by, str) else list(by))
    _check_columns(df, [g.column, *by])
    cand = constrain(df, constraints, feasible_only)
    sort_cols = [g.column] + (["index"] if "index" in cand.columns else [])
    ranked = cand.sort_values(sort_cols, ascending=[not g.maximize] + [True] * (len(sort_cols) - 1),
                              kind="stable")
    if by:
        ranked = ranked.groupby(by, observed=True, sort=True, group_keys=False).head(top)
        ranked = ranked.sort_values(by + sort_cols,
                                    ascending=[True] * len(by) + [not g.maximize] +
                                    [True] * (len(sort_cols) - 1), kind="stable")
        ranks = ranked.groupby(by, observed=True, sort=False).cumcount() + 1
    else:
        ranked = ranked.head(top)
        ranks = np.arange(1, len(ranked) + 1)
    out = ranked.reset_index(drop=True)
    out.insert(0, "rank", np.asarray(ranks))
    out.attrs["goal"] = repr(g)
    return out


def _groups(df, by):
    """[(key tuple, sub-frame)] for the non-empty groups of `by` ([] = one group, key ())."""
    if not by:
        return [((), df)]
    out = []
    for key, part in df.groupby(by[0] if len(by) == 1 else by, observed=True, sort=True):
        out.append((key if isinstance(key, tuple) else (key,), part))
    return out


def sensitivity(df, goal=None, axes=None, by=None, constraints=None, feasible_only=True):
    """How much the goal depends on each design axis.

    For a group of `by` (default: per network and workload) and an axis a with values v, let
    best(v) be the best goal value over the feasible designs with a = v (all other axes free),
    and best* the best over the group. The sensitivity of a is the relative regret of fixing a
    at its worst value:

        minimize: max_v best(v) / best* - 1         maximize: 1 - min_v best(v) / best*

    0 means the axis does not matter at the optimum of the others; 1 (minimize) means the worst
    choice doubles the goal. Values of an axis without any feasible design are left out of the
    max and counted in `infeasible_values`.

    Returns (summary, curves): summary has one row per (group, axis) with sensitivity,
    best_value (the axis value of best*), worst_value, values, infeasible_values, sorted by
    decreasing sensitivity within each group; curves has one row per (group, axis, value) with
    `best` = best(v) (NaN when no design is feasible) and `designs` = feasible designs with a = v.
    """
    g = objective(goal) if goal is not None else file_goal(df)
    by = workload_axes(df) if by is None else ([by] if isinstance(by, str) else list(by))
    axes = [a for a in design_axes(df) if df[a].nunique(dropna=True) > 1] if axes is None \
        else list(axes)
    _check_columns(df, [g.column, *by, *axes])
    cand = constrain(df, constraints, feasible_only)
    groups = _groups(df, by)
    feasible_groups = dict(_groups(cand, by))
    summary, curves = [], []
    for key, whole in groups:
        part = feasible_groups.get(key, cand.iloc[:0])
        labels = dict(zip(by, key))
        for a in axes:
            values = pd.unique(whole[a].dropna())
            if isinstance(whole[a].dtype, pd.CategoricalDtype):
                order = list(whole[a].cat.categories)
                values = sorted(values, key=order.index)
            else:
                values = np.sort(values)
            stat = part.groupby(a, observed=True)[g.column].agg(["max" if g.maximize else "min",
                                                                 "size"])
            stat.columns = ["best", "designs"]
            rows = []
            for v in values:
                b = stat["best"].get(v, np.nan)
                n = int(stat["designs"].get(v, 0))
                rows.append((v, b, n))
                curves.append({**labels, "axis": a, "value": v, "best": b, "designs": n})
            finite = [(v, b) for v, b, n in rows if n > 0]
            rec = {**labels, "axis": a, "values": len(values),
                   "infeasible_values": len(values) - len(finite)}
            if finite:
                pick_best = max if g.maximize else min
                pick_worst = min if g.maximize else max
                vb, bb = pick_best(finite, key=lambda t: t[1])
                vw, bw = pick_worst(finite, key=lambda t: t[1])
                if bb == 0:
                    s = 0.0 if bw == bb else np.inf
                else:
                    s = (1 - bw / bb) if g.maximize else (bw / bb - 1)
                rec.update(sensitivity=float(s), best_value=vb, worst_value=vw, best=bb,
                           worst=bw)
            else:
                rec.update(sensitivity=np.nan, best_value=None, worst_value=None, best=np.nan,
                           worst=np.nan)
            summary.append(rec)
    cols = [*by, "axis", "sensitivity", "best_value", "worst_value", "best", "worst", "values",
            "infeasible_values"]
    s = pd.DataFrame(summary, columns=cols)
    if len(s):
        s = s.sort_values([*by, "sensitivity"], ascending=[True] * len(by) + [False],
                          kind="stable", na_position="last").reset_index(drop=True)
    c = pd.DataFrame(curves, columns=[*by, "axis", "value", "best", "designs"])
    s.attrs["goal"] = c.attrs["goal"] = repr(g)
    return s, c
