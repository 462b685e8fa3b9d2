"""What ``python -m skdeep.reproduce`` writes: figures, results.csv, results.md, results.html.

Rows return matplotlib figures (drawn with :mod:`skdeep.plotting`) and their fitted
estimators; this module saves the figures, draws one learning-curve figure per trained
row, and writes the table with the figures beside it.
"""
from __future__ import annotations

import csv
import html
import pathlib
import re

FIELDS = ["model", "dataset", "test_error", "epochs", "seconds", "device", "tutorial",
          "notes", "figures"]
HEADERS = ["model", "data", "test error", "epochs", "seconds", "device",
           "tutorial (published)", "notes"]
DPI = 100


def slug(text):
    """A file-name stem for a row: lower case, runs of other characters as one ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def new_figure(nrows=1, ncols=1, *, width=5.0, height=3.6, sharex=False):
    """A ``width`` x ``height`` inch figure and its grid of axes (a flat list), free of
    pyplot's global state, so a long run leaks no figures and needs no display."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, list(fig.subplots(nrows, ncols, squeeze=False, sharex=sharex).ravel())


def learning_curve_figure(history):
    """One panel per fitted estimator of ``history`` (pairs ``(label, estimator)``), plus
    a pretraining panel for stacks trained layer by layer; None when nothing has a
    history to show."""
    from ..plotting import _history_owner, plot_learning_curve

    panels = []
    for label, est in history:
        owner = _history_owner(est)
        if getattr(owner, "loss_curve_", None):
            panels.append((label, est, "train"))
        if getattr(owner, "pretrain_loss_curves_", None):
            panels.append((label, est, "pretrain"))
    if not panels:
        return None
    fig, axes = new_figure(1, len(panels), width=5.0 * len(panels))
    for ax, (label, est, stage) in zip(axes, panels):
        name = type(_history_owner(est)).__name__
        what = "pretraining, per layer" if stage == "pretrain" else "training"
        plot_learning_curve(est, stage=stage, ax=ax,
                            title=", ".join(t for t in (label or name, what) if t))
    return fig


def save_row_figures(out, model, res):
    """Save the figures of one row's result under ``out/figures``; return their paths
    relative to ``out`` (what the tables link to), learning curve last."""
    folder = pathlib.Path(out) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    figures = dict(res.get("figures") or {})
    history = list(res.get("history") or [])
    if not history and res.get("estimator") is not None:
        history = [("", res["estimator"])]
    curve = learning_curve_figure(history) if history else None
    if curve is not None:
        figures[f"learning_curve_{slug(model)}.png"] = curve
    paths = []
    for name, fig in figures.items():
        fig.savefig(folder / name, dpi=DPI)
        paths.append(f"figures/{name}")
    # other files a row wrote itself (a sampled MIDI file), as paths under out
    for path in res.get("files") or []:
        path = pathlib.Path(path)
        try:
            paths.append(path.relative_to(out).as_posix())
        except ValueError:
            paths.append(str(path))
    return paths


def _title(args):
    settings = "the tutorials' settings" if args.tutorial_settings else "skdeep defaults"
    return (f"skdeep reproduce ({args.dataset}, {settings}"
            + (", quick" if args.quick else "") + ")")


def _images(record):
    return [p for p in record["figures"] if p.endswith(".png")]


def write_csv(out, results):
    with open(pathlib.Path(out) / "results.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for r in results:
            writer.writerow({**r, "figures": " ".join(r["figures"])})


def write_markdown(out, results, args):
    lines = [f"# {_title(args)}", "", "| " + " | ".join(HEADERS) + " |",
             "|" + "---|" * len(HEADERS)]
    for r in results:
        lines.append("| " + " | ".join(str(r[k]).replace("|", "\\|")
                                       for k in FIELDS[:-1]) + " |")
    for r in results:
        if r["figures"]:
            lines += ["", f"## {r['model']}", ""]
            lines += [f"![{pathlib.PurePosixPath(p).stem}]({p})" for p in _images(r)]
            lines += [f"[{pathlib.PurePosixPath(p).name}]({p})" for p in r["figures"]
                      if not p.endswith(".png")]
    (pathlib.Path(out) / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


_STYLE = """body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ccc;padding:4px 8px;
vertical-align:top}th{background:#eee}td.num{text-align:right;white-space:nowrap}
figure{display:inline-block;margin:0.5em}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:80%;color:#555}"""


def write_html(out, results, args):
    """results.html: the table, then each row's figures under its name."""
    esc = html.escape
    title = esc(_title(args))
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{title}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{title}</h1>", "<table><tr>"
             + "".join(f"<th>{esc(h)}</th>" for h in HEADERS) + "</tr>"]
    for r in results:
        cells = []
        for k in FIELDS[:-1]:
            text = esc(str(r[k]))
            if k == "model" and r["figures"]:
                text = f'<a href="#{slug(r["model"])}">{text}</a>'
            cls = ' class="num"' if k in ("test_error", "epochs", "seconds") else ""
            cells.append(f"<td{cls}>{text}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    for r in results:
        if not r["figures"]:
            continue
        parts.append(f'<h2 id="{slug(r["model"])}">{esc(r["model"])}</h2>')
        if r["notes"]:
            parts.append(f"<p>{esc(str(r['notes']))}</p>")
        for p in _images(r):
            name = esc(pathlib.PurePosixPath(p).name)
            parts.append(f'<figure><a href="{esc(p)}"><img src="{esc(p)}" alt="{name}">'
                         f"</a><figcaption>{name}</figcaption></figure>")
        others = [p for p in r["figures"] if not p.endswith(".png")]
        if others:
            parts.append("<p>" + ", ".join(f'<a href="{esc(p)}">{esc(p)}</a>'
                                           for p in others) + "</p>")
    parts.append("</body></html>")
    (pathlib.Path(out) / "results.html").write_text("\n".join(parts) + "\n",
                                                    encoding="utf-8")


def write_tables(out, results, args):
    """results.csv, results.md and results.html in ``out``."""
    write_csv(out, results)
    write_markdown(out, results, args)
    write_html(out, results, args)
