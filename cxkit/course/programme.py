"""The programme report: per department, over time, what the workshops left behind.

One offline page for the facilitator (``cxkit programme``) with, for each department:

- **workshops**: who of the department (by the roster) handed each workshop in and
  was graded, and the mean score, from nbgrader's gradebook;
- **refreshers**: the mean score of each refresher (:mod:`cxkit.course.refresher`),
  by date: what was retained;
- **commitments**: what was committed (:mod:`cxkit.course.commitments`) and what the
  facilitator recorded as kept;
- **committed metrics**: for each metric a commitment named, its movement in every
  pulse of the department (``<course>/pulses.csv``, written by ``cxkit pulse``):
  baseline, now, the change with its interval, and the verdict.

Whatever is not there yet is said in words ("No pulse yet"), never left as an
empty table. :func:`gather` reads the records into tables; :func:`render` lays
them out as a notebook of tables and exports it with the kit's page template
(:func:`cxkit.course.render.to_html`: one inline stylesheet, no script,
nothing loaded from the network), as every cxkit page is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.api import MissingEntry

from cxkit.course.commitments import FILE as COMMITMENTS
from cxkit.course.commitments import read_commitments, workshop_department
from cxkit.course.directory import Course
from cxkit.course.grade import load_outcomes, submissions
from cxkit.course.pulses import COLUMNS as PULSE_COLUMNS
from cxkit.course.pulses import FILE as PULSES
from cxkit.course.pulses import WHOLE
from cxkit.course.refresher import is_refresher, refresher_parts
from cxkit.course.render import to_html
from cxkit.course.roster import roster
from cxkit.errors import CxkitError, close_match
from cxkit.grading.outcomes import State

RESULT_COLUMNS = ["assignment", "date", "department", "participants", "handed_in", "graded"]


@dataclass
class Programme:
    """What the records say, as tables; None for a record that does not exist yet."""

    workshops: pd.DataFrame
    refreshers: pd.DataFrame
    commitments: pd.DataFrame | None
    pulses: pd.DataFrame | None
    departments: list[str] = field(default_factory=list)


def read_pulses(path: Path) -> pd.DataFrame | None:
    """The pulses written by ``cxkit pulse``, or None when there is no file yet.

    Raises
    ------
    CxkitError
        When the file cannot be read as CSV, lacks a column, or holds a value
        that is not a number where a number belongs.
    """
    if not path.is_file():
        return None
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise CxkitError(
            f"{path} is not a readable CSV file ({str(err).strip()[:120]}). Run cxkit pulse "
            "again to write it, or move it away to report without pulses."
        ) from None
    for column in PULSE_COLUMNS:
        if column not in table.columns:
            raise CxkitError(
                f'{path} has no column "{column}".{close_match(column, table.columns)} '
                f"Pulses need the columns {', '.join(PULSE_COLUMNS)}: run cxkit pulse again."
            )
    for column in ("baseline", "now", "change", "low", "high"):
        numbers = pd.to_numeric(table[column].replace("", None), errors="coerce")
        bad = numbers.isna() & (table[column] != "")
        if bad.any():
            line = int(bad.idxmax()) + 2
            raise CxkitError(
                f'{path}, line {line}: {column} is "{table.loc[bad.idxmax(), column]}", not a '
                "number. Run cxkit pulse again to write the file."
            )
        table[column] = numbers
    return table


def _results(
    course: Course, assignment: str, department_of: dict[str, str]
) -> list[dict[str, Any]]:
    """One row per department: who handed ``assignment`` in, who was graded, the mean score."""
    outcomes = load_outcomes(course, assignment)
    handed = set(submissions(course, assignment))
    own = refresher_parts(assignment)[0] if is_refresher(assignment) else ""
    own = own or workshop_department(course, assignment)
    scores: dict[str, float] = {}
    when = ""
    with course.gradebook() as gradebook:
        for pid, outcome in outcomes.items():
            if outcome.state is State.FAILED or not outcome.max_score:
                continue
            try:
                submission = gradebook.find_submission(assignment, pid)
            except MissingEntry:
                raise CxkitError(
                    f"{pid}'s {assignment} was graded, but the gradebook at "
                    f"{course.gradebook_url} has no such submission. Pass the --db-url it was "
                    f"graded into, or grade it again (cxkit grade {assignment} --force)."
                ) from None
            scores[pid] = 100 * float(submission.score) / float(submission.max_score)
            if submission.timestamp is not None:
                when = max(when, submission.timestamp.date().isoformat())
    if is_refresher(assignment):
        when = refresher_parts(assignment)[1]
    people = set(handed) | set(outcomes)
    departments = {department_of.get(p) or own or "unknown" for p in people}
    rows = []
    for department in sorted(departments | ({own} if own and people else set())):
        members = [p for p, d in department_of.items() if d == department]
        theirs = [p for p in people if (department_of.get(p) or own or "unknown") == department]
        graded = [scores[p] for p in theirs if p in scores]
        rows.append(
            {
                "assignment": assignment,
                "date": when,
                "department": department,
                "participants": len(set(members) | set(theirs)),
                "handed_in": len([p for p in theirs if p in handed]),
                "graded": len(graded),
                "mean_score": round(sum(graded) / len(graded), 1) if graded else None,
            }
        )
    return rows


def gather(course: Course) -> Programme:
    """Read the gradebook, the roster, the commitments and the pulses into tables.

    Raises
    ------
    CxkitError
        When commitments.csv or pulses.csv exists but cannot be read.
    """
    department_of = roster(course).set_index("id")["department"].to_dict()
    workshops: list[dict[str, Any]] = []
    refreshers: list[dict[str, Any]] = []
    for assignment in course.workshops():
        rows = _results(course, assignment, department_of)
        (refreshers if is_refresher(assignment) else workshops).extend(rows)
    columns = [*RESULT_COLUMNS, "mean_score"]
    work = pd.DataFrame(workshops, columns=columns).rename(columns={"assignment": "workshop"})
    refresh = pd.DataFrame(refreshers, columns=columns).rename(columns={"assignment": "refresher"})
    commitments = None
    if (course.root / COMMITMENTS).is_file():
        commitments = read_commitments(course.root / COMMITMENTS)
    pulses = read_pulses(course.root / PULSES)
    departments = set(department_of.values()) | set(work["department"])
    departments |= set(refresh["department"])
    for table in (commitments, pulses):
        if table is not None:
            departments |= set(table["department"])
    return Programme(work, refresh, commitments, pulses, sorted(d for d in departments if d))


def _table(frame: pd.DataFrame) -> Any:
    """A code cell whose only output is ``frame`` as an HTML table (text escaped)."""
    html = frame.to_html(index=False, na_rep="", border=0, escape=True)
    cell = new_code_cell("")
    cell.outputs = [new_output("display_data", data={"text/html": html, "text/plain": ""})]
    return cell


def _heading(text: str) -> Any:
    """A section's heading within a department (no anchor: every department has the same four)."""
    return new_markdown_cell(f"<h3>{text}</h3>")


def _note(text: str) -> Any:
    return new_markdown_cell(f"<p class='note'>{text}</p>")


def _percent(done: int, of: int) -> str:
    return f"{100 * done / of:.0f} %" if of else ""


def _workshop_cells(programme: Programme, department: str) -> list[Any]:
    rows = programme.workshops[programme.workshops["department"] == department]
    cells = [_heading("Workshops")]
    if rows["handed_in"].sum() == 0:
        return [*cells, _note("No workshop handed in yet.")]
    shown = rows.assign(
        completion=[
            _percent(g, n) for g, n in zip(rows["graded"], rows["participants"], strict=True)
        ]
    )
    shown = shown[
        ["workshop", "date", "participants", "handed_in", "graded", "completion", "mean_score"]
    ]
    named = {"date": "last hand-in", "handed_in": "handed in", "mean_score": "mean score %"}
    return [
        *cells,
        _table(shown.rename(columns=named)),
        _note(
            "completion: graded, of the department's participants (on the roster, or not "
            "on it but handed in)."
        ),
    ]


def _refresher_cells(programme: Programme, department: str) -> list[Any]:
    rows = programme.refreshers[programme.refreshers["department"] == department]
    cells = [_heading("Refreshers: what was retained")]
    if rows.empty or rows["graded"].sum() == 0:
        hint = f"make one with <code>cxkit refresher make {escape(department)}</code>"
        return [*cells, _note(f"No refresher yet ({hint}, then release, collect and grade it).")]
    shown = rows.sort_values("date")[["refresher", "date", "handed_in", "graded", "mean_score"]]
    named = {"handed_in": "handed in", "mean_score": "mean score %"}
    return [*cells, _table(shown.rename(columns=named))]


def _commitment_cells(programme: Programme, department: str) -> list[Any]:
    cells = [_heading("Commitments")]
    table = programme.commitments
    if table is None:
        return [*cells, _note("No commitments collected yet (cxkit commitments WORKSHOP).")]
    rows = table[table["department"] == department]
    if rows.empty:
        return [*cells, _note("No commitments collected from this department yet.")]
    counts = rows["kept"].replace("", "not recorded yet").value_counts()
    order = ("yes", "partly", "no", "not recorded yet")
    said = ", ".join(f"{counts[kept]} {kept}" for kept in order if kept in counts)
    columns = ["participant", "workshop", "change", "touchpoint", "metric", "target", "by", "kept"]
    summary = f"{len(rows)} commitment(s); kept: {escape(said)}."
    return [*cells, new_markdown_cell(summary), _table(rows[columns])]


def _pulse_cells(programme: Programme, department: str) -> list[Any]:
    cells = [_heading("Committed metrics: how they moved")]
    commitments = programme.commitments
    named = pd.DataFrame(columns=["metric", "touchpoint"])
    if commitments is not None:
        theirs = commitments[commitments["department"] == department]
        named = theirs[theirs["metric"] != ""][["metric", "touchpoint"]].drop_duplicates()
    if named.empty:
        return [*cells, _note("No commitment names a metric yet.")]
    if programme.pulses is None:
        return [*cells, _note("No pulse yet (cxkit pulse writes pulses.csv in the course folder).")]
    pulses = programme.pulses[programme.pulses["department"] == department]
    moved, silent = _followed(pulses, named)
    out = list(cells)
    if len(moved):
        moved = moved.sort_values(["metric", "touchpoint", "pulse_date"])
        moved = moved.assign(
            period=moved["period_start"] + " to " + moved["period_end"],
            change=[_signed(x) for x in moved["change"]],
            interval=[
                f"{_signed(low)} to {_signed(high)}" if low == low and high == high else ""
                for low, high in zip(moved["low"], moved["high"], strict=True)
            ],
        )
        columns = ["metric", "touchpoint", "pulse_date", "period", "baseline", "now", "change"]
        shown = moved[[*columns, "interval", "verdict"]].round(1)
        out.append(_table(shown.rename(columns={"pulse_date": "pulse"})))
        out.append(
            _note(
                "change = now minus baseline; the interval is the change's, and the verdict "
                "the pulse's."
            )
        )
    if silent:
        out.append(_note(f"No pulse yet for: {escape(', '.join(silent))}."))
    return out


def _followed(pulses: pd.DataFrame, named: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The pulses of each committed metric, at its touchpoint and the department's whole;
    and the commitments no pulse has measured yet, as "metric (touchpoint)".

    Metric and touchpoint match whatever their case ("NPS" is the pulse's "nps").
    """
    metric, touchpoint = pulses["metric"].str.lower(), pulses["touchpoint"].str.lower()
    shown = pd.Series(False, index=pulses.index)
    silent = []
    for wanted, where in named.itertuples(index=False):
        match = (metric == wanted.lower()) & touchpoint.isin([where.lower(), WHOLE])
        if not match.any():
            silent.append(f"{wanted} ({where})")
        shown |= match
    return pulses[shown], silent


def _signed(value: float) -> str:
    """A change with its sign, one decimal ("" when missing).

    Examples
    --------
    >>> _signed(5.5), _signed(-0.44), _signed(float("nan"))
    ('+5.5', '-0.4', '')
    """
    return f"{value:+.1f}" if value == value else ""


def _overview(programme: Programme) -> pd.DataFrame:
    rows = []
    for department in programme.departments:
        work = programme.workshops[programme.workshops["department"] == department]
        refresh = programme.refreshers[
            (programme.refreshers["department"] == department)
            & (programme.refreshers["graded"] > 0)
        ].sort_values("date")
        kept = ""
        if programme.commitments is not None:
            theirs = programme.commitments[programme.commitments["department"] == department]
            if len(theirs):
                partly = (theirs["kept"] == "partly").sum()
                kept = f"{(theirs['kept'] == 'yes').sum()} of {len(theirs)}"
                kept += f" ({partly} partly)" if partly else ""
        rows.append(
            {
                "department": department,
                "graded in workshops": int(work["graded"].sum()),
                "last refresher, mean score %": (
                    refresh["mean_score"].iloc[-1] if len(refresh) else "no refresher yet"
                ),
                "commitments kept": kept or "none collected",
            }
        )
    return pd.DataFrame(rows)


def _retention_chart(programme: Programme) -> list[Any]:
    """Refresher scores by date, one line per department; nothing before two dates to join."""
    refresh = programme.refreshers[programme.refreshers["graded"] > 0]
    if refresh["date"].nunique() < 2:
        return []
    import base64
    import io

    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3))
    axes = figure.subplots()
    for department, rows in refresh.sort_values("date").groupby("department"):
        axes.plot(pd.to_datetime(rows["date"]), rows["mean_score"], marker="o", label=department)
    axes.set(ylim=(0, 100), ylabel="mean score %", title="Refresher scores over time")
    axes.legend(fontsize="small", loc="lower left")
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    png = base64.b64encode(buffer.getvalue()).decode()
    cell = new_code_cell("", metadata={"alt": "Refresher scores over time, by department"})
    cell.outputs = [new_output("display_data", data={"image/png": png})]
    return [cell]


def programme_notebook(programme: Programme, title: str) -> Any:
    """The report as a notebook of headings, notes and tables (no code to run)."""
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cells = [
        new_markdown_cell(
            f"# {escape(title)}\n\nWritten {made}. One section per department: those of the "
            "roster, and any other a hand-in, a commitment or a pulse names."
        ),
        _table(_overview(programme)) if programme.departments else _note("No department yet."),
        *_retention_chart(programme),
    ]
    for department in programme.departments:
        cells.append(new_markdown_cell(f"## {escape(department)}"))
        cells += _workshop_cells(programme, department)
        cells += _refresher_cells(programme, department)
        cells += _commitment_cells(programme, department)
        cells += _pulse_cells(programme, department)
    return new_notebook(cells=cells)


def render(course: Course, out_html: Path | None = None) -> Path:
    """Gather the records and write the programme report; return the page's path."""
    out_html = out_html or course.root / "reports" / "programme.html"
    title = "Programme report"
    page = to_html(programme_notebook(gather(course), title), title, exclude_input=True)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    partial = out_html.with_name(f".{out_html.name}.{os.getpid()}.part")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, out_html)
    return out_html
