"""The analysis figures and the HTML report, built from small results files that
lvsim itself writes here (a few hundred images per point, so the suite stays
fast). Run by CTest (test `analysis`) or directly:

    LVSIM=build/lvsim /usr/bin/python3 -m pytest -q analysis/tests

LVSIM names the lvsim binary (default build/lvsim); MNIST is found the way
lvsim finds it (LVSIM_DATA_DIR, else data/mnist).
"""
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))

import figures  # noqa: E402
import lvsim_results  # noqa: E402
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
