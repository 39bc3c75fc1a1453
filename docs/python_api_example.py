#!/usr/bin/python3
"""A walk through the in-process Python API (docs/python-api.md), cell by cell.

Run from the repository root after building (cmake --build build):
    PYTHONPATH=python /usr/bin/python3 docs/python_api_example.py
"""

# %% 1. A job from a file: its design space, and one design point in detail.
import trim

job = trim.Job("jobs/quickstart.toml")
print(f"libtrim {trim.version()}: {job.size} design points")
print("axes:", ", ".join(f"{a['name']} ({len(a.get('values') or a['labels'])})"
                         for a in job.axes))
r = job.evaluate(553)
print(r, r.point)
print(r.layers[["layer", "phase", "macs", "latency_s", "energy_pj"]].head(8).to_string())
print(r.totals[["latency_s", "energy_pj", "area_mm2"]].to_string(index=False))

# %% 2. Where does the energy go? Sum the per-layer components.
parts = [c for c in r.layers.columns if c.startswith("energy_") and c != "energy_pj"]
share = r.layers[parts].sum() / r.layers["energy_pj"].sum()
print((100 * share).round(1).to_string())

# %% 3. A job written as a dict (no file): square arrays only, three buffer sizes, two
# dataflows, ResNet-18 inference and training.
design = {
    "job": {"hardware": "eyeriss-v1"},
    "sweep": {"pe_rows": [8, 16, 32], "pe_cols": [8, 16, 32], "glb_kib": [128, 512, 2048]},
    "link": {"square": ["pe_rows", "pe_cols"]},
    "workload": {"networks": ["resnet18"], "dataflows": ["rs", "ws"],
                 "mode": ["inference", "training"]},
}
study = trim.Job(design)
table = study.evaluate_many()  # one row per point, like trim_analysis.load() of a sweep
print(f"{study.size} points")  # 3 square sizes x 3 buffers x 2 dataflows x 2 modes = 36
assert study.size == 36

# %% 4. Pandas from here on: the fastest feasible design per mode.
ok = table[table["status"] == "ok"]
best = ok.loc[ok.groupby("mode")["latency_s"].idxmin()]
print(best[["mode", "pe_rows", "pe_cols", "glb_kib", "dataflow", "latency_s", "energy_pj",
            "area_mm2"]].to_string(index=False))

# %% 5. Mistakes raise trim.TrimError with the message trim-sweep would print.
try:
    trim.Job({**design, "sweep": {"pe_row": [8]}})
except trim.TrimError as e:
    print(e)
