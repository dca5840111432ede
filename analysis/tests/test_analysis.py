"""The analysis figures and the HTML report, built from small results files that
lvsim itself writes here (a few hundred images per point, so the suite stays
fast). Run by CTest (test `analysis`) or directly:

    LVSIM=build/lvsim /usr/bin/python3 -m pytest -q analysis/tests

LVSIM names the lvsim binary (default build/lvsim); MNIST is found the way
lvsim finds it (LVSIM_DATA_DIR, else data/mnist).
"""
import json
import os
import re
import sqlite3
import subprocess
import sys

import pytest
from matplotlib.collections import PathCollection

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))

import figures  # noqa: E402
import lvsim_results  # noqa: E402
import operating_points  # noqa: E402
import report  # noqa: E402

LVSIM = os.path.abspath(os.environ.get("LVSIM", os.path.join(REPO, "build", "lvsim")))


def lvsim(*args):
    result = subprocess.run([LVSIM, *args], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, f"lvsim {' '.join(args)} failed:\n{result.stderr}"
    return result


def sweep(tmp, name, ini):
    path = tmp / f"{name}.ini"
    path.write_text(ini)
    out = tmp / name
    lvsim("sweep", "--config", str(path), "--out", str(out), "--quiet")
    return lvsim_results.load(str(out))


# ------------------------------------------------------------------------ sweeps

@pytest.fixture(scope="session")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("lvsim")


@pytest.fixture(scope="session")
def voltage(tmp):
    """3 voltages x 2 mitigations x 2 refresh intervals, 2 trials: the fault
    curves, energy-voltage, refresh and Pareto figures."""
    return sweep(tmp, "voltage", """
[workload]
images = 300
[fault]
preset = minerva-40nm
mechanism = upset
[sim]
trials = 2
[report]
window_images = 50
[sweep]
weight_sram.vdd_v = 0.9, 0.6, 0.56
weight_sram.mitigation = flip, zero
refresh.interval_images = 0, 100
""")


@pytest.fixture(scope="session")
def layers(tmp):
    return sweep(tmp, "layers", """
[workload]
images = 200
[fault]
preset = seed004
protect_sign = false
p = 1e-3
[sim]
trials = 2
[sweep]
weights.fault_layers = conv1, fc2
weight_sram.mitigation = flip, zero
""")


@pytest.fixture(scope="session")
def formats(tmp):
    return sweep(tmp, "formats", """
[workload]
images = 200
[sweep]
weights.format = trunc-32, trunc-8, trunc-4, int-8, int-4, fp16
""")


@pytest.fixture(scope="session")
def pruned(tmp):
    return sweep(tmp, "pruned", """
[workload]
images = 200
[sweep]
weights.prune_threshold = 0, 0.01, 0.05
mac_array.rows = 8, 16
""")


@pytest.fixture(scope="session")
def single_run(tmp):
    out = tmp / "run"
    lvsim("run", "--images", "300", "--set", "weight_sram.vdd_v=0.58",
          "--set", "fault.preset=minerva-40nm", "--set", "fault.mechanism=upset",
          "--set", "weight_sram.mitigation=zero", "--out", str(out), "--quiet")
    return lvsim_results.load(str(out))


@pytest.fixture(autouse=True)
def close_figures():
    """Each test's figures closed after it (matplotlib keeps every open one)."""
    yield
    figures.plt.close("all")


def lines(ax):
    """The labelled data lines of an axes, by label."""
    return {line.get_label(): line for line in ax.get_lines()
            if not line.get_label().startswith("_")}


# ---------------------------------------------------------------------- loading

def test_load_reads_every_run_and_the_swept_keys(voltage):
    assert len(voltage.runs) == 12
    assert set(voltage.swept) == {"weight_sram.vdd_v", "weight_sram.mitigation",
                                  "refresh.interval_images"}
    assert voltage.config["weight_sram.vdd_v"].startswith("swept: ")
    assert voltage.series.groupby("config_hash")["end_image"].max().eq(300).all()


def test_load_names_the_bad_source(tmp):
    with pytest.raises(lvsim_results.SourceError, match="nothing-here"):
        lvsim_results.load(str(tmp / "nothing-here"))
    junk = tmp / "junk.db"
    junk.write_text("not a database")
    with pytest.raises(lvsim_results.SourceError, match="junk.db"):
        lvsim_results.load(str(junk))


# ----------------------------------------------------------------------- figures

def test_fault_curves_panel_per_mitigation_line_per_voltage(voltage):
    figure = figures.fault_curves(voltage)
    axes = figure.fig.axes
    assert [ax.get_title() for ax in axes] == ["flip", "zero"]
    for ax in axes:
        assert ax.get_xlabel() == "images processed"
        named = lines(ax)
        assert set(named) == {"0.9 V", "0.6 V", "0.56 V", "fault-free"}
        x, y = named["0.9 V"].get_data()
        assert list(x) == [50, 100, 150, 200, 250, 300]
        assert all(0 <= v <= 100 for v in y)
    # Confidence bands over the 2 trials where they differ (zero at 0.6 V and below; under
    # flip both trials may collapse to the same class and have no spread).
    assert len(axes[1].collections) >= 1
    assert "refresh.interval_images = 0" in figure.caption  # what was held fixed


def test_fault_curves_follow_the_database(voltage):
    figure = figures.fault_curves(voltage)
    run = voltage.runs[(voltage.runs["weight_sram.vdd_v"] == "0.56")
                       & (voltage.runs["weight_sram.mitigation"] == "zero")
                       & (voltage.runs["refresh.interval_images"] == "0")].iloc[0]
    curve = voltage.series[voltage.series["config_hash"] == run["config_hash"]]
    _, y = lines(figure.fig.axes[1])["0.56 V"].get_data()
    assert list(y) == pytest.approx(list(100 * curve["windowed_accuracy"]))


def test_energy_vs_voltage_stacks_components_and_shows_accuracy(voltage):
    figure = figures.energy_vs_voltage(voltage)
    bars_axes = [ax for ax in figure.fig.axes if ax.get_xlabel() == "weight SRAM voltage (V)"]
    assert [ax.get_title() for ax in bars_axes] == ["flip", "zero"]
    ax = bars_axes[1]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.56", "0.6", "0.9"]
    stacks = ax.containers
    assert {c.get_label() for c in stacks} >= {"MAC", "SRAM dynamic", "SRAM leakage", "activations"}
    # The stack's top is each run's energy per inference (refresh at its reference, never).
    top = sum(c.patches[0].get_height() for c in stacks)
    run = voltage.runs[(voltage.runs["weight_sram.vdd_v"] == "0.56")
                       & (voltage.runs["weight_sram.mitigation"] == "zero")
                       & (voltage.runs["refresh.interval_images"] == "0")].iloc[0]
    assert top == pytest.approx(run["energy_per_inference_uj"], rel=1e-9)
    # Energy falls with voltage.
    tops = [sum(c.patches[i].get_height() for c in stacks) for i in range(3)]
    assert tops[0] < tops[1] < tops[2]
    twin = [a for a in figure.fig.axes if a not in bars_axes and a.get_ylabel() == "accuracy (%)"]
    assert twin, "accuracy on a second axis"
    labels = {c.get_label() for a in figure.fig.axes for c in a.containers}
    assert {"accuracy, no refresh", "accuracy, refresh 100"} <= labels


def test_refresh_needed_per_mitigation(voltage):
    figure = figures.refresh_needed(voltage)
    ax = figure.fig.axes[0]
    assert ax.get_xlabel() == "weight SRAM voltage (V)"
    assert ax.get_yscale() == "log"
    named = lines(ax)
    assert set(named) == {"flip: largest swept interval kept", "zero: largest swept interval kept",
                          "flip: target first missed (no refresh)",
                          "zero: target first missed (no refresh)"}
    x, y = named["zero: largest swept interval kept"].get_data()
    assert list(x) == [0.56, 0.6, 0.9]
    never = 2 * 300
    assert y[-1] == never  # 0.9 V: fault-free, refresh never needed
    assert y[0] <= y[1] <= y[2]  # lower voltage needs more frequent refresh (or none helps)


def test_pareto_front_is_labelled_and_dominates(voltage):
    figure = figures.pareto(voltage)
    ax = figure.fig.axes[0]
    assert ax.get_xlabel() == "energy per inference (uJ)"
    front = lines(ax)["Pareto front"]
    energy, accuracy = front.get_data()
    assert list(energy) == sorted(energy)
    assert all(b > a for a, b in zip(accuracy, accuracy[1:]))
    runs = voltage.runs
    for e, a in zip(energy, accuracy):  # no run is both cheaper and more accurate
        better = runs[(runs["energy_per_inference_uj"] < e) & (100 * runs["accuracy"] > a)]
        assert better.empty
    numbers = [t.get_text() for t in ax.texts if t.get_text().isdigit()]
    assert numbers == [str(n) for n in range(1, len(energy) + 1)]
    key = [t.get_text() for t in ax.texts if not t.get_text().isdigit()]
    assert len(key) == 1 and len(key[0].splitlines()) == len(energy)
    assert all(re.match(rf"{n + 1}: [0-9.]+ V, (flip|zero), (no refresh|refresh 100)$", line)
               for n, line in enumerate(key[0].splitlines()))


def test_layer_sensitivity_bars(layers):
    figure = figures.layer_sensitivity(layers)
    ax = figure.fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["conv1", "fc2"]
    bars = {c.get_label(): c for c in ax.containers if hasattr(c, "patches")}
    assert set(bars) == {"flip", "zero"}
    for mitigation, container in bars.items():
        for layer, patch in zip(["conv1", "fc2"], container.patches):
            run = layers.runs[(layers.runs["weights.fault_layers"] == layer)
                              & (layers.runs["weight_sram.mitigation"] == mitigation)].iloc[0]
            assert patch.get_height() == pytest.approx(
                100 * (run["fault_free_accuracy"] - run["accuracy"]))


def test_bits_kept_lines_per_format_family(formats):
    figure = figures.bits_kept(formats)
    ax = figure.fig.axes[0]
    assert ax.get_xlabel() == "bits kept per weight (K)"
    families = {c.get_label(): c for c in ax.containers}
    assert set(families) == {"fp32 truncated to K bits", "K-bit integer"}
    x, _ = families["fp32 truncated to K bits"].lines[0].get_data()
    assert list(x) == [4, 8, 32]
    others = [text for text in ax.get_legend_handles_labels()[1] if text.startswith("fp16")]
    fp16 = formats.runs[formats.runs["weights.format"] == "fp16"].iloc[0]
    assert others == [f"fp16: {100 * fp16['accuracy']:.2f} %"]


def test_pruning_accuracy_and_pruned_share(pruned):
    figure = figures.pruning(pruned)
    ax, twin = figure.fig.axes
    x, pruned_share = lines(twin)["weights pruned"].get_data()
    assert list(x) == [0, 0.01, 0.05]
    assert pruned_share[0] == 0 and pruned_share[0] < pruned_share[1] < pruned_share[2]


def test_other_swept_keys_get_accuracy_energy_cycles(pruned):
    made = figures.swept_key_figures(pruned)
    assert [f.name for f in made] == ["swept_mac_array_rows"]
    ylabels = [ax.get_ylabel() for ax in made[0].fig.axes]
    assert ylabels == ["accuracy (%)", "energy per inference (uJ)", "cycles per inference"]
    _, cycles = made[0].fig.axes[2].get_lines()[0].get_data()
    assert cycles[0] > cycles[1]  # 8 rows take more cycles than 16


def test_figures_that_do_not_apply_are_left_out(formats, single_run):
    names = [f.name for f in figures.build_all(formats)]
    assert "energy_vs_voltage" not in names and "layer_sensitivity" not in names
    assert "fault_curves" not in names  # no faulty bit in the whole sweep
    assert [f.name for f in figures.build_all(single_run)] == ["fault_curves", "energy_breakdown"]


# ------------------------------------------------------------------------ report

def test_report_embeds_every_figure_table_and_config(voltage, tmp):
    page = report.render(voltage)
    built = figures.build_all(voltage)
    assert {f.name for f in built} == {"fault_curves", "energy_vs_voltage", "refresh_needed",
                                       "pareto"}
    for figure in built:
        assert f"id='fig-{figure.name}'" in page
        assert f"href='#fig-{figure.name}'" in page
    assert page.count("src='data:image/png;base64,") == len(built)
    assert "http://" not in page and "https://" not in page  # viewable offline
    assert page.count("<tr class=") == len(voltage.runs)
    assert "weight_sram.vdd_v = swept: 0.9, 0.6, 0.56" in page
    assert "operating point" in page


def test_report_cli_writes_the_page_and_rejects_bad_input(voltage, tmp):
    out = tmp / "page.html"
    done = subprocess.run([sys.executable, os.path.join(REPO, "analysis", "report.py"),
                           voltage.source, "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")
    bad = subprocess.run([sys.executable, os.path.join(REPO, "analysis", "report.py"),
                          str(tmp / "missing"), "--out", str(tmp / "never.html")],
                         capture_output=True, text=True)
    assert bad.returncode != 0
    assert bad.stderr.strip().count("\n") == 0 and "missing" in bad.stderr
    assert not (tmp / "never.html").exists()


def test_lvsim_report_command_runs_the_script(voltage, tmp):
    out = tmp / "from-lvsim.html"
    lvsim("report", voltage.source, "--out", str(out))
    assert "id='fig-pareto'" in out.read_text()


# ------------------------------------------------- populations, aging, operating points
#
# Hand-made databases with the columns `lvsim sweep` writes (sim/results_db.cpp), so
# that yields, ages and the operating points they lead to are known exactly.

_RUN_DEFAULTS = {
    "seed": 1, "status": "done", "error": None, "network": "seed004-cnn", "dataset": "mnist",
    "vdd_v": 0.6, "fault_model": "minerva-40nm", "fault_unit": "per-bit", "mitigation": "zero",
    "read_fault_probability": 0.0, "refresh_interval_images": 0, "refresh_interval_us": 0,
    "refresh_every_images": 0, "refresh_every_us": 0, "refreshes": 0, "dataflow": "os",
    "weight_format": "fp32", "weight_bytes": 1000, "pruned_fraction": 0.0,
    "skipped_macs_per_image": 0, "images": 200, "trials": 10, "accuracy": 0.98,
    "accuracy_ci95": 0.01, "fault_free_accuracy": 0.99, "trials_missing_target": 0,
    "first_image_missing_target": 0, "final_faulty_bits": 5.0, "cycles_per_inference": 1000,
    "latency_us": 2.0, "throughput_per_s": 5e5, "energy_per_inference_uj": 10.0,
    "edp_uj_ms": 0.02, "mac_uj": 4.0, "weight_sram_dynamic_uj": 6.0,
}

# The population columns lvsim writes since issue 25 (absent from older databases).
_POPULATION_DEFAULTS = {
    "chips": 10, "yield": 1.0, "yield_ci95_low": 0.7, "yield_ci95_high": 1.0,
    "chip_accuracy_min": 0.97, "age_years": 0.0, "temperature_c": 25.0, "nominal_uj": 20.0,
    "fault_free_vmin_v": 0.68, "fault_free_vmin_uj": 13.5, "saving_guardband_uj": 6.5,
    "saving_fault_tolerance_uj": 3.5, "target_yield": 0.9, "conditions": None,
}


def database(tmp, name, points, population=True):
    """A sweep.db of `points`: each a dict of its swept values (keys with a dot)
    and the metric columns it sets; the other columns from the defaults above,
    without the population columns where `population` is false."""
    defaults = dict(_RUN_DEFAULTS, **(_POPULATION_DEFAULTS if population else {}))
    columns = ["config_hash", "point", "axes"] + list(defaults) + ["config", "report"]
    out = tmp / name
    out.mkdir()
    connection = sqlite3.connect(str(out / "sweep.db"))
    connection.execute(f"CREATE TABLE runs ({', '.join(columns)})")
    for number, point in enumerate(points):
        axes = {k: v for k, v in point.items() if "." in k}
        row = dict(defaults, **{k: v for k, v in point.items() if "." not in k})
        row.update(config_hash=f"{number:016x}", point=number, axes=json.dumps(axes),
                   config=json.dumps({"report.target_drop": "0.01"}),
                   report=json.dumps({"energy": {"nominal_vdd_v": 0.9}}))
        connection.execute(f"INSERT INTO runs VALUES ({', '.join('?' * len(columns))})",
                           [row[c] for c in columns])
    connection.commit()
    connection.close()
    return lvsim_results.load(str(out))


# Yields of a population of 10 chips (target 90 %) at 3 voltages, 2 mitigations and
# 2 ages. Energy: 10, 12, 14 uJ by voltage, 0.5 more under zero, 0.1 more when aged.
_YIELDS = {("zero", "0"): [0.9, 1.0, 1.0], ("zero", "10"): [0.5, 0.9, 1.0],
           ("flip", "0"): [0.2, 0.9, 1.0], ("flip", "10"): [0.0, 0.6, 1.0]}
_VOLTS = ["0.6", "0.65", "0.7"]


@pytest.fixture(scope="session")
def population(tmp):
    points = []
    for v_index, vdd in enumerate(_VOLTS):
        for mitigation in ("zero", "flip"):
            for age in ("0", "10"):
                share = _YIELDS[(mitigation, age)][v_index]
                points.append({
                    "weight_sram.vdd_v": vdd, "weight_sram.mitigation": mitigation,
                    "chip.age_years": age, "vdd_v": float(vdd), "mitigation": mitigation,
                    "age_years": float(age), "yield": share,
                    "yield_ci95_low": max(0.0, share - 0.3),
                    "yield_ci95_high": min(1.0, share + 0.1),
                    "trials_missing_target": round(10 * (1 - share)),
                    "energy_per_inference_uj": 10 + 2 * v_index + 0.5 * (mitigation == "zero")
                    + 0.1 * (age == "10"),
                    "fault_free_vmin_v": 0.71 if age == "10" else 0.68,
                    "fault_free_vmin_uj": 14.0 if age == "10" else 13.5,
                    "conditions": '["chip.age_years"]'})
    return database(tmp, "population", points)


@pytest.fixture(scope="session")
def single_chips(tmp):
    """One chip per run (no yield) at 2 voltages, 3 ages and 2 temperatures: 0.6 V
    misses the target at 10 years and 85 C."""
    points = []
    for v_index, vdd in enumerate(["0.6", "0.7"]):
        for age in ("0", "5", "10"):
            for temperature in ("25", "85"):
                missed = vdd == "0.6" and age == "10" and temperature == "85"
                points.append({
                    "weight_sram.vdd_v": vdd, "chip.age_years": age,
                    "chip.temperature_c": temperature, "vdd_v": float(vdd),
                    "age_years": float(age), "temperature_c": float(temperature),
                    "chips": 1, "yield": 0.0 if missed else 1.0,
                    "accuracy": 0.90 if missed else 0.985 - 0.001 * float(age),
                    "trials_missing_target": 3 if missed else 0,
                    "energy_per_inference_uj": 10 + 4 * v_index + 0.01 * float(temperature)})
    return database(tmp, "single_chips", points)


@pytest.fixture(scope="session")
def older(tmp):
    """A database an lvsim from before issue 25 wrote: no population columns."""
    return database(tmp, "older", [
        {"weight_sram.vdd_v": vdd, "weight_sram.mitigation": mitigation, "vdd_v": float(vdd),
         "mitigation": mitigation, "energy_per_inference_uj": 10 + 2 * i}
        for i, vdd in enumerate(_VOLTS) for mitigation in ("zero", "flip")], population=False)


@pytest.fixture(scope="session")
def aging_sweep(tmp):
    """A small real population sweep over voltage, mitigation and age."""
    return sweep(tmp, "aging", """
[workload]
images = 60
[sim]
chips = 4
[sweep]
weight_sram.vdd_v = 0.66, 0.70, 0.74
weight_sram.mitigation = sign, flip
[conditions]
chip.age_years = 0, 10
""")


def test_load_reads_the_population_columns_and_the_conditions(population, single_chips):
    assert population.conditions == ["chip.age_years"]
    assert population.runs["chips"].eq(10).all()
    assert population.runs["nominal_vdd_v"].eq(0.9).all()
    # Age and temperature are conditions whether or not the sweep listed them.
    assert set(single_chips.conditions) == {"chip.age_years", "chip.temperature_c"}


def test_older_database_loads_and_population_figures_do_not_apply(older):
    assert older.runs["chips"].isna().all() and older.runs["yield"].isna().all()
    assert older.conditions == []
    names = [f.name for f in figures.build_all(older)]
    assert "energy_vs_voltage" in names
    assert "yield_vs_voltage" not in names and "aging" not in names
    figure = figures.energy_vs_voltage(older)
    assert not any(line.get_label() == "fault-free Vmin"
                   for ax in figure.fig.axes for line in ax.get_lines())
    page = report.render(older)
    assert "id='operating-points'" not in page and "yield (%)" not in page
    assert "operating point</dt><dd>0.6 V, zero: 10 uJ" in page  # the first of the cheapest


def test_yield_vs_voltage_panel_per_age_line_per_mitigation(population):
    figure = figures.yield_vs_voltage(population)
    axes = figure.fig.axes
    assert [ax.get_title() for ax in axes] == ["age 0 y, 25 °C", "age 10 y, 25 °C"]
    for ax, age, vmin in zip(axes, ("0", "10"), (0.68, 0.71)):
        named = lines(ax)
        assert set(named) == {"zero", "flip", "target yield 90 %", "fault-free Vmin"}
        for mitigation in ("zero", "flip"):
            x, y = named[mitigation].get_data()
            assert list(x) == [0.6, 0.65, 0.7]
            assert list(y) == pytest.approx([100 * s for s in _YIELDS[(mitigation, age)]])
        assert list(named["target yield 90 %"].get_ydata()) == pytest.approx([90, 90])
        assert list(named["fault-free Vmin"].get_xdata()) == [vmin, vmin]
        assert len(ax.collections) == 2  # a confidence band per mitigation
    assert "Clopper-Pearson" in figure.caption and "10 chips" in figure.caption


def test_yield_vs_voltage_one_panel_without_an_age_or_temperature_sweep(tmp):
    # configs/product_yield_study.ini: voltages x mitigations, no condition swept.
    points = []
    for v_index, vdd in enumerate(_VOLTS):
        for mitigation in ("zero", "flip"):
            share = _YIELDS[(mitigation, "0")][v_index]
            points.append({
                "weight_sram.vdd_v": vdd, "weight_sram.mitigation": mitigation,
                "vdd_v": float(vdd), "mitigation": mitigation, "yield": share,
                "yield_ci95_low": max(0.0, share - 0.3), "yield_ci95_high": min(1.0, share + 0.1),
                "trials_missing_target": round(10 * (1 - share)),
                "energy_per_inference_uj": 10 + 2 * v_index, "fault_free_vmin_v": 0.68,
                "fault_free_vmin_uj": 13.5})
    figure = figures.yield_vs_voltage(database(tmp, "yield_study", points))
    assert len(figure.fig.axes) == 1
    named = lines(figure.fig.axes[0])
    for mitigation in ("zero", "flip"):
        assert list(named[mitigation].get_ydata()) == pytest.approx(
            [100 * s for s in _YIELDS[(mitigation, "0")]])


def test_yield_vs_voltage_needs_a_population_and_a_voltage_sweep(single_chips, older, voltage):
    assert figures.yield_vs_voltage(single_chips) is None  # one chip per run
    assert figures.yield_vs_voltage(older) is None
    assert figures.yield_vs_voltage(voltage) is None  # lvsim's default: one chip


def test_aging_yield_line_per_voltage_open_markers_where_missed(population):
    figure = figures.aging(population)
    assert figure.title == "Yield versus chip age"
    axes = figure.fig.axes
    assert [ax.get_title() for ax in axes] == ["zero", "flip"]
    for ax, mitigation in zip(axes, ("zero", "flip")):
        assert ax.get_xlabel() == "chip age (years)"
        bars = {c.get_label(): c for c in ax.containers}
        assert list(bars) == ["0.7 V", "0.65 V", "0.6 V"]  # highest voltage first
        for v_index, vdd in enumerate(_VOLTS):
            x, y = bars[f"{vdd} V"].lines[0].get_data()
            assert x[0] < x[1] and x[1] - x[0] == pytest.approx(10)  # shifted, not stretched
            assert list(y) == pytest.approx([100 * _YIELDS[(mitigation, age)][v_index]
                                             for age in ("0", "10")])
        misses = sum(s < 0.9 for age in ("0", "10") for s in _YIELDS[(mitigation, age)])
        markers = [c for c in ax.collections
                   if isinstance(c, PathCollection) and len(c.get_offsets())]
        open_markers = sum(len(c.get_offsets()) for c in markers
                           if tuple(c.get_facecolor()[0]) == (1, 1, 1, 1))
        assert open_markers == misses
        assert list(lines(ax)["target yield 90 %"].get_ydata()) == pytest.approx([90, 90])


def test_aging_of_single_chips_shows_accuracy(single_chips):
    figure = figures.aging(single_chips)
    assert figure.title == "Accuracy versus chip age"
    ax = figure.fig.axes[0]
    assert ax.get_ylabel() == "accuracy (%)"
    assert "fault-free" in lines(ax)
    _, y = {c.get_label(): c for c in ax.containers}["0.6 V"].lines[0].get_data()
    assert list(y) == pytest.approx([98.5, 98.0, 97.5])  # held at 25 C
    assert "chip.temperature_c = 25" in figure.caption


def test_aging_needs_the_age_swept(older, voltage, layers):
    assert all(figures.aging(r) is None for r in (older, voltage, layers))


def test_energy_vs_voltage_marks_the_fault_free_vmin(population):
    figure = figures.energy_vs_voltage(population)
    for ax in figure.fig.axes[:2]:  # the bar panels, age held at 0: Vmin 0.68 V
        (vmin,) = [line for line in ax.get_lines() if line.get_label() == "fault-free Vmin"]
        assert vmin.get_xdata()[0] == pytest.approx(1 + (0.68 - 0.65) / 0.05)  # between bars
    assert "fault-free Vmin (0.68 V)" in figure.caption


def rows_of(results):
    return [(row.name, row.energy_uj, row.saving_uj, row.voltage_v,
             row.choice and row.choice.setting.knobs) for row in operating_points.table(results)]


def test_operating_point_table_of_a_population(population):
    zero = {"weight_sram.vdd_v": "0.6", "weight_sram.mitigation": "zero"}
    assert rows_of(population) == [
        ("nominal supply", 20.0, None, 0.9, None),
        # The Vmin of the oldest chips: aging raises it.
        ("fault-free Vmin", 14.0, pytest.approx(6.0), 0.71, None),
        # At age 0, zero holds 90 % at 0.6 V ...
        ("operating point, age 0", 10.5, pytest.approx(3.5), None, zero),
        # ... but needs 0.65 V at 10 years; flip there has 60 %: costed at its aged energy.
        ("operating point, every condition", pytest.approx(12.6), pytest.approx(-2.1), None,
         dict(zero, **{"weight_sram.vdd_v": "0.65"})),
    ]
    held = operating_points.table(population)[-1].choice
    assert population.runs.loc[held.binding, "chip.age_years"] == "10"  # yield 90 % < 100 %


def test_operating_point_table_of_single_chips_under_every_temperature(single_chips):
    rows = rows_of(single_chips)
    assert [r[0] for r in rows] == ["nominal supply", "fault-free Vmin", "operating point, age 0",
                                    "operating point, every condition"]
    # At age 0, 0.6 V kept the target at both temperatures: costed at 85 C, the dearer.
    assert rows[2][1:] == (pytest.approx(10.85), pytest.approx(2.65), None,
                           {"weight_sram.vdd_v": "0.6"})
    # At 10 years and 85 C the chip missed it at 0.6 V: 0.7 V, costed at 85 C.
    assert rows[3][1:] == (pytest.approx(14.85), pytest.approx(-4.0), None,
                           {"weight_sram.vdd_v": "0.7"})


def test_operating_point_table_without_the_age_swept_has_no_age_0_row(tmp):
    hot = database(tmp, "hot", [
        {"weight_sram.vdd_v": vdd, "chip.temperature_c": temperature, "chips": 1,
         "energy_per_inference_uj": 10 + float(vdd) + 0.01 * float(temperature),
         "trials_missing_target": int(vdd == "0.6" and temperature == "85")}
        for vdd in ("0.6", "0.7") for temperature in ("25", "85")])
    assert [(r[0], r[4]) for r in rows_of(hot)] == [
        ("nominal supply", None), ("fault-free Vmin", None),
        ("operating point, every condition", {"weight_sram.vdd_v": "0.7"})]


def test_operating_point_table_needs_the_fault_free_vmin(older, tmp):
    assert operating_points.table(older) == []
    # Where no setting holds under every condition, the rows say so.
    failing = database(tmp, "failing", [
        {"weight_sram.vdd_v": "0.6", "chip.age_years": age, "age_years": float(age),
         "yield": share, "yield_ci95_low": share / 2} for age, share in (("0", 1.0), ("10", 0.5))])
    assert [(r[0], r[1], r[4]) for r in rows_of(failing)] == [
        ("nominal supply", 20.0, None), ("fault-free Vmin", 13.5, None),
        ("operating point, age 0", 10.0, {}),  # no knob varies: the one setting
        ("operating point, every condition", None, None)]
    page = report.render(failing)
    assert "none kept the target" in page
    assert "operating point</dt><dd>none: no knob setting kept the accuracy target under every " \
           "condition" in page


def test_report_shows_operating_points_yields_and_savings(population):
    page = report.render(population)
    assert {f.name for f in figures.build_all(population)} >= {"yield_vs_voltage", "aging",
                                                                "energy_vs_voltage", "pareto"}
    section = page[page.index("id='operating-points'"):page.index("id='figures'")]
    assert section.count("<tr><td") == 4
    assert "0.65 V, zero" in section and "age 10 y: 9 of 10 chips (90.0 %" in section
    assert "6 uJ from removing the guardband" in section
    assert "1.4 uJ from fault tolerance" in section  # 14.0 at Vmin, 12.6 at the point (aged)
    for column in ("yield (%)", "guardband saving (uJ)", "fault-tolerance saving (uJ)"):
        assert f">{column}</th>" in page
    assert "operating point</dt><dd>0.65 V, zero: 12.6 uJ" in page
    assert "binding age 10 y" in page


_OPTIMIZE_ROW = re.compile(r"^  (nominal supply|fault-free Vmin|operating point, age 0|"
                           r"operating point, every condition) +(-?[0-9.]+) uJ"
                           r"(?: +(-?[0-9.]+) uJ saved)?(?:  (.*))?$")


def test_operating_point_table_matches_lvsim_optimize(aging_sweep):
    printed = lvsim("optimize", os.path.join(aging_sweep.source, "sweep.db")).stdout.splitlines()
    expected = [m.groups() for m in map(_OPTIMIZE_ROW.match, printed) if m]
    assert len(expected) == 4
    rows = operating_points.table(aging_sweep)
    assert [r.name for r in rows] == [name for name, *_ in expected]
    for row, (_, energy, saving, setting) in zip(rows, expected):
        assert row.energy_uj == pytest.approx(float(energy), abs=0.051)
        if saving is not None:
            assert row.saving_uj == pytest.approx(float(saving), abs=0.11)
        if row.choice is not None:
            assert row.choice.setting.knobs == dict(s.split("=") for s in setting.split())
    assert {"yield_vs_voltage", "aging"} <= {f.name for f in figures.build_all(aging_sweep)}


def test_a_single_run_shows_its_savings(single_run):
    run = single_run.runs.iloc[0]
    rows = operating_points.table(single_run)
    assert [r.name for r in rows] == ["nominal supply", "fault-free Vmin", "this run"]
    assert rows[-1].energy_uj == run["energy_per_inference_uj"]  # met the target or not
    # The two parts of the saving are the run's own (report.json, energy.saving_*).
    assert rows[1].saving_uj == pytest.approx(run["saving_guardband_uj"])
    assert rows[2].saving_uj == pytest.approx(run["saving_fault_tolerance_uj"])
    assert "<h2 id='operating-points'>Savings</h2>" in report.render(single_run)
