"""The analysis subcommands of `python3 -m trim_analysis` (summary lives in __main__)."""

import argparse
import sys

import pandas as pd

from . import decide, filters
from .load import attrs, column_info, load

_EXAMPLES = {
    "pareto": """examples:
  python3 -m trim_analysis pareto sweep.h5 latency energy
  python3 -m trim_analysis pareto sweep.h5 latency_s energy_pj area_mm2 --where 'area_mm2<=20'
  python3 -m trim_analysis pareto sweep.h5 max:throughput_sps power_w --by none --csv front.csv""",
    "best": """examples:
  python3 -m trim_analysis best sweep.h5                       # the job's goal, per network
  python3 -m trim_analysis best sweep.h5 --goal energy --by network,dataflow
  python3 -m trim_analysis best sweep.h5 --goal latency --goal edp --top 3""",
    "sensitivity": """examples:
  python3 -m trim_analysis sensitivity sweep.h5
  python3 -m trim_analysis sensitivity sweep.h5 --goal energy --curves curves.csv""",
    "plot-pareto": """examples:
  python3 -m trim_analysis plot-pareto sweep.h5 latency energy -o pareto.png
  python3 -m trim_analysis plot-pareto sweep.h5 latency energy area -o pareto3d.png""",
    "plot-sensitivity": """examples:
  python3 -m trim_analysis plot-sensitivity sweep.h5 -o sensitivity.png""",
    "plot-layers": """examples:
  trim-eval jobs/quickstart.toml --index 559 --format json > design.json
  python3 -m trim_analysis plot-layers design.json -o layers.png""",
    "plot-roofline": """examples:
  trim-eval jobs/quickstart.toml --index 559 --format json > design.json
  python3 -m trim_analysis plot-roofline design.json --job jobs/quickstart.toml -o roofline.png
  python3 -m trim_analysis plot-roofline design.csv --dram-gbps 25.6""",
    "view": """examples:
  python3 -m trim_analysis view sweep.h5                      # writes sweep.view.hdf
  python3 -m trim_analysis view sweep.h5 --scale log        # physical axes: log10 of s, pJ, mm2
  python3 -m trim_analysis view sweep.h5 -o v.hdf --points pe_rows,pe_cols,energy_pj --scale linear --color energy_pj
then: paraview --script=sweep.view.py   (categorical dataflow colours, titled axes), or
      paraview sweep.view.hdf           (the data alone)""",
}

OBJ_HELP = ("objective: COLUMN (minimized; throughput_sps and utilization are maximized), "
            "min:COLUMN or max:COLUMN; short names latency, energy, edp, area, power, throughput")


def _by(text):
    if text is None:
        return None
    return [] if text.strip().lower() in ("", "none") else [t.strip() for t in text.split(",")]


def _add_filters(p, group=True):
    p.add_argument("--where", action="append", default=[], metavar="COND",
                   help="keep the rows where COND holds: comparisons COL<=X, COL<X, COL>=X, "
                        "COL>X, COL=X, COL!=X, COL in (A, B), COL not in (A, B), joined with "
                        "and, or, not and parentheses; labels for categorical columns "
                        "(dataflow=rs); repeatable, all must hold; a malformed COND exits 2")
    p.add_argument("--all", action="store_true",
                   help="also consider infeasible rows (feasible == 0 or status != ok)")
    if group:
        p.add_argument("--by", metavar="COLS",
                       help="comma-separated grouping columns, or 'none' (default: network and "
                            "every other workload axis with more than one value)")


def _sub(sub, name, help_text):
    return sub.add_parser(name, help=help_text, description=help_text, epilog=_EXAMPLES[name],
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def add_commands(sub):
    """Registers every analysis subcommand on an argparse subparsers object."""
    p = _sub(sub, "pareto", "the Pareto front of 2 or 3 objectives, per workload")
    p.add_argument("file", metavar="FILE")
    p.add_argument("objectives", nargs="+", metavar="OBJ", help=OBJ_HELP)
    _add_filters(p)
    p.add_argument("--csv", metavar="OUT", help="also write the front (every column) as CSV")

    p = _sub(sub, "best", "the best designs per network (or per --by groups) for each goal")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--goal", action="append", metavar="OBJ",
                   help="goal, repeatable (default: the job's [goal] stored in the file); "
                        + OBJ_HELP)
    p.add_argument("--top", type=int, default=1, help="designs per group (default 1)")
    _add_filters(p)
    p.add_argument("--csv", metavar="OUT", help="also write the table (every column) as CSV")

    p = _sub(sub, "sensitivity", "how much the goal depends on each design axis")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--goal", metavar="OBJ", help="default: the job's goal; " + OBJ_HELP)
    p.add_argument("--axes", metavar="A,B", help="axes to rate (default: every hardware axis "
                                                 "and dataflow with two or more values)")
    _add_filters(p)
    p.add_argument("--csv", metavar="OUT", help="write the per-axis table as CSV")
    p.add_argument("--curves", metavar="OUT", help="write the best value per axis value as CSV")

    p = _sub(sub, "plot-pareto", "PNG: designs coloured by dataflow, with the Pareto front")
    p.add_argument("file", metavar="FILE")
    p.add_argument("objectives", nargs="+", metavar="OBJ", help=OBJ_HELP)
    _add_filters(p)
    p.add_argument("-o", "--output", default="pareto.png", help="PNG path (default pareto.png)")
    scale = p.add_mutually_exclusive_group()
    scale.add_argument("--log", dest="log", action="store_true", default=None,
                       help="log axes (default: when a positive objective spans > 20x)")
    scale.add_argument("--linear", dest="log", action="store_false", help="linear axes")

    p = _sub(sub, "plot-sensitivity", "PNG: per-axis sensitivity bars and best-value curves")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--goal", metavar="OBJ", help="default: the job's goal; " + OBJ_HELP)
    p.add_argument("--axes", metavar="A,B", help="axes to plot (default: all with 2+ values)")
    _add_filters(p)
    p.add_argument("-o", "--output", default="sensitivity.png")

    p = _sub(sub, "plot-layers", "PNG: per-layer and per-phase breakdown of trim-eval output")
    p.add_argument("eval", metavar="EVAL", help="trim-eval output, --format json or csv ('-': "
                                                "standard input)")
    p.add_argument("-o", "--output", default="layers.png")
    p.add_argument("--top", type=int, default=40, metavar="N",
                   help="draw the N layer-phases with the largest share of latency or energy "
                        "and sum the rest in one bar (default 40; 0: every layer-phase)")

    p = _sub(sub, "plot-roofline", "PNG: roofline chart of a design's layers (trim-eval output)")
    p.add_argument("eval", metavar="EVAL", help="trim-eval output, --format json or csv ('-': "
                                                "standard input)")
    p.add_argument("--job", metavar="JOB.toml",
                   help="the job given to trim-eval: its hardware file gives dram_gbps")
    p.add_argument("--configs", metavar="DIR", help="presets directory (default: the "
                                                    "repository's configs/)")
    p.add_argument("--dram-gbps", type=float, metavar="GBPS",
                   help="DRAM bandwidth in 10^9 B/s (overrides the job and the design point)")
    p.add_argument("-o", "--output", default="roofline.png")

    p = _sub(sub, "view", "write a ParaView (VTKHDF .hdf) point cloud linked to FILE")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", metavar="VIEW.hdf",
                   help="output path; ParaView 5.11 needs the .hdf extension (default: "
                        "FILE without .h5 + .view.hdf)")
    p.add_argument("--points", default="latency_s,energy_pj,area_mm2", metavar="X,Y,Z",
                   help="1 to 3 columns used as coordinates (default latency_s,energy_pj,"
                        "area_mm2)")
    p.add_argument("--scale", default="log-normalized",
                   choices=("log-normalized", "normalized", "log", "linear"),
                   help="per-coordinate scaling (default log-normalized: log10 then [0, 1]; "
                        "log: log10 of the physical values, axes labelled at whole decades; "
                        "linear: the values themselves)")
    p.add_argument("--color", default="dataflow", metavar="COLUMN",
                   help="column the ParaView script colours by (default dataflow; categorical "
                        "columns get their labels)")


def _needed_columns(path, extra):
    """The columns a command reads: every design axis plus status, feasible and `extra`."""
    a = attrs(path)
    axes = [x for x in str(a.get("axis_order", "")).split(",") if x]
    return list(dict.fromkeys(axes + ["status", "feasible"] + [e for e in extra if e]))


def _constraint_columns(where, path):
    """The columns the --where filters read, after checking each filter's syntax and columns
    against the file (filters.FilterError, exit 2, on any mistake)."""
    names = set(column_info(path)["name"]) | {"index"}
    cols = []
    for w in where:
        filters.check_columns(w, names)
        cols += filters.columns(w)
    return cols


def _show_columns(df, table, by, values):
    """rank, index, the groups, the design axes that vary in the file, the values."""
    axes = [a for a in decide.design_axes(df) if a not in by and df[a].nunique() > 1]
    wanted = ["rank", "index", *by, *axes, *values]
    return [c for c in dict.fromkeys(wanted) if c in table.columns]


def _print(df, out, columns):
    if not len(df):
        print("(no design)", file=out)
        return
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        print(df[columns].to_string(index=False), file=out)


def _pareto(args, out):
    objs = [decide.objective(o) for o in args.objectives]
    by = _by(args.by)
    cols = _needed_columns(args.file, [o.column for o in objs] + (by or []) +
                           _constraint_columns(args.where, args.file))
    df = load(args.file, columns=cols)
    front = decide.pareto_front(df, objs, args.where, not args.all, by)
    cand = decide.constrain(df, args.where, not args.all)
    print(f"# Pareto front of {', '.join(map(repr, objs))}: {len(front)} designs among "
          f"{len(cand)} candidates ({len(df)} rows done)", file=out)
    _print(front, out, _show_columns(df, front, front.attrs["by"], [o.column for o in objs]))
    if args.csv:
        load_all = load(args.file)
        load_all[load_all["index"].isin(front["index"])].to_csv(args.csv, index=False)


def _best(args, out):
    goals = [decide.objective(g) for g in args.goal] if args.goal else [None]
    by = _by(args.by)
    cols = _needed_columns(args.file, [g.column for g in goals if g] + (by or []) +
                           _constraint_columns(args.where, args.file))
    df = load(args.file, columns=cols)
    tables = []
    for g in goals:
        g = g or decide.file_goal(df)
        if g.column not in df.columns:
            df = load(args.file, columns=cols + [g.column])
        t = decide.best(df, g, by, args.top, args.where, not args.all)
        print(f"# best for {g!r}", file=out)
        used_by = decide.workload_axes(df) if by is None else by
        _print(t, out, _show_columns(df, t, used_by, [g.column]))
        t.insert(0, "goal", repr(g))
        tables.append(t)
    if args.csv:
        full = load(args.file)
        rows = []
        for t in tables:
            m = t[["goal", "rank", "index"]].merge(full, on="index", how="left")
            rows.append(m)
        pd.concat(rows, ignore_index=True).to_csv(args.csv, index=False)


def _sensitivity_frames(args):
    g = decide.objective(args.goal) if args.goal else None
    by = _by(args.by)
    cols = _needed_columns(args.file, ([g.column] if g else []) + (by or []) +
                           _constraint_columns(args.where, args.file))
    df = load(args.file, columns=cols)
    if g is None:
        g = decide.file_goal(df)
        if g.column not in df.columns:
            df = load(args.file, columns=cols + [g.column])
    axes = None if not args.axes else [a.strip() for a in args.axes.split(",")]
    return decide.sensitivity(df, g, axes, by, args.where, not args.all)


def _sensitivity(args, out):
    s, c = _sensitivity_frames(args)
    print(f"# sensitivity of {s.attrs['goal']}: relative regret of the worst value of each "
          "axis, the other axes at their best (docs/analysis.md)", file=out)
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        print(s.to_string(index=False) if len(s) else "(no axis with two or more values)",
              file=out)
    if args.csv:
        s.to_csv(args.csv, index=False)
    if args.curves:
        c.to_csv(args.curves, index=False)


def _plot_pareto(args, out):
    from . import plots
    objs = [decide.objective(o) for o in args.objectives]
    by = _by(args.by)
    cols = _needed_columns(args.file, [o.column for o in objs] + (by or []) +
                           _constraint_columns(args.where, args.file))
    df = load(args.file, columns=cols)
    plots.plot_pareto(df, objs, args.output, args.where, not args.all, by, args.log)
    print(f"wrote {args.output}", file=out)


def _plot_sensitivity(args, out):
    from . import plots
    s, c = _sensitivity_frames(args)
    plots.plot_sensitivity(s, c, args.output)
    print(f"wrote {args.output}", file=out)


def _plot_layers(args, out):
    from . import evalout, plots
    plots.plot_layers(evalout.read_eval(args.eval), args.output, top=args.top)
    print(f"wrote {args.output}", file=out)


def _plot_roofline(args, out):
    from . import evalout, plots
    rep = evalout.read_eval(args.eval)
    peak = evalout.peak_macs_per_s(rep)
    bw = evalout.dram_bytes_per_s(rep, args.dram_gbps, args.job, args.configs)
    plots.plot_roofline(rep, args.output, peak, bw)
    print(f"peak compute {peak:.6g} MAC/s, DRAM bandwidth {bw:.6g} B/s, ridge "
          f"{peak / bw:.4g} MAC/B", file=out)
    print(f"wrote {args.output}", file=out)


def _view(args, out):
    from .view import write_view
    points = [p.strip() for p in args.points.split(",")]
    info = write_view(args.file, args.output, points, args.scale, args.color)
    print(f"wrote {info['path']}: {info['rows']} points ({info['valid']} valid), "
          f"{len(info['arrays'])} arrays linked to {args.file}", file=out)
    print(f"points: {','.join(info['points'])} ({info['scale']})", file=out)
    print(f"wrote {info['script']}: ParaView script (points coloured by {args.color}, titled "
          "axes)", file=out)
    print(f"open it with: paraview --script={info['script']}", file=out)


HANDLERS = {
    "pareto": _pareto,
    "best": _best,
    "sensitivity": _sensitivity,
    "plot-pareto": _plot_pareto,
    "plot-sensitivity": _plot_sensitivity,
    "plot-layers": _plot_layers,
    "plot-roofline": _plot_roofline,
    "view": _view,
}


def run(args, out=sys.stdout):
    HANDLERS[args.command](args, out)
