"""Reads what lvsim wrote into pandas tables the figures share.

A source is one of
  - a sweep: its directory or its sweep.db (SQLite; tables runs and series);
  - a single run: its directory or its report.json (curve.csv is not needed:
    the report carries the curve).

Either way the result is a `Results` with
  runs    one row per finished run, in point order: the swept values as
          columns named by their config key (`weight_sram.vdd_v`, ...), then the
          metric columns of the sweep database (accuracy, energy_per_inference_uj, mac_uj, ...),
          always including the population and chip-condition columns (chips, yield,
          age_years, fault_free_vmin_v, ...; NaN where an older lvsim wrote no such
          column) and nominal_vdd_v, the supply nominal_uj was computed at;
  series  the windowed curves: config_hash, end_image, windowed_accuracy,
          windowed_accuracy_ci95, baseline_windowed_accuracy, faulty_bits ...;
  swept   the config keys that take more than one value, in the sweep's order;
  conditions  the swept keys that are conditions, not knobs (as `lvsim optimize`
          tells them: the sweep's [conditions] and the chip's seed, age and
          temperature always);
  config  the resolved configuration the runs share (swept keys removed);
  failed  runs that failed, with their error.

Reading is read-only (SQLite opened with mode=ro), so a report can be made of
a sweep that is still running.
"""
import importlib.util
import json
import os
import sqlite3
import sys


def _require_debian_packages():
    """One line and exit, instead of a traceback, where the plotting stack is missing
    (a pyenv python3 on PATH lacks Debian's packages)."""
    missing = [name for name in ("matplotlib", "numpy", "pandas")
               if importlib.util.find_spec(name) is None]
    if missing:
        prog = os.environ.get("LVSIM_PROG", os.path.basename(sys.argv[0]))
        sys.exit(f"{prog}: error: {', '.join(missing)} missing: install Debian's "
                 "python3-matplotlib, python3-numpy and python3-pandas and run with "
                 "/usr/bin/python3")


_require_debian_packages()

import pandas as pd  # noqa: E402


class SourceError(Exception):
    """A source that is missing or not something lvsim wrote; the message names it."""


# The energy components, in the order lvsim's report lists them (EnergyReport::components()).
ENERGY_COMPONENTS = [
    ("mac", "MAC"),
    ("weight_sram_dynamic", "SRAM dynamic"),
    ("weight_sram_leakage", "SRAM leakage"),
    ("weight_sram_writeback", "SRAM write-back"),
    ("activation_buffer", "activations"),
    ("dram_initial_load", "DRAM load"),
    ("dram_refresh", "DRAM refresh"),
    ("detector_ecc", "detector/ECC"),
    ("vector", "vector unit"),
    ("dram_stream", "DRAM stream"),
]

# A single run's report.json, flattened the way `lvsim sweep` flattens it into
# the runs table (sim/results_db.cpp, metric_columns()).
_REPORT_COLUMNS = {
    "network": ("workload", "network"),
    "dataset": ("workload", "dataset"),
    "vdd_v": ("faults", "vdd_v"),
    "fault_model": ("faults", "model"),
    "fault_unit": ("faults", "unit"),
    "mitigation": ("faults", "mitigation"),
    "read_fault_probability": ("faults", "read_fault_probability"),
    "refresh_interval_images": ("faults", "refresh_interval_images"),
    "refresh_interval_us": ("faults", "refresh_interval_us"),
    "refresh_every_images": ("faults", "refresh_every_images"),
    "refresh_every_us": ("faults", "refresh_every_us"),
    "refreshes": ("faults", "refreshes"),
    "dataflow": ("timing", "dataflow"),
    "weight_format": ("weights", "format"),
    "weight_bytes": ("weights", "stored_bytes"),
    "pruned_fraction": ("weights", "pruned_fraction"),
    "skipped_macs_per_image": ("weights", "skipped_macs_per_image"),
    "images": ("accuracy", "images"),
    "trials": ("accuracy", "trials"),
    "accuracy": ("accuracy", "accuracy"),
    "accuracy_ci95": ("accuracy", "accuracy_ci95"),
    "fault_free_accuracy": ("accuracy", "fault_free_accuracy"),
    "trials_missing_target": ("accuracy", "trials_missing_target"),
    "cycles_per_inference": ("timing", "cycles_per_inference"),
    "latency_us": ("timing", "latency_per_inference_us"),
    "throughput_per_s": ("timing", "throughput_inferences_per_s"),
    "energy_per_inference_uj": ("energy", "per_inference_uj"),
    "edp_uj_ms": ("energy", "energy_delay_product_uj_ms"),
}


# The population, chip-condition and savings columns (issue 25), where a report
# holds them; an older lvsim's runs lack them and read as NaN. Numbers but
# `conditions`, the JSON list of the sweep's condition keys.
_POPULATION_COLUMNS = {
    "chips": ("accuracy", "chips"),
    "yield": ("accuracy", "yield"),
    "yield_ci95_low": ("accuracy", "yield_ci95_low"),
    "yield_ci95_high": ("accuracy", "yield_ci95_high"),
    "chip_accuracy_min": ("accuracy", "chip_accuracy_min"),
    "target_yield": ("accuracy", "target_yield"),
    "age_years": ("faults", "chip", "age_years"),
    "temperature_c": ("faults", "chip", "temperature_c"),
    "nominal_vdd_v": ("energy", "nominal_vdd_v"),
    "nominal_uj": ("energy", "nominal_uj"),
    "fault_free_vmin_v": ("energy", "fault_free_vmin_v"),
    "fault_free_vmin_uj": ("energy", "fault_free_vmin_uj"),
    "saving_guardband_uj": ("energy", "saving_guardband_uj"),
    "saving_fault_tolerance_uj": ("energy", "saving_fault_tolerance_uj"),
    "conditions": ("sweep", "conditions"),
}

# The keys that are conditions of a sweep whether or not its [conditions]
# section lists them (sim/optimize.cpp, condition_keys()).
CHIP_CONDITIONS = ("fault.chip_seed", "chip.age_years", "chip.temperature_c")


class Results:
    def __init__(self, source, kind, runs, series, swept, config, failed, target_drop):
        self.source = source  # the path given
        self.kind = kind  # "sweep" or "run"
        self.runs = runs
        self.series = series
        self.swept = swept
        self.config = config
        self.failed = failed
        self.target_drop = target_drop
        self.conditions = _condition_keys(runs, swept)

    def reference_value(self, key):
        """The value a swept key is held at when a figure does not vary it: the
        first value of the sweep (the one listed first in the config's [sweep])."""
        return self.runs[key].iloc[0]

    def hold_fixed(self, vary):
        """The runs with every swept key other than `vary` at its reference value,
        and a text saying what was held ("" when nothing was)."""
        runs = self.runs
        held = []
        for key in self.swept:
            if key in vary:
                continue
            value = self.reference_value(key)
            runs = runs[runs[key] == value]
            held.append(f"{key} = {value if value != '' else '(empty)'}")
        return runs, ", ".join(held)


def _condition_keys(runs, swept):
    """The swept keys that are conditions, in the sweep's order."""
    listed = set(CHIP_CONDITIONS)
    for text in runs["conditions"].dropna():
        try:
            listed.update(json.loads(text))
        except (TypeError, ValueError):
            pass  # not a list lvsim wrote: no conditions from it
    return [key for key in swept if key in listed]


def _with_population_columns(runs):
    """Every population column present, numbers as numbers (NaN where missing)."""
    for column in _POPULATION_COLUMNS:
        if column not in runs:
            runs[column] = None
        if column != "conditions":
            runs[column] = pd.to_numeric(runs[column], errors="coerce")
    return runs


def _dig(tree, path):
    for step in path:
        if not isinstance(tree, dict) or step not in tree:
            return None
        tree = tree[step]
    return tree


def _find_database(path):
    if os.path.isdir(path):
        for name in ("sweep.db", "report.json"):
            candidate = os.path.join(path, name)
            if os.path.exists(candidate):
                return candidate
        raise SourceError(f"{path}: holds neither sweep.db (lvsim sweep) nor report.json (lvsim run)")
    if not os.path.exists(path):
        raise SourceError(f"{path}: not found (expected a sweep directory, sweep.db, a run "
                          "directory or report.json)")
    return path


def load(path):
    """Reads a sweep or a run; raises SourceError naming the file on bad input."""
    found = _find_database(path)
    if found.endswith(".json"):
        return _load_run(path, found)
    return _load_sweep(path, found)


def _swept_order(runs, keys):
    """Swept keys in the order the sweep varies them: the key whose value changes
    between consecutive points most often last (the innermost loop)."""
    changes = {key: int((runs[key] != runs[key].shift()).sum()) for key in keys}
    return [k for k in sorted(keys, key=lambda k: changes[k]) if runs[k].nunique() > 1]


def _load_sweep(path, db_path):
    try:
        connection = sqlite3.connect(f"file:{os.path.abspath(db_path)}?mode=ro", uri=True)
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise SourceError(f"{db_path}: not an SQLite database ({error})") from None
    if "runs" not in tables:
        raise SourceError(f"{db_path}: no runs table (not written by lvsim sweep)")
    try:  # the nominal supply is in the stored report only (SQLite's JSON functions)
        table = pd.read_sql_query("SELECT *, json_extract(report, '$.energy.nominal_vdd_v') "
                                  "AS nominal_vdd_v FROM runs ORDER BY point", connection)
    except (sqlite3.DatabaseError, pd.errors.DatabaseError):
        table = pd.read_sql_query("SELECT * FROM runs ORDER BY point", connection)
    series = (pd.read_sql_query("SELECT * FROM series ORDER BY config_hash, end_image", connection)
              if "series" in tables else pd.DataFrame())
    connection.close()

    failed = table[table["status"] != "done"][["point", "axes", "error"]].reset_index(drop=True)
    runs = table[table["status"] == "done"].copy()
    if runs.empty:
        raise SourceError(f"{db_path}: no finished runs yet")
    axes = [json.loads(text) for text in runs["axes"]]
    keys = sorted({key for a in axes for key in a})
    for key in keys:
        runs[key] = [a.get(key, "") for a in axes]
    runs = _with_population_columns(runs.reset_index(drop=True))
    swept = _swept_order(runs, keys)

    config = json.loads(runs["config"].iloc[0])
    for key in swept:
        config[key] = "swept: " + ", ".join(dict.fromkeys(runs[key]))
    target_drop = float(config.get("report.target_drop", 0.01))
    runs = runs.drop(columns=["config", "report"])
    return Results(path, "sweep", runs, series, swept, config, failed, target_drop)


def _load_run(path, report_path):
    try:
        with open(report_path) as stream:
            report = json.load(stream)
    except (OSError, ValueError) as error:
        raise SourceError(f"{report_path}: not a readable JSON report ({error})") from None
    try:
        row = {name: report[a][b] for name, (a, b) in _REPORT_COLUMNS.items()}
        for component, _ in ENERGY_COMPONENTS:
            row[component + "_uj"] = report["energy"]["breakdown_per_inference_uj"].get(component, 0.0)
        misses = [t["images_to_target"] for t in report["accuracy"]["per_trial"]
                  if t["images_to_target"] > 0]
        row["first_image_missing_target"] = min(misses) if misses else 0
        curve = pd.DataFrame(report["accuracy"]["curve"])
        row["final_faulty_bits"] = float(curve["faulty_bits"].iloc[-1]) if len(curve) else 0.0
        config = report["config"]
        target_drop = float(report["accuracy"]["target_drop"])
    except (KeyError, TypeError) as error:
        raise SourceError(f"{report_path}: missing field {error} (not an lvsim run report, "
                          "or one from an older lvsim: run it again)") from None
    for column, fields in _POPULATION_COLUMNS.items():
        row[column] = _dig(report, fields)
    row["conditions"] = json.dumps(row["conditions"]) if row["conditions"] is not None else None
    row.update({"config_hash": "run", "point": 0, "axes": "{}", "seed": config.get("sim.seed")})
    runs = _with_population_columns(pd.DataFrame([row]))
    curve["config_hash"] = "run"
    failed = pd.DataFrame(columns=["point", "axes", "error"])
    return Results(path, "run", runs, curve, [], config, failed, target_drop)


# Short labels for swept values, used in legends and point labels.
_SHORT = {
    "weight_sram.vdd_v": lambda v: f"{v} V",
    "refresh.interval_images": lambda v: "no refresh" if str(v) == "0" else f"refresh {v}",
    "fault.p": lambda v: f"p = {v}",
    "weight_sram.mitigation": str,
    "weights.format": str,
    "weights.fault_layers": lambda v: f"faults in {v or 'all'}",
    "weights.prune_threshold": lambda v: f"prune < {v}",
    "chip.age_years": lambda v: f"age {v} y",
    "chip.temperature_c": lambda v: f"{v} °C",
}


def short(key, value):
    """A short legend text for one swept value."""
    return _SHORT.get(key, lambda v: f"{key.split('.')[-1]} = {v}")(value)


def label(row, keys):
    """A short text naming a run by its values of `keys`."""
    return ", ".join(short(key, row[key]) for key in keys)
