"""The operating points `lvsim optimize` chooses, from a sweep's runs; its rules
(sim/optimize.h), kept the same here so the report and `lvsim optimize` agree.

A sweep's keys are knobs (what an architect chooses: voltage, mitigation,
refresh, ...) or conditions (what a choice must hold across: Results.conditions,
the sweep's [conditions] and the chip's seed, age and temperature). A knob
setting is the runs alike in every knob. A run meets the target when

  - it is a population (chips > 1) whose yield reaches target_yield, or
  - it is one chip and no trial's windowed accuracy fell more than
    report.target_drop below fault-free (trials_missing_target = 0);

a setting meets it when each of its runs does. Its cost is its worst energy per
inference over the conditions, and its binding run the one closest to failing.
"""
import pandas as pd

AGE = "chip.age_years"


def is_population(runs):
    """Per run: a population of chips (sim.chips > 1) that reports a yield."""
    return (runs["chips"].fillna(1) > 1) & runs["yield"].notna()


def meets_target(runs):
    """Per run: whether it met the accuracy target (the yield, for a population)."""
    population = is_population(runs)
    # A missing target yield counts as 0, as lvsim optimize reads a null.
    yield_met = runs["yield"] >= runs["target_yield"].fillna(0) - 1e-12
    chip_met = pd.to_numeric(runs["trials_missing_target"], errors="coerce") == 0
    return (population & yield_met) | (~population & chip_met)


def _margin(runs):
    """How close each run is to failing, lower is closer: the yield, or for one
    chip whether it met the target, then its accuracy below fault-free."""
    single = (meets_target(runs).astype(float) + runs["accuracy"].astype(float)
              - runs["fault_free_accuracy"].astype(float))
    return runs["yield"].where(is_population(runs), single)


class Setting:
    """One knob setting: its knob values, its runs (indices into Results.runs, one
    per condition) and its worst accuracy over them."""

    def __init__(self, knobs, runs):
        self.knobs = knobs  # {key: value}
        self.index = list(runs.index)
        self.accuracy = float(runs["accuracy"].astype(float).min())


def knob_settings(results):
    """The knob settings in the order of their first point."""
    knobs = [key for key in results.swept if key not in results.conditions]
    if not knobs:
        return [Setting({}, results.runs)]
    groups = results.runs.groupby(knobs if len(knobs) > 1 else knobs[0], sort=False,
                                  dropna=False)
    return [Setting(dict(zip(knobs, values if isinstance(values, tuple) else (values,))), runs)
            for values, runs in groups]


class Choice:
    """A setting chosen under some conditions: its energy (the worst over them) and
    its binding run there (the one closest to failing)."""

    def __init__(self, setting, energy_uj, binding):
        self.setting = setting
        self.energy_uj = energy_uj
        self.binding = binding


def cheapest(results, settings, counts=None):
    """The setting that meets the target at the least worst energy over the runs
    `counts` (a per-run boolean Series; all when None) admits, as a Choice; None
    when none does. Ties go to the earlier setting."""
    runs = results.runs
    met = meets_target(runs)
    chosen = None
    for setting in settings:
        index = [i for i in setting.index if counts is None or counts[i]]
        if not index or not met[index].all():
            continue
        worst = float(runs.loc[index, "energy_per_inference_uj"].astype(float).max())
        if chosen is None or worst < chosen.energy_uj:
            binding = _margin(runs.loc[index]).astype(float).fillna(float("inf")).idxmin()
            chosen = Choice(setting, worst, binding)
    return chosen


class Row:
    """A row of the operating-point table: its name, the supply it names (the
    nominal and Vmin rows) or the Choice (the operating points; None where no
    setting met the target), its energy per inference and the saving from the
    row before (None in the first row or next to a missing energy)."""

    def __init__(self, name, energy_uj, voltage_v=None, choice=None):
        self.name = name
        self.energy_uj = energy_uj
        self.voltage_v = voltage_v
        self.choice = choice
        self.saving_uj = None


def table(results):
    """The operating-point table (lvsim optimize's last table): the nominal
    supply, the fault-free Vmin, the operating point at age 0 and the one that
    holds under every condition. [] where the runs report no fault-free Vmin.

    The nominal energy and the Vmin are the worst over the chosen setting's runs
    (over every run when no setting holds under every condition, where lvsim
    optimize prints no table); a row for an operating point that does not exist
    has no choice and no energy. The row at age 0 is left out where the age is
    not swept (lvsim optimize prints it, the same as the row below it). For a
    single run (lvsim run) the last row is that run."""
    settings = knob_settings(results)
    held = cheapest(results, settings)
    if results.kind == "run":  # the run itself, whether or not it met the target
        run = results.runs.index[0]
        held = Choice(settings[0], float(results.runs.loc[run, "energy_per_inference_uj"]), run)
    runs = results.runs if held is None else results.runs.loc[held.setting.index]
    if runs["fault_free_vmin_v"].isna().any():
        return []
    worst = runs.loc[runs["fault_free_vmin_v"].idxmax()]  # aging raises the Vmin
    nominal_v = runs["nominal_vdd_v"].max()
    rows = [Row("nominal supply", float(runs["nominal_uj"].max()),
                None if pd.isna(nominal_v) else float(nominal_v)),
            Row("fault-free Vmin", float(worst["fault_free_vmin_uj"]),
                float(worst["fault_free_vmin_v"]))]
    if AGE in results.swept:  # without, it would repeat the row below
        young = cheapest(results, settings, results.runs[AGE].astype(float) == 0)
        if young is not None or held is None:
            rows.append(Row("operating point, age 0", young and young.energy_uj, choice=young))
    name = ("this run" if results.kind == "run" else
            "operating point" + (", every condition" if results.conditions else ""))
    rows.append(Row(name, held and held.energy_uj, choice=held))
    for before, row in zip(rows, rows[1:]):
        if before.energy_uj is not None and row.energy_uj is not None:
            row.saving_uj = before.energy_uj - row.energy_uj
    return rows
