"""Timing of the Pareto front on synthetic data: python3 -m trim_analysis.bench [--rows N].

Cases: uniform random objectives (a small front, the common shape of real sweeps) and
anti-correlated ones (a large front: every point of the 2-D case is on it). The numbers in
docs/analysis.md come from this script.
"""

import argparse
import time

import numpy as np

from .pareto import pareto_mask


def _case(name, values):
    t0 = time.perf_counter()
    mask = pareto_mask(values)
    dt = time.perf_counter() - t0
    print(f"{name:<34} {len(values):>11,d} rows  {int(mask.sum()):>11,d} on the front  "
          f"{dt:7.2f} s")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=10_000_000)
    n = p.parse_args().rows
    rng = np.random.default_rng(0)
    _case("2 objectives, uniform", rng.random((n, 2)))
    _case("3 objectives, uniform", rng.random((n, 3)))
    v = rng.random((n, 2))
    v[:, 1] = 1.0 - v[:, 0]
    _case("2 objectives, all on the front", v)
    w = rng.random((n // 10, 3))
    w /= w.sum(axis=1, keepdims=True)
    _case("3 objectives, all on the front", w)


if __name__ == "__main__":
    main()
