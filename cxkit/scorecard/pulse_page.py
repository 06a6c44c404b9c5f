"""The pulse's page: a report template (a notebook) and the aggregates it is run on.

:func:`template` builds the notebook the pulse runs with papermill (through
:func:`cxkit.course.render.run_template`, as every report), one section per
page, so that one kernel makes every page: a ``parameters`` cell naming the
aggregates folder, then each page's cells, showing what is in its subfolder. Only
aggregates reach it: per touchpoint and measure the baseline, now, the change,
its interval and verdict, the counts of answers; the team's commitments; the
messages. Every text written by people is escaped on the page.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

COMMON = """import json
from html import escape
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

VERDICT = {"clearly better": "pass", "clearly worse": "fail"}


def para(text, css=""):
    display(HTML(f'<p class="{css}">{escape(text)}</p>'))


def number(value, metric):
    if value == "":
        return ""
    return f"{float(value):.2f}" if metric == "effort" else f"{float(value):.1f}"


def page(name):
    folder = Path(aggregates) / name
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    rows = pd.read_csv(folder / "changes.csv", keep_default_na=False)
    commitments = pd.read_csv(folder / "commitments.csv", dtype=str, keep_default_na=False)
    display(HTML(f"<h1>{escape(meta['title'])}</h1>"))
    para(meta["period"], "summary")
    para(meta["baseline"])
    for message in meta["messages"]:
        display(HTML(f'<div class="badge pending">{escape(message)}</div>'))
    return meta, rows, commitments"""

CHANGES = """if rows.empty:
    para("There is nothing to compare: see the message above.")
else:
    lines = []
    for _, r in rows.iterrows():
        sign = "+" if r["change"] != "" and float(r["change"]) >= 0 else ""
        change = sign + number(r["change"], r["metric"])
        interval = (
            f"{number(r['low'], r['metric'])} to {number(r['high'], r['metric'])}"
            if r["low"] != ""
            else ""
        )
        css = VERDICT.get(r["verdict"], "")
        named = "<br>".join(escape(t) for t in str(r["commitments"]).split("\\n") if t)
        lines.append(
            f"<tr><td>{escape(r['touchpoint'])}</td><td>{escape(r['measure'])}</td>"
            f"<td>{number(r['baseline'], r['metric'])} ({r['n_baseline']})</td>"
            f"<td>{number(r['now'], r['metric'])} ({r['n_now']})</td>"
            f"<td>{change}</td><td>{interval}</td>"
            f'<td class="{css}">{escape(r["verdict"])}</td><td>{named}</td></tr>'
        )
    display(HTML(
        "<table><thead><tr><th>Touchpoint</th><th>Measure</th><th>Before (answers)</th>"
        "<th>Now (answers)</th><th>Change</th><th>95% interval of the change</th>"
        "<th>Verdict</th><th>Commitments that name it</th></tr></thead><tbody>"
        + "".join(lines) + "</tbody></table>"
    ))"""

COMMITMENTS = """if meta["commitments"]:
    para(meta["commitments"])
else:
    lines = []
    for _, c in commitments.iterrows():
        followed = c["follows"] or c["problem"]
        lines.append(
            "<tr>" + "".join(f"<td>{escape(c[k])}</td>" for k in
            ("participant", "change", "touchpoint", "metric", "target", "by", "kept"))
            + f'<td class="{"" if c["follows"] else "pending"}">{escape(followed)}</td></tr>'
        )
    display(HTML(
        "<table><thead><tr><th>Who</th><th>The change</th><th>Touchpoint</th><th>Measure</th>"
        "<th>Target</th><th>By</th><th>Kept?</th><th>In this pulse</th></tr></thead><tbody>"
        + "".join(lines) + "</tbody></table>"
    ))"""

HOW = """para(
    "Before is the baseline: the answers at your touchpoints in the days before your "
    "workshop. Now is the answers since. The change is now minus before, in the measure's "
    "unit (NPS points from -100 to 100, CSAT percentage points, effort on 1 to 7, where "
    "lower is better). Its 95% interval is the interval of the difference itself "
    "(cxkit.difference): when it lies wholly on one side of 0 the change is clearly better "
    "or clearly worse; when it holds 0 we can't tell yet, and more answers will tell. "
    f"A verdict needs at least {meta['min_n']} answers on each side. With many measures, "
    "about one in twenty that did not really move looks clearly changed by chance: trust a "
    "change that the next pulse confirms."
)"""


def template(pages: list[str]) -> Any:
    """The pulse's report template for some pages, as a notebook node.

    One run makes every page: the cells of page ``i`` (the aggregates subfolder
    ``pages[i]``) are tagged ``page-i``, and :func:`page_notebook` takes them out.
    """
    cells = [
        new_markdown_cell(
            "# Pulse\n\nA template: `cxkit pulse` runs it on the departments' aggregates.",
            metadata={"tags": ["remove-cell"]},
        ),
        new_code_cell('aggregates = "aggregates"', metadata={"tags": ["parameters"]}),
        new_code_cell(COMMON, metadata={"tags": ["remove-cell"]}),
    ]
    for i, name in enumerate(pages):
        tag = {"tags": [f"page-{i}"]}
        cells += [
            new_code_cell(f"meta, rows, commitments = page({name!r})", metadata=tag),
            new_markdown_cell("## Your touchpoints, before your workshop and now", metadata=tag),
            new_code_cell(CHANGES, metadata=tag),
            new_markdown_cell("## Your commitments", metadata=tag),
            new_code_cell(COMMITMENTS, metadata=tag),
            new_markdown_cell("## One success to recognise", metadata=tag),
            new_code_cell('para(meta["success"], "badge pass")', metadata=tag),
            new_markdown_cell("## Ten minutes to refresh", metadata=tag),
            new_code_cell('para(meta["refresher"])', metadata=tag),
            new_markdown_cell("## How to read this page", metadata=tag),
            new_code_cell(HOW, metadata=tag),
        ]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return notebook


def page_notebook(executed: Any, i: int) -> Any:
    """The cells of page ``i`` of an executed :func:`template`, as a notebook of their own."""
    part = copy.copy(executed)
    part.cells = [
        copy.deepcopy(c) for c in executed.cells if f"page-{i}" in c.metadata.get("tags", [])
    ]
    return part


def write_template(folder: Path, pages: list[str]) -> Path:
    """Write :func:`template` for ``pages`` into ``folder``; return its path."""
    path = folder / "pulse.ipynb"
    nbformat.write(template(pages), path)
    return path


def write_aggregates(
    folder: Path, meta: dict[str, Any], rows: pd.DataFrame, commitments: pd.DataFrame | None
) -> Path:
    """Write what one page shows: ``meta.json``, ``changes.csv``, ``commitments.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    rows.to_csv(folder / "changes.csv", index=False)
    columns = ["participant", "change", "touchpoint", "metric", "target", "by", "kept"]
    shown = (
        commitments[[*columns, "follows", "problem"]]
        if commitments is not None
        else pd.DataFrame(columns=[*columns, "follows", "problem"])
    )
    shown.to_csv(folder / "commitments.csv", index=False)
    return folder
