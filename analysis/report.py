#!/usr/bin/env python3
"""One self-contained HTML page for an lvsim sweep or run: every figure that
applies (embedded as PNG data, no network needed to view it), the operating
point and the operating-point table (nominal supply, fault-free Vmin, the
operating points, as `lvsim optimize` prints them), the table of runs and the
configuration.

    /usr/bin/python3 analysis/report.py results/voltage_scaling        # -> results/voltage_scaling/report.html
    /usr/bin/python3 analysis/report.py results/latest --out run.html   # a single run
    build/lvsim report results/voltage_scaling                          # the same, from the binary

SOURCE is a sweep directory or its sweep.db, or a run directory or its
report.json. The page is written to a temporary file and renamed into place,
so a failed report never leaves a half-written page. Needs Debian's
python3-matplotlib, python3-numpy and python3-pandas.
"""
import argparse
import base64
import html
import io
import os
import sys

PROG = os.environ.get("LVSIM_PROG", "report.py")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lvsim_results  # noqa: E402  (first: it checks the Debian packages)
import figures  # noqa: E402
import operating_points  # noqa: E402

_STYLE = """
body { font: 14px/1.45 -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #222;
       max-width: 1180px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px;
     border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.sub { color: #666; margin-top: 0; }
nav a { margin-right: 12px; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; }
dl.facts dt { color: #666; } dl.facts dd { margin: 0; }
figure { margin: 18px 0 28px; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #444; font-size: 13px; max-width: 900px; }
table { border-collapse: collapse; font-size: 12px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th { background: #f6f6f6; position: sticky; top: 0; }
td.text, th.text { text-align: left; }
tr.front td { background: #fff4f4; } tr.chosen td { background: #fff6c8; font-weight: 600; }
.scroll { max-height: 520px; overflow: auto; border: 1px solid #eee; }
.config { columns: 2; font: 12px monospace; } .config div { break-inside: avoid; }
.swept { color: #b00; }
"""


def _png(figure):
    buffer = io.BytesIO()
    figure.fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _number(value, digits=4):
    if value is None:
        return ""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return html.escape(str(value))
    if value != value:  # NaN
        return ""
    return f"{value:,.{digits}g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _percent(value, ci=None):
    text = f"{100 * float(value):.2f}"
    if ci is not None and float(ci or 0) > 0:
        text += f" &plusmn; {100 * float(ci):.2f}"
    return text


def _facts(results):
    runs = results.runs
    first = runs.iloc[0]
    facts = [("source", html.escape(os.path.abspath(results.source))),
             ("kind", "sweep" if results.kind == "sweep" else "single run"),
             ("workload", html.escape(f"{first['network']} on {first['dataset']}, "
                                      f"{int(first['images']):,} images, "
                                      f"{int(first['trials'])} trial(s) per run")),
             ("runs", f"{len(runs)} finished" + (f", {len(results.failed)} failed"
                                                 if len(results.failed) else ""))]
    for key in results.swept:
        values = ", ".join(dict.fromkeys(runs[key].astype(str)))
        facts.append((f"swept {html.escape(key)}", html.escape(values)))
    if results.kind == "run":
        missed = int(first["trials_missing_target"])
        facts.append(("accuracy target", html.escape(
            f"{100 * results.target_drop:g} % below fault-free: "
            + (f"kept in all {int(first['trials'])} trial(s)" if missed == 0 else
               f"missed in {missed} of {int(first['trials'])} trial(s), first after "
               f"{int(first['first_image_missing_target']):,} images"))))
        if operating_points.is_population(runs).iloc[0]:
            facts.append(("yield", html.escape(_yield_text(first))))
    else:
        facts.append(("operating point", html.escape(_operating_point_text(results))))
    return "<dl class='facts'>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"


def _yield_text(run):
    """"5 of 6 chips (83.3 %, 95 % CI 35.9-99.6 %) met the target; 95 % wanted"."""
    chips = int(run["chips"])
    return (f"{round(run['yield'] * chips)} of {chips} chips ({100 * run['yield']:.1f} %, 95 % "
            f"CI {100 * run['yield_ci95_low']:.1f}-{100 * run['yield_ci95_high']:.1f} %) met "
            f"the target; {100 * run['target_yield']:g} % wanted")


def _setting_text(results, choice):
    """A chosen knob setting's swept values, or its run's voltage and mitigation."""
    run = results.runs.loc[choice.binding]
    return (lvsim_results.label(run, list(choice.setting.knobs))
            or f"{float(run['vdd_v']):g} V, {run['mitigation']}")


def _binding_text(results, choice):
    """The condition closest to failing, with its yield or accuracy; "" without conditions."""
    if not results.conditions:
        return ""
    run = results.runs.loc[choice.binding]
    text = lvsim_results.label(run, results.conditions)
    if operating_points.is_population(results.runs.loc[[choice.binding]]).iloc[0]:
        return f"{text}: {_yield_text(run)}"
    return f"{text}: accuracy {100 * float(run['accuracy']):.2f} %"


def _operating_point_text(results):
    chosen = operating_points.cheapest(results, operating_points.knob_settings(results))
    if chosen is None:
        return ("none: no knob setting kept the accuracy target"
                + (" under every condition" if results.conditions else ""))
    text = (f"{_setting_text(results, chosen)}: {chosen.energy_uj:.4g} uJ per inference, "
            f"accuracy {100 * chosen.setting.accuracy:.2f} % (least energy that kept the target, "
            f"{100 * results.target_drop:g} % below fault-free")
    if not results.conditions:
        return text + ")"
    return (text + f", under every condition: worst case over {', '.join(results.conditions)}); "
            f"binding {_binding_text(results, chosen)}")


def _operating_point_table(results):
    """The table `lvsim optimize` ends with, and where the saving comes from."""
    rows = operating_points.table(results)
    if not rows:
        return ""
    cells = []
    for row in rows:
        if row.voltage_v is not None:
            setting = f"{row.voltage_v:.3g} V"
        elif row.name.startswith("nominal"):
            setting = ""
        else:
            setting = (_setting_text(results, row.choice) if row.choice is not None
                       else "none kept the target")
        binding = _binding_text(results, row.choice) if row.choice is not None else ""
        cells.append(f"<tr><td class='text'>{html.escape(row.name)}</td>"
                     f"<td class='text'>{html.escape(setting)}</td>"
                     f"<td>{_number(row.energy_uj)}</td><td>{_number(row.saving_uj)}</td>"
                     f"<td class='text'>{html.escape(binding)}</td></tr>")
    head = ("<tr><th class='text'></th><th class='text'>setting</th><th>energy (uJ)</th>"
            "<th>saved from the row before (uJ)</th><th class='text'>binding condition</th></tr>")
    chosen_by = ("" if results.kind == "run" else
                 "As <code>lvsim optimize</code> chooses them: a knob setting keeps the target "
                 "when each of its runs does (a population: yield &ge; the target yield; one "
                 "chip: no trial missed the target), under every condition swept, and costs its "
                 "worst energy per inference over them. ")
    return (f"<p class='sub'>{chosen_by}The nominal energy is fault-free and unmitigated; the "
            "fault-free Vmin is the lowest supply at which the target yield of chips has no "
            "weak cell.</p>"
            f"<table class='points'><thead>{head}</thead><tbody>{''.join(cells)}</tbody></table>"
            + _split_text(results, rows))


def _split_text(results, rows):
    """The saving from nominal at the operating point in two parts: the guardband
    removed (nominal to fault-free Vmin) and what fault tolerance buys below it."""
    nominal, vmin, chosen = rows[0], rows[1], rows[-1]
    if chosen.energy_uj is None:
        return ""
    total = nominal.energy_uj - chosen.energy_uj
    guardband = nominal.energy_uj - vmin.energy_uj
    tolerance = vmin.energy_uj - chosen.energy_uj
    where = "In this run" if results.kind == "run" else "At the operating point"
    return (f"<p>{where}, {total:.4g} uJ per inference "
            f"({100 * total / nominal.energy_uj:.1f} %) less than at the nominal supply: "
            f"{guardband:.4g} uJ from removing the guardband (nominal to fault-free Vmin) and "
            f"{tolerance:.4g} uJ from fault tolerance (below the fault-free Vmin"
            + (", negative: the supply lies above it or the mitigation costs energy"
               if tolerance < 0 else "") + ").</p>")


def _runs_table(results):
    runs = results.runs
    front = set(figures.pareto_points(runs)) if len(runs) > 1 else set()
    chosen = figures.operating_point(results)
    columns = [("point", "point", lambda r: str(int(r["point"])))]
    columns += [(key, key, lambda r, k=key: html.escape(str(r[k]))) for key in results.swept]
    columns += [
        ("accuracy (%)", "accuracy", lambda r: _percent(r["accuracy"], r["accuracy_ci95"])),
        ("fault-free (%)", "fault_free_accuracy", lambda r: _percent(r["fault_free_accuracy"])),
        ("trials missing target", "trials_missing_target",
         lambda r: f"{int(r['trials_missing_target'])} of {int(r['trials'])}"),
        ("p per read", "read_fault_probability", lambda r: f"{float(r['read_fault_probability']):.3g}"),
        ("refreshes", "refreshes", lambda r: _number(r["refreshes"])),
        ("energy (uJ)", "energy_per_inference_uj", lambda r: _number(r["energy_per_inference_uj"])),
        ("cycles", "cycles_per_inference", lambda r: _number(r["cycles_per_inference"], 6)),
        ("latency (us)", "latency_us", lambda r: _number(r["latency_us"])),
        ("EDP (uJ ms)", "edp_uj_ms", lambda r: _number(r["edp_uj_ms"])),
    ]
    columns += _population_columns(runs)
    head = "".join(f"<th class='{'text' if name in results.swept else ''}'>{html.escape(name)}</th>"
                   for name, _, _ in columns)
    rows = []
    for index, run in runs.iterrows():
        css = "chosen" if index == chosen else "front" if index in front else ""
        cells = "".join(f"<td class='{'text' if name in results.swept else ''}'>{cell(run)}</td>"
                        for name, _, cell in columns)
        rows.append(f"<tr class='{css}'>{cells}</tr>")
    note = ("<p class='sub'>Highlighted: the operating point (yellow; with conditions swept, "
            "its run closest to failing) and the Pareto front (pink). Accuracy &plusmn; its 95 % "
            "interval over trials" + ("; yield with its 95 % interval" if
                                      operating_points.is_population(runs).any() else "")
            + ".</p>") if len(runs) > 1 else ""
    table = (f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
             "</tbody></table></div>")
    if len(results.failed):
        failed = "".join(f"<tr><td>{int(r['point'])}</td><td class='text'>{html.escape(str(r['axes']))}"
                         f"</td><td class='text'>{html.escape(str(r['error']))}</td></tr>"
                         for _, r in results.failed.iterrows())
        table += ("<h3>Failed runs</h3><table><tr><th>point</th><th class='text'>swept values</th>"
                  f"<th class='text'>error</th></tr>{failed}</table>")
    return note + table


def _population_columns(runs):
    """The yield and the two parts of the saving, where the runs carry them."""
    columns = []
    if operating_points.is_population(runs).any():
        columns += [
            ("chips", "chips", lambda r: _number(r["chips"])),
            ("yield (%)", "yield", lambda r: "" if r["yield"] != r["yield"] else
             f"{100 * r['yield']:.1f} ({100 * r['yield_ci95_low']:.1f}-"
             f"{100 * r['yield_ci95_high']:.1f})"),
        ]
    if runs["saving_guardband_uj"].notna().any():
        columns += [
            ("guardband saving (uJ)", "saving_guardband_uj",
             lambda r: _number(r["saving_guardband_uj"])),
            ("fault-tolerance saving (uJ)", "saving_fault_tolerance_uj",
             lambda r: _number(r["saving_fault_tolerance_uj"])),
        ]
    return columns


def _config(results):
    items = []
    for key in sorted(results.config):
        value = str(results.config[key])
        css = " class='swept'" if value.startswith("swept: ") else ""
        items.append(f"<div{css}>{html.escape(key)} = {html.escape(value)}</div>")
    return "<div class='config'>" + "".join(items) + "</div>"


def render(results):
    """The report page as a string."""
    built = figures.build_all(results)
    title = f"lvsim report: {os.path.basename(os.path.abspath(results.source))}"
    nav = "".join(f"<a href='#fig-{f.name}'>{html.escape(f.title)}</a>" for f in built)
    body = [f"<h1>{html.escape(title)}</h1>",
            "<p class='sub'>Accuracy, refresh, energy and cycles from lvsim's simulated "
            "accelerator; every number below is taken from the runs' own reports.</p>",
            f"<nav>{nav}<a href='#runs'>Runs</a><a href='#config'>Configuration</a></nav>",
            "<h2 id='summary'>Summary</h2>", _facts(results)]
    points = _operating_point_table(results)
    if points:
        heading = "Savings" if results.kind == "run" else "Operating points"
        body += [f"<h2 id='operating-points'>{heading}</h2>", points]
    body.append("<h2 id='figures'>Figures</h2>")
    if not built:
        body.append("<p>No figure applies to these results.</p>")
    for figure in built:
        body.append(f"<figure id='fig-{figure.name}'><h3>{html.escape(figure.title)}</h3>"
                    f"<img alt='{html.escape(figure.title)}' src='data:image/png;base64,"
                    f"{_png(figure)}'><figcaption>{html.escape(figure.caption)}</figcaption></figure>")
        figures.plt.close(figure.fig)
    body += ["<h2 id='runs'>Runs</h2>", _runs_table(results),
             "<h2 id='config'>Configuration</h2>",
             "<p class='sub'>The resolved configuration of the runs; swept keys in red.</p>",
             _config(results)]
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="sweep directory, sweep.db, run directory or report.json")
    parser.add_argument("--out", help="HTML file to write (default SOURCE's directory/report.html)")
    args = parser.parse_args(argv)
    try:
        results = lvsim_results.load(args.source)
    except lvsim_results.SourceError as error:
        sys.exit(f"{PROG}: error: {error}")
    out = args.out or os.path.join(args.source if os.path.isdir(args.source)
                                   else os.path.dirname(args.source) or ".", "report.html")
    page = render(results)
    temporary = out + ".tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as stream:
            stream.write(page)
        os.replace(temporary, out)
    except OSError as error:
        sys.exit(f"{PROG}: error: {out}: cannot write ({error.strerror})")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
