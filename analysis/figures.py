"""The figures an architecture paper would show, built from lvsim's results.

Each figure is a function `f(results) -> Figure or None`: None when the results
hold nothing it can show (for example no voltage was swept). `FIGURES` lists
them in report order with a name (the PNG's file name) and a caption; the
caption is completed with what each figure held fixed.

When a sweep varies more keys than a figure shows, the others are held at their
reference value: the first value of the sweep (the one listed first in the
config's [sweep] section; for refresh.interval_images that is usually 0,
never refreshing). The caption says which values were held.

"Kept the target" is lvsim's definition (report.target_drop, default 1 %): the
windowed accuracy never fell more than the target below the fault-free run's,
in any trial (trials_missing_target = 0); for a population of chips (sim.chips
> 1), its yield, the share of chips that kept it, reached report.target_yield.
`lvsim optimize` uses the same rule (operating_points.py).
"""
import math

from lvsim_results import ENERGY_COMPONENTS, label, short  # first: it checks the packages
import operating_points  # noqa: E402
from operating_points import is_population, meets_target  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

VDD = "weight_sram.vdd_v"
MITIGATION = "weight_sram.mitigation"
REFRESH = "refresh.interval_images"
FAULT_P = "fault.p"
FORMAT = "weights.format"
FAULT_LAYERS = "weights.fault_layers"
PRUNE = "weights.prune_threshold"
AGE = "chip.age_years"
TEMPERATURE = "chip.temperature_c"

# Keys a dedicated figure shows; any other swept key gets the generic figure.
_DEDICATED = {VDD, MITIGATION, REFRESH, FAULT_P, FORMAT, FAULT_LAYERS, PRUNE, AGE, "sim.seed"}

_MITIGATION_COLORS = {"none": "#7f7f7f", "flip": "#d62728", "sign": "#1f77b4", "zero": "#2ca02c",
                      "secded": "#9467bd", "detect-zero": "#ff7f0e"}


class Figure:
    """A built figure: the matplotlib figure, its file stem and its caption."""

    def __init__(self, name, title, fig, caption):
        self.name = name
        self.title = title
        self.fig = fig
        self.caption = caption

    def save(self, path, dpi=110):
        self.fig.savefig(path, dpi=dpi, bbox_inches="tight")


def _color(mitigation, index):
    return _MITIGATION_COLORS.get(mitigation, plt.cm.tab10(index % 10))


def _held(text):
    return f" Held fixed: {text}." if text else ""


def _values(runs, key):
    """The values of a key in sweep order, without repeats."""
    return list(dict.fromkeys(runs[key]))


def _numeric(values):
    return np.array([float(v) for v in values])


def _rate_key(results):
    """The swept key that sets the fault rate: fault.p, else the voltage."""
    for key in (FAULT_P, VDD):
        if key in results.swept:
            return key
    return None


# --------------------------------------------------------------------- fault curves

def fault_curves(results):
    """Windowed accuracy versus images processed (seed 004, figs. 3-5): one panel per
    mitigation, one line per fault rate (or voltage), 95 % bands over trials."""
    if results.series.empty or results.series["end_image"].nunique() < 2:
        return None
    if results.runs["final_faulty_bits"].fillna(0).max() == 0 and results.kind == "sweep":
        return None  # no run had a faulty bit: every curve is its fault-free one
    rate = _rate_key(results)
    # Panels per mitigation, else per fault-map policy (when the map was taken).
    panel_key = next((k for k in (MITIGATION, "weight_sram.bist_at", "weight_sram.detector")
                      if k in results.swept), None)
    if rate:
        line_keys = [rate]
    else:  # one line per combination of the other swept keys, while they stay readable
        line_keys = [k for k in results.swept if k != panel_key]
        while line_keys and len(results.hold_fixed(line_keys + [panel_key])[0]) > 12 * (
                results.runs[panel_key].nunique() if panel_key else 1):
            line_keys.pop()
    runs, held = results.hold_fixed(line_keys + ([panel_key] if panel_key else []))
    panels = _values(runs, panel_key) if panel_key else [None]
    fig, axes = plt.subplots(1, len(panels), figsize=(min(4.2 * len(panels), 14), 3.8),
                             sharey=True, squeeze=False)
    lines_per_panel = max(1, len(runs) // len(panels))
    colors = (plt.cm.viridis(np.linspace(0, 0.9, lines_per_panel)) if rate
              else plt.cm.tab10(np.arange(lines_per_panel) % 10))
    for ax, panel in zip(axes[0], panels):
        members = runs if panel is None else runs[runs[panel_key] == panel]
        if rate == VDD:  # highest voltage (fewest faults) first
            members = members.iloc[np.argsort(-_numeric(members[VDD]), kind="stable")]
        elif rate == FAULT_P:
            members = members.iloc[np.argsort(_numeric(members[FAULT_P]), kind="stable")]
        baseline = None
        for color, (_, run) in zip(colors, members.iterrows()):
            curve = results.series[results.series["config_hash"] == run["config_hash"]]
            if curve.empty:
                continue
            x = curve["end_image"].to_numpy()
            y = 100 * curve["windowed_accuracy"].to_numpy()
            name = label(run, line_keys) if line_keys else "this run"
            ax.plot(x, y, color=color, lw=1.3, label=name)
            ci = curve["windowed_accuracy_ci95"].fillna(0).to_numpy() * 100
            if ci.max() > 0:
                ax.fill_between(x, np.clip(y - ci, 0, 100), np.clip(y + ci, 0, 100), color=color,
                                alpha=0.18, lw=0)
            if baseline is None and "baseline_windowed_accuracy" in curve:
                baseline = curve
        if baseline is not None:
            ax.plot(baseline["end_image"], 100 * baseline["baseline_windowed_accuracy"],
                    color="black", lw=0.9, ls=":", label="fault-free")
        ax.set_title(panel if panel is not None else results.runs["mitigation"].iloc[0])
        ax.set_xlabel("images processed")
        ax.set_ylim(0, 102)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("windowed accuracy (%)")
    axes[0][-1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    window = int(results.series["end_image"].iloc[0])
    trials = int(results.runs["trials"].max())
    caption = (f"Accuracy over a window of {window} images as faults accumulate in the weight "
               f"SRAM; one panel per mitigation, one line per "
               f"{'fault rate' if rate == FAULT_P else 'SRAM voltage' if rate == VDD else 'run'}"
               f"{f'; bands: 95 % confidence over {trials} trials' if trials > 1 else ''}."
               f"{_held(held)}")
    return Figure("fault_curves", "Accuracy over time", fig, caption)


# ----------------------------------------------------------------- energy vs voltage

def energy_vs_voltage(results):
    """Energy per inference versus SRAM voltage, stacked by component, one panel per
    mitigation; accuracy on a second axis."""
    if VDD not in results.swept:
        return None
    # Panels per mitigation, else per fault-map policy (when the map was taken).
    panel_key = next((k for k in (MITIGATION, "weight_sram.bist_at", "weight_sram.detector")
                      if k in results.swept), None)
    accuracy_key = REFRESH if REFRESH in results.swept else None
    vary = [k for k in (VDD, panel_key, accuracy_key) if k]
    runs, held = results.hold_fixed(vary)
    panels = _values(runs, panel_key) if panel_key else [None]
    fig, axes = plt.subplots(1, len(panels), figsize=(min(4.6 * len(panels), 15), 4.0),
                             squeeze=False)
    components = [(c, name) for c, name in ENERGY_COMPONENTS
                  if f"{c}_uj" in runs and runs[f"{c}_uj"].fillna(0).max() > 0]
    stack_colors = plt.cm.Set2(np.arange(len(components)))
    twins, vmins = [], []
    for ax, panel in zip(axes[0], panels):
        members = runs if panel is None else runs[runs[panel_key] == panel]
        # The stack: one run per voltage (the accuracy key at its reference value).
        reference = members
        if accuracy_key:
            reference = members[members[accuracy_key] == results.reference_value(accuracy_key)]
        reference = reference.iloc[np.argsort(_numeric(reference[VDD]), kind="stable")]
        volts = _numeric(reference[VDD])
        positions = np.arange(len(volts))
        bottom = np.zeros(len(volts))
        for color, (component, name) in zip(stack_colors, components):
            heights = reference[f"{component}_uj"].fillna(0).to_numpy(dtype=float)
            ax.bar(positions, heights, bottom=bottom, color=color, width=0.7, label=name)
            bottom += heights
        ax.set_xticks(positions, [f"{v:g}" for v in volts])
        ax.set_xlabel("weight SRAM voltage (V)")
        ax.set_title(panel if panel is not None else "")
        vmins.append(_mark_vmin(ax, reference, volts, positions))
        twin = ax.twinx()
        twins.append(twin)
        lines = _values(members, accuracy_key) if accuracy_key else [None]
        for index, value in enumerate(lines):
            line = members if value is None else members[members[accuracy_key] == value]
            line = line.iloc[np.argsort(_numeric(line[VDD]), kind="stable")]
            x = np.searchsorted(volts, _numeric(line[VDD]))
            twin.errorbar(x, 100 * line["accuracy"].to_numpy(dtype=float),
                          yerr=100 * line["accuracy_ci95"].fillna(0).to_numpy(dtype=float),
                          color=plt.cm.Dark2(index), marker="o", ms=3.5, lw=1.3, capsize=2,
                          label="accuracy" + (f", {short(accuracy_key, value)}" if value is not None
                                              else ""))
        twin.set_ylim(0, 102)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("energy per inference (uJ)")
    twins[-1].set_ylabel("accuracy (%)")
    for twin in twins[:-1]:
        twin.set_yticklabels([])
    handles, labels = axes[0][0].get_legend_handles_labels()
    twin_handles, twin_labels = twins[0].get_legend_handles_labels()
    stack = [(h, text) for h, text in zip(handles, labels) if text != "fault-free Vmin"]
    vmin = [(line, "fault-free Vmin") for ax in axes[0] for line in ax.get_lines()
            if line.get_label() == "fault-free Vmin"][:1]  # once, from any panel
    fig.legend(*zip(*(stack[::-1] + list(zip(twin_handles, twin_labels)) + vmin)), fontsize=7,
               loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    caption = ("Energy per inference at each weight-SRAM voltage, stacked by component (bars, "
               "left axis), and the accuracy reached (lines, right axis, 95 % interval over "
               "trials)" + (f"; the bars are the runs with {short(accuracy_key, results.reference_value(accuracy_key))}"
                            if accuracy_key else "") + f".{_vmin_caption(vmins)}{_held(held)}")
    return Figure("energy_vs_voltage", "Energy and accuracy versus voltage", fig, caption)


def _mark_vmin(ax, runs, volts, positions):
    """A dashed line at the runs' fault-free Vmin (the highest of them: aging raises
    it) on an axis of bars at `positions` for `volts`, where it falls among them.
    Returns the Vmin and whether it was drawn, or None without one."""
    vmin = runs["fault_free_vmin_v"].max() if len(runs) else np.nan
    if np.isnan(vmin):
        return None
    inside = volts[0] <= vmin <= volts[-1]
    if inside:
        ax.axvline(np.interp(vmin, volts, positions), color="black", ls="--", lw=1,
                   label="fault-free Vmin")
    return vmin, inside


def _vmin_caption(vmins):
    known = [v for v in vmins if v is not None]
    if not known:
        return ""
    values = ", ".join(dict.fromkeys(f"{v:.3g} V" for v, _ in known))
    if all(inside for _, inside in known):
        return (f" Dashed: the fault-free Vmin ({values}), the lowest supply at which the target "
                "yield of chips has no weak cell.")
    return (f" The fault-free Vmin ({values}, the lowest supply at which the target yield of "
            "chips has no weak cell) is drawn dashed where it falls among the voltages swept.")


# ------------------------------------------------------------ yield, chip conditions

def _condition_title(run):
    """A panel's chip condition from its run's columns: "age 10 y, 25 °C"."""
    parts = []
    if not np.isnan(run["age_years"]):
        parts.append(f"age {run['age_years']:g} y")
    if not np.isnan(run["temperature_c"]):
        parts.append(f"{run['temperature_c']:g} °C")
    return ", ".join(parts)


def _chips_text(runs):
    chips = sorted({int(c) for c in runs["chips"]})
    return f"{chips[0]}" if len(chips) == 1 else f"{chips[0]}-{chips[-1]}"


def _yield_panels(results):
    """The chip-condition keys yield_vs_voltage draws one panel per combination of:
    age and temperature where swept, temperature held where both give too many."""
    keys = [key for key in (AGE, TEMPERATURE) if key in results.swept]
    if len(keys) == 2 and results.runs[AGE].nunique() * results.runs[TEMPERATURE].nunique() > 6:
        keys = [AGE]
    return keys


def _numeric_order(runs, keys):
    """Rows of `runs` with distinct values of `keys`, sorted numerically."""
    if not keys:  # one panel (pandas refuses an empty subset)
        return runs.iloc[:1]
    rows = runs.drop_duplicates(keys)
    return rows.iloc[np.lexsort([_numeric(rows[k]) for k in reversed(keys)])]


def yield_vs_voltage(results):
    """Yield of the chip population versus SRAM voltage (issue 25): one line per
    mitigation with its 95 % Clopper-Pearson band, one panel per chip age (and
    temperature); the target yield and the fault-free Vmin marked."""
    if VDD not in results.swept or not is_population(results.runs).any():
        return None
    panel_keys = _yield_panels(results)
    # One line per mitigation, else per value of the one other knob swept
    # (a word width, an interleave), else one line.
    others = [key for key in results.swept if key not in (VDD, *panel_keys)]
    line_key = (MITIGATION if MITIGATION in results.swept
                else others[0] if len(others) == 1 else None)
    runs, held = results.hold_fixed([VDD, *panel_keys, *([line_key] if line_key else [])])
    runs = runs[is_population(runs)]
    panels = _numeric_order(runs, panel_keys)
    fig, axes = plt.subplots(1, len(panels), figsize=(min(4.2 * len(panels), 14), 3.8),
                             sharey=True, squeeze=False)
    groups = _values(runs, line_key) if line_key else [None]
    for ax, (_, panel) in zip(axes[0], panels.iterrows()):
        members = runs
        for key in panel_keys:
            members = members[members[key] == panel[key]]
        for index, group in enumerate(groups):
            line = members if group is None else members[members[line_key] == group]
            line = line.iloc[np.argsort(_numeric(line[VDD]), kind="stable")]
            mitigation = line["mitigation"].iloc[0] if line_key != MITIGATION else group
            name = short(line_key, group) if line_key not in (None, MITIGATION) else mitigation
            color = _color(mitigation if line_key in (None, MITIGATION) else None, index)
            volts = _numeric(line[VDD])
            ax.fill_between(volts, 100 * line["yield_ci95_low"], 100 * line["yield_ci95_high"],
                            color=color, alpha=0.15, lw=0)
            ax.plot(volts, 100 * line["yield"], color=color, marker="o",
                    lw=1.4 + 1.1 * (len(groups) - 1 - index),
                    ms=3.5 + 2 * (len(groups) - 1 - index), alpha=0.85, label=name)
        target = 100 * members["target_yield"].max()
        ax.axhline(target, color="black", lw=0.9, ls="--", label=f"target yield {target:g} %")
        vmin = members["fault_free_vmin_v"].max()
        if not np.isnan(vmin):
            ax.axvline(vmin, color="black", lw=0.9, ls=":", label="fault-free Vmin")
        ax.set_title(_condition_title(panel))
        ax.set_xlabel("weight SRAM voltage (V)")
        ax.set_ylim(-3, 103)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("chips meeting the target (%)")
    axes[0][-1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    panel_text = " and ".join({AGE: "age", TEMPERATURE: "temperature"}[k] for k in panel_keys)
    caption = (f"Yield: the share of the {_chips_text(runs)} chips of each population whose "
               f"windowed accuracy stayed within {100 * results.target_drop:g} % of fault-free "
               "in every trial, against the weight-SRAM voltage; one line per "
               + ("mitigation" if line_key in (None, MITIGATION) else line_key)
               + (f", one panel per chip {panel_text}" if panel_keys else "")
               + ". Bands: the 95 % Clopper-Pearson interval of the yield. Dashed: the target "
               "yield (report.target_yield); dotted: the fault-free Vmin, the lowest supply at "
               f"which that share of chips has no weak cell.{_held(held)}")
    return Figure("yield_vs_voltage", "Yield versus voltage", fig, caption)


def aging(results):
    """Yield (a population) or accuracy (one chip) versus the chip's age: one panel
    per mitigation, one line per voltage; filled markers kept the target."""
    if AGE not in results.swept:
        return None
    # Panels per mitigation, else per fault-map policy (when the map was taken).
    panel_key = next((k for k in (MITIGATION, "weight_sram.bist_at", "weight_sram.detector")
                      if k in results.swept), None)
    line_key = VDD if VDD in results.swept else None
    runs, held = results.hold_fixed([k for k in (AGE, panel_key, line_key) if k])
    population = bool(is_population(runs).all())
    metric, low, high = (("yield", "yield_ci95_low", "yield_ci95_high") if population else
                         ("accuracy", None, None))
    panels = _values(runs, panel_key) if panel_key else [None]
    fig, axes = plt.subplots(1, len(panels), figsize=(min(4.2 * len(panels), 14), 3.8),
                             sharey=True, squeeze=False)
    lines = (sorted(_values(runs, line_key), key=float, reverse=True) if line_key else [None])
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(lines)))
    all_ages = _numeric(runs[AGE])
    dodge = 0.03 * (all_ages.max() - all_ages.min())  # markers that coincide stay apart
    for ax, panel in zip(axes[0], panels):
        members = runs if panel is None else runs[runs[panel_key] == panel]
        for index, (color, value) in enumerate(zip(colors, lines)):
            line = members if value is None else members[members[line_key] == value]
            line = line.iloc[np.argsort(_numeric(line[AGE]), kind="stable")]
            x = _numeric(line[AGE]) + dodge * (index - (len(lines) - 1) / 2)
            y = 100 * line[metric].astype(float).to_numpy()
            if population:
                error = np.clip([y - 100 * line[low].to_numpy(), 100 * line[high].to_numpy() - y],
                                0, None)  # a yield at its interval's end, rounded
            else:
                error = 100 * line["accuracy_ci95"].fillna(0).astype(float).to_numpy()
            name = short(VDD, value) if value is not None else f"{line['vdd_v'].iloc[0]:g} V"
            # Thicker lines under thinner ones, so that lines that coincide stay visible.
            ax.errorbar(x, y, yerr=error, color=color, lw=1.2 + 0.9 * (len(lines) - 1 - index),
                        elinewidth=0.8, alpha=0.85, label=name)
            met = meets_target(line).to_numpy()
            ax.scatter(x[met], y[met], color=color, s=22, zorder=3)
            ax.scatter(x[~met], y[~met], facecolor="white", edgecolor=color, s=22, zorder=3)
        if population:
            target = 100 * members["target_yield"].max()
            ax.axhline(target, color="black", lw=0.9, ls="--", label=f"target yield {target:g} %")
        else:
            ax.axhline(100 * members["fault_free_accuracy"].astype(float).max(), color="black",
                       lw=0.9, ls=":", label="fault-free")
        ax.set_title(members["mitigation"].iloc[0] if panel is None else
                     panel if panel_key == MITIGATION else f"{panel_key.split('.')[-1]} = {panel}")
        ax.set_xticks(sorted(set(_numeric(members[AGE]))))
        ax.set_xlabel("chip age (years)")
        ax.set_ylim(-3, 103)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("chips meeting the target (%)" if population else "accuracy (%)")
    axes[0][-1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    caption = (("The yield of each population of " + _chips_text(runs) + " chips (the share "
                "meeting the accuracy target; bars: 95 % Clopper-Pearson interval; dashed: the "
                "target yield)" if population else
                "The accuracy of the chip (bars: 95 % interval over trials; dotted: fault-free)")
               + " as the chip ages (chip.age_years); one panel per mitigation (or fault-map "
               "policy), one line per "
               "weight-SRAM voltage, each shifted a little in age (and drawn thinner than "
               "the one before) so that equal values stay apart. Filled markers: runs that met "
               f"the target (report.target_drop{', target_yield' if population else ''}); open: "
               "runs that missed it."
               f"{_held(held)}")
    return Figure("aging", f"{'Yield' if population else 'Accuracy'} versus chip age", fig,
                  caption)


# ------------------------------------------------------------- refresh interval needed

def refresh_needed(results):
    """The refresh interval each mitigation needs at each voltage (or fault rate).

    With refresh.interval_images swept: the largest swept interval that kept the
    target in every trial (0, never, counts as the largest). Runs that never
    refresh also tell the first window at which the target was missed: the
    interval cannot be longer than that; it is drawn dashed."""
    rate = _rate_key(results)
    if not rate:
        return None
    swept_refresh = REFRESH in results.swept
    line_key = MITIGATION if MITIGATION in results.swept else None
    vary = [k for k in (rate, line_key, REFRESH if swept_refresh else None) if k]
    runs, held = results.hold_fixed(vary)
    never = runs[runs["refresh_interval_images"].astype(float) == 0]
    if not swept_refresh and never.empty:
        return None
    images = int(runs["images"].max())
    never_y = images * 2.0  # where "never needed" is drawn
    none_y = 0.5 * float(runs["first_image_missing_target"].replace(0, np.nan).min()
                         if runs["first_image_missing_target"].gt(0).any() else 10)
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    groups = _values(runs, line_key) if line_key else [None]
    for index, group in enumerate(groups):
        members = runs if group is None else runs[runs[line_key] == group]
        mitigation = group if group is not None else members["mitigation"].iloc[0]
        color = _color(mitigation, index)
        xs = sorted(set(_numeric(members[rate])))
        if swept_refresh:
            ys = []
            for x in xs:
                at = members[_numeric(members[rate]) == x]
                ok = at[meets_target(at)]
                if ok.empty:
                    ys.append(none_y)
                    continue
                intervals = ok["refresh_interval_images"].astype(float)
                ys.append(never_y if (intervals == 0).any() else intervals.max())
            ax.plot(xs, ys, color=color, marker="o", lw=1.4 + 1.1 * (len(groups) - 1 - index),
                    ms=3.5 + 2 * (len(groups) - 1 - index), alpha=0.85,
                    label=f"{mitigation}: largest swept interval kept")
        first = never[never.index.isin(members.index)]
        if not first.empty:
            first = first.iloc[np.argsort(_numeric(first[rate]), kind="stable")]
            misses = first["first_image_missing_target"].astype(float).to_numpy()
            ys = np.where(misses == 0, never_y, misses)
            ax.plot(_numeric(first[rate]), ys, color=color, ls="--", marker="x", lw=1,
                    label=f"{mitigation}: target first missed (no refresh)")
    ax.set_yscale("log")
    ax.axhline(never_y, color="grey", lw=0.6, ls=":")
    ax.text(0.01, never_y * 1.1, "never needed", fontsize=7, color="grey", va="bottom",
            transform=ax.get_yaxis_transform())
    if swept_refresh:
        ax.axhline(none_y, color="grey", lw=0.6, ls=":")
        ax.text(0.99, none_y * 1.1, "no swept interval kept the target", fontsize=7,
                color="grey", va="bottom", ha="right", transform=ax.get_yaxis_transform())
    if rate == FAULT_P:
        ax.set_xscale("log")
        ax.set_xlabel("fault probability p")
    else:
        ax.set_xlabel("weight SRAM voltage (V)")
    ax.set_ylabel("images between weight refreshes")
    ax.set_ylim(none_y * 0.5 if swept_refresh else None, never_y * 2.5)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    caption = (f"How often the weights must be reloaded from DRAM to keep the windowed accuracy "
               f"within {100 * results.target_drop:g} % of fault-free, per mitigation. "
               + ("Solid: the largest swept refresh interval that kept the target in every trial. "
                  if swept_refresh else "")
               + "Dashed: without refresh, the image count at which the target was first missed "
                 "(an upper bound on the interval)." + _held(held))
    return Figure("refresh_needed", "Refresh interval needed", fig, caption)


# --------------------------------------------------------------------------- Pareto

def pareto_points(runs):
    """Indices of the Pareto front of (energy per inference, accuracy): by energy,
    each run more accurate than every cheaper one (as `lvsim optimize`)."""
    order = runs.sort_values(["energy_per_inference_uj", "accuracy"],
                             ascending=[True, False], kind="stable")
    front, best = [], -1.0
    for index, run in order.iterrows():
        if run["accuracy"] > best:
            front.append(index)
            best = run["accuracy"]
    return front


def operating_point(results):
    """The run standing for `lvsim optimize`'s operating point, or None: the knob
    setting that kept the target under every condition at the least worst
    energy; of its runs (one per condition) the one closest to failing."""
    chosen = operating_points.cheapest(results, operating_points.knob_settings(results))
    return None if chosen is None else chosen.binding


def pareto(results):
    """Energy per inference versus accuracy over every run; the front labelled."""
    runs = results.runs
    if len(runs) < 2:
        return None
    fig, ax = plt.subplots(figsize=(8.8, 4.6))
    energy = runs["energy_per_inference_uj"].astype(float)
    accuracy = 100 * runs["accuracy"].astype(float)
    kept = meets_target(runs)
    ax.scatter(energy[~kept], accuracy[~kept], s=14, color="#bbbbbb", label="missed the target")
    ax.scatter(energy[kept], accuracy[kept], s=14, color="#6baed6", label="kept the target")
    front = pareto_points(runs)
    ax.step(energy[front], accuracy[front], where="post", color="#d62728", lw=1.3,
            marker="o", ms=4, label="Pareto front")
    # The front's points are numbered on the plot and named in a key beside it.
    keys = results.swept
    labelled = front if len(front) <= 16 else front[:: math.ceil(len(front) / 16)]
    key_lines = []
    for number, index in enumerate(labelled, 1):
        ax.annotate(str(number), (energy[index], accuracy[index]), textcoords="offset points",
                    xytext=(4, -10 if number % 2 else 3), fontsize=7, color="#7f0000")
        key_lines.append(f"{number}: {label(runs.loc[index], keys) or 'run'}")
    ax.text(1.02, 1.0, "\n".join(key_lines), transform=ax.transAxes, va="top", fontsize=7,
            color="#7f0000", family="monospace")
    chosen = operating_point(results)
    if chosen is not None:
        ax.scatter([energy[chosen]], [accuracy[chosen]], s=140, marker="*", color="gold",
                   edgecolor="black", zorder=5, label="operating point (least energy, target kept)")
    ax.set_xlabel("energy per inference (uJ)")
    ax.set_ylabel("accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    caption = ("Every run's energy per inference against its accuracy. The red steps are the "
               "Pareto front (no other run is both cheaper and more accurate), labelled with "
               "their swept values; the star is the least-energy run that kept the accuracy "
               f"target ({100 * results.target_drop:g} % below fault-free), as `lvsim optimize` "
               "chooses it" + (
                   f" (its setting kept the target under every {', '.join(results.conditions)}; "
                   "the star marks its run closest to failing)" if results.conditions else "")
               + ".")
    return Figure("pareto", "Energy-accuracy Pareto front", fig, caption)


# ----------------------------------------------------------------- layer sensitivity

def layer_sensitivity(results):
    """Accuracy lost when only one layer's weights are faulty (seed 003, Sec. 4.1.3)."""
    if FAULT_LAYERS not in results.swept:
        return None
    group_key = MITIGATION if MITIGATION in results.swept else None
    runs, held = results.hold_fixed([k for k in (FAULT_LAYERS, group_key) if k])
    layers = _values(runs, FAULT_LAYERS)
    groups = _values(runs, group_key) if group_key else [None]
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * len(layers) * max(1, len(groups)) / 1.5), 3.8))
    width = 0.8 / len(groups)
    for index, group in enumerate(groups):
        members = runs if group is None else runs[runs[group_key] == group]
        drops, errors = [], []
        for layer in layers:
            run = members[members[FAULT_LAYERS] == layer]
            drops.append(100 * float(run["fault_free_accuracy"].iloc[0] - run["accuracy"].iloc[0])
                         if not run.empty else np.nan)
            errors.append(100 * float(run["accuracy_ci95"].fillna(0).iloc[0]) if not run.empty else 0)
        mitigation = group if group is not None else runs["mitigation"].iloc[0]
        ax.bar(np.arange(len(layers)) + (index - (len(groups) - 1) / 2) * width, drops, width,
               yerr=errors, capsize=2, color=_color(mitigation, index), label=mitigation)
    ax.set_xticks(np.arange(len(layers)), [layer or "all" for layer in layers])
    ax.set_xlabel("layer whose weights are faulty (others fault-free)")
    ax.set_ylabel("accuracy drop (percentage points)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, title="mitigation" if group_key else None)
    fig.tight_layout()
    caption = ("Sensitivity of each layer: faults in only that layer's weights "
               "(weights.fault_layers), the accuracy lost against the fault-free run, with the "
               f"95 % interval over trials.{_held(held)}")
    return Figure("layer_sensitivity", "Per-layer sensitivity", fig, caption)


# ---------------------------------------------------------------- bits kept, pruning

def _format_bits(name):
    for family in ("trunc-", "int-"):
        if name.startswith(family):
            return family[:-1], int(name[len(family):])
    return None, None


def bits_kept(results):
    """Accuracy versus the bits kept per weight (trunc-K, int-K; seeds 002 and 004)."""
    if FORMAT not in results.swept:
        return None
    formats = [f for f in _values(results.runs, FORMAT) if _format_bits(f)[0]]
    if len(formats) < 2:
        return None
    group_key = MITIGATION if MITIGATION in results.swept else None
    runs, held = results.hold_fixed([k for k in (FORMAT, group_key) if k])
    fig, ax = plt.subplots(figsize=(6.4, 3.9))
    groups = _values(runs, group_key) if group_key else [None]
    for index, group in enumerate(groups):
        members = runs if group is None else runs[runs[group_key] == group]
        for family, style in (("trunc", "-"), ("int", "--")):
            points = sorted((_format_bits(f)[1], run) for f, run in
                            ((f, members[members[FORMAT] == f]) for f in formats)
                            if _format_bits(f)[0] == family and not run.empty)
            if not points:
                continue
            bits = [b for b, _ in points]
            acc = [100 * float(r["accuracy"].iloc[0]) for _, r in points]
            err = [100 * float(r["accuracy_ci95"].fillna(0).iloc[0]) for _, r in points]
            name = {"trunc": "fp32 truncated to K bits", "int": "K-bit integer"}[family]
            ax.errorbar(bits, acc, yerr=err, marker="o", ms=3.5, lw=1.3, ls=style, capsize=2,
                        color=plt.cm.tab10(index), label=name + (f", {group}" if group else ""))
    others = [f for f in _values(runs, FORMAT) if not _format_bits(f)[0]]
    for index, f in enumerate(others):
        run = runs[runs[FORMAT] == f]
        accuracy = 100 * float(run["accuracy"].iloc[0])
        ax.axhline(accuracy, color=plt.cm.Dark2(index), lw=0.9, ls=(0, (1, 1 + index)),
                   label=f"{f}: {accuracy:.2f} %")
    ax.set_xlabel("bits kept per weight (K)")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 102)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    caption = ("Accuracy against the bits each weight keeps in the SRAM: fp32 truncated to its K "
               "most significant bits (trunc-K) and symmetric K-bit integers (int-K); other "
               f"formats as dotted lines.{_held(held)}")
    return Figure("bits_kept", "Accuracy versus bits kept", fig, caption)


def pruning(results):
    """Accuracy and the fraction of weights pruned versus the pruning threshold."""
    if PRUNE not in results.swept:
        return None
    runs, held = results.hold_fixed([PRUNE])
    runs = runs.iloc[np.argsort(_numeric(runs[PRUNE]), kind="stable")]
    thresholds = _numeric(runs[PRUNE])
    fig, ax = plt.subplots(figsize=(6.4, 3.9))
    ax.errorbar(thresholds, 100 * runs["accuracy"].astype(float),
                yerr=100 * runs["accuracy_ci95"].fillna(0).astype(float), marker="o", ms=3.5,
                capsize=2, color="#1f77b4", label="accuracy")
    ax.set_xlabel("pruning threshold (|w| below it set to 0)")
    ax.set_ylabel("accuracy (%)", color="#1f77b4")
    ax.set_ylim(0, 102)
    twin = ax.twinx()
    twin.plot(thresholds, 100 * runs["pruned_fraction"].astype(float), color="#ff7f0e",
              marker="s", ms=3, lw=1.1, label="weights pruned")
    twin.set_ylabel("weights pruned (%)", color="#ff7f0e")
    twin.set_ylim(0, 102)
    positive = thresholds[thresholds > 0]
    if len(positive) > 1 and positive.min() / positive.max() < 0.02:  # spans decades
        ax.set_xscale("symlog", linthresh=positive.min())
        ax.set_xlim(0, thresholds.max() * 1.2)
    ax.grid(alpha=0.3)
    handles = ax.get_legend_handles_labels()
    twin_handles = twin.get_legend_handles_labels()
    ax.legend(handles[0] + twin_handles[0], handles[1] + twin_handles[1], fontsize=7,
              loc="lower left")
    fig.tight_layout()
    caption = ("Accuracy (left) and the share of weights pruned (right) against the pruning "
               f"threshold (weights.prune_threshold).{_held(held)}")
    return Figure("pruning", "Accuracy versus pruning threshold", fig, caption)


# ------------------------------------------------------------------- other swept keys

def swept_key_figures(results):
    """One figure per swept key no dedicated figure shows (array size, dataflow,
    centralization, ...): accuracy, energy and cycles per inference against it."""
    figures = []
    for key in results.swept:
        if key in _DEDICATED:
            continue
        runs, held = results.hold_fixed([key])
        values = _values(runs, key)
        try:
            x = _numeric(values)
            order = np.argsort(x, kind="stable")
            ticks = None
        except ValueError:
            x = np.arange(len(values), dtype=float)
            order = np.arange(len(values))
            ticks = [str(v) for v in values]
        rows = [runs[runs[key] == v].iloc[0] for v in values]
        fig, axes = plt.subplots(1, 3, figsize=(11.5, 3.3))
        metrics = (("accuracy", "accuracy (%)", 100), ("energy_per_inference_uj",
                   "energy per inference (uJ)", 1), ("cycles_per_inference", "cycles per inference", 1))
        for ax, (column, name, scale) in zip(axes, metrics):
            y = np.array([scale * float(r[column]) for r in rows])
            ax.plot(x[order], y[order], marker="o", ms=4, color="#1f77b4")
            if column == "accuracy":
                err = np.array([100 * float(r["accuracy_ci95"] or 0) for r in rows])
                ax.fill_between(x[order], (y - err)[order], (y + err)[order], alpha=0.2, lw=0)
            ax.set_ylabel(name)
            ax.set_xlabel(key)
            if ticks:
                ax.set_xticks(x, ticks, rotation=30, fontsize=7)
            ax.grid(alpha=0.3)
        fig.tight_layout()
        caption = (f"Accuracy, energy and cycles per inference against {key}.{_held(held)}")
        figures.append(Figure("swept_" + key.replace(".", "_"), f"Versus {key}", fig, caption))
    return figures


def energy_breakdown(results):
    """A single run's energy per inference by component (a run has no axes to plot)."""
    if results.kind != "run":
        return None
    run = results.runs.iloc[0]
    components = [(name, float(run[f"{c}_uj"])) for c, name in ENERGY_COMPONENTS
                  if float(run.get(f"{c}_uj", 0) or 0) > 0]
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    ax.barh([name for name, _ in components][::-1], [v for _, v in components][::-1],
            color=plt.cm.Set2(np.arange(len(components)))[::-1])
    for y, (_, value) in enumerate(components[::-1]):
        ax.text(value, y, f" {value:.3g}", va="center", fontsize=7)
    ax.set_xlabel("energy per inference (uJ)")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    caption = (f"Where the {float(run['energy_per_inference_uj']):.4g} uJ of one inference go, at "
               f"{float(run['vdd_v']):g} V with mitigation {run['mitigation']}.")
    return Figure("energy_breakdown", "Energy breakdown", fig, caption)


FIGURES = [fault_curves, energy_vs_voltage, yield_vs_voltage, aging, refresh_needed, pareto,
           layer_sensitivity, bits_kept, pruning, energy_breakdown, swept_key_figures]


def build_all(results):
    """Every figure that applies to the results, in report order."""
    built = []
    for make in FIGURES:
        made = make(results)
        if made is None:
            continue
        built.extend(made if isinstance(made, list) else [made])
    return built
