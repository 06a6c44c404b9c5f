"""The pulse: 30, 60 or 90 days after a department's workshop, did its touchpoints move?

For each department of a workshop schedule, ``pulse`` compares the answers at the
department's touchpoints *now* (from the day after its workshop to the end of the
period) with a *baseline* (the days before its workshop), measure by measure (NPS,
CSAT, effort), each change with the interval of the difference
(:func:`cxkit.difference`) and a verdict: "clearly better", "clearly worse" or
"can't tell yet". It reads the same exports as the scorecard, through the same
mapping (or the sample company's layout, where ``surveys*.csv`` picks up each month's
export as it arrives), shows the team's commitments beside the measure each one
names, one success to recognise and the refresher to run, and writes one offline
page per department with :func:`cxkit.course.render.render_notebook`. Every row it
computes is also kept in the course's ``pulses.csv`` for the programme report.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import cxkit
from cxkit.course.pulses import COLUMNS, FILE
from cxkit.course.pulses import WHOLE as ALL
from cxkit.course.render import run_template, write_page
from cxkit.errors import CxkitError, close_match
from cxkit.metrics.compare import APART
from cxkit.scorecard.mapping import (
    Mapping,
    Problems,
    duplicates,
    hash_ids,
    read_mapping,
    read_table,
    row_keys,
)
from cxkit.scorecard.pulse_page import page_notebook, write_aggregates, write_template

MEASURES = {"nps": "recommend", "csat": "csat", "effort": "effort"}
NAMES = {"nps": "NPS", "csat": "CSAT", "effort": "effort"}
BETTER, WORSE, UNSURE, NONE = "clearly better", "clearly worse", "can't tell yet", "no answers"
WANTED = ["response_id", "response_date", "touchpoint", "department", *MEASURES.values()]
PULSE_COLUMNS = list(COLUMNS)


@dataclasses.dataclass(frozen=True)
class Window:
    """One department's baseline and now: days, both ends included."""

    department: str
    workshop: pd.Timestamp
    start: pd.Timestamp  # now: from here ...
    end: pd.Timestamp  # ... to here
    baseline_start: pd.Timestamp
    label: str  # "90 days after the workshop", for titles and file names

    @property
    def baseline_end(self) -> pd.Timestamp:
        """The workshop day: the baseline ends with it."""
        return self.workshop


# --- reading -------------------------------------------------------------------------------


def read_answers(data_dir: Path, mapping_path: Path | None) -> tuple[pd.DataFrame, Mapping]:
    """The survey answers the pulse needs, read through the mapping; refuses what is wrong.

    Returns a table with ``response_date``, ``department``, ``touchpoint`` (where the
    export has one) and the scores, and the mapping it was read with.
    """
    if not data_dir.is_dir():
        raise CxkitError(f"--data {data_dir} is not a folder. Give the folder holding the export.")
    problems = Problems()
    mapping = read_mapping(mapping_path, data_dir, problems)
    tm = mapping.tables.get("surveys")
    answers = None
    if tm is not None:
        answers = read_table(data_dir, tm, mapping, WANTED, problems, 100_000, _keys)
    if answers is None and not problems:
        problems.add(
            data_dir.name,
            "",
            "holds no survey responses the pulse can read",
            "give --mapping for your export, or put the responses in surveys.csv "
            "(and surveys_*.csv for later months) with cxkit's column names.",
        )
    if answers is not None:
        _check(answers, mapping, problems)
    if problems:
        raise CxkitError(
            f"The export in {data_dir} has {len(problems)} problem(s); no pulse was written. "
            f"Fix them and run again (cxkit scorecard --check lists them the same way):\n"
            f"{problems.text()}"
        )
    assert answers is not None
    return answers, mapping


def _keys(chunk: pd.DataFrame) -> pd.DataFrame:
    """Ids as 64-bit hashes (or, without ids, each row's time and answers)."""
    if "response_id" in chunk:
        chunk["response_key"] = hash_ids(chunk.pop("response_id"))
    else:
        chunk["response_key"] = row_keys(chunk)
    return chunk


def _check(answers: pd.DataFrame, mapping: Mapping, problems: Problems) -> None:
    file = str(answers.attrs["file"])
    if "response_date" not in answers:
        problems.add(file, "", "has no column mapped to response_date", "map the answer's date.")
    if not any(c in answers for c in MEASURES.values()):
        problems.add(file, "", "has no recommend, csat or effort column", "map one score.")
    if "department" not in answers and not mapping.touchpoint_owners:
        problems.add(
            file,
            "",
            "has no department column, and the mapping names no touchpoint owners",
            "map the department under [surveys.columns], or give [touchpoint_owners].",
        )
    count, _ = duplicates(answers.pop("response_key").to_numpy())
    if count:
        problems.add(
            file,
            "",
            f"has {count} response(s) twice (the same id, or the same time and answers)",
            "a month exported twice, or saved under two names? Keep each response once; "
            "cxkit scorecard --check shows the lines.",
        )
    if "department" not in answers and "touchpoint" in answers:
        owners = answers["touchpoint"].astype(str).map(mapping.touchpoint_owners)
        answers["department"] = owners.astype("category")


def month_gaps(dates: pd.Series) -> list[str]:
    """Months without a single answer between the first and the last: a missing export?

    Examples
    --------
    >>> month_gaps(pd.Series(pd.to_datetime(["2026-01-05", "2026-02-01", "2026-04-30"])))
    ['2026-03']
    """
    months = dates.dropna().dt.to_period("M")
    if months.empty:
        return []
    every = pd.period_range(months.min(), months.max(), freq="M")
    return [str(m) for m in every.difference(pd.PeriodIndex(months.unique()))]


def read_schedule(path: Path, mapping: Mapping) -> dict[str, pd.Timestamp]:
    """Each department's workshop date, from a CSV with ``department`` and ``workshop_date``."""
    if not path.is_file():
        raise CxkitError(
            f"Cannot find the workshop schedule {path}. Give --workshops FILE: a CSV with the "
            "columns department and workshop_date (one row per department, dates as "
            "YYYY-MM-DD)."
        )
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("department", "workshop_date") if c not in table.columns]
    if missing:
        raise CxkitError(
            f"{path} has no column {', '.join(missing)}. Its columns must be department and "
            f"workshop_date (it has {', '.join(table.columns)})."
        )
    known = mapping.known_departments
    schedule = {}
    pairs = zip(table["department"], table["workshop_date"], strict=True)
    for line, (name, when) in enumerate(pairs, start=2):
        department = mapping.departments.get(name.strip(), name.strip())
        if department not in known:
            raise CxkitError(
                f'{path}, line {line}: "{name}" is not a department.{close_match(name, known)} '
                f"Use one of {', '.join(known)}, or your own names as the mapping lists them."
            )
        try:
            schedule[department] = pd.Timestamp(when)
        except ValueError:
            raise CxkitError(
                f'{path}, line {line}: "{when}" is not a date. Write it as YYYY-MM-DD.'
            ) from None
    if not schedule:
        raise CxkitError(f"{path} lists no workshop. Add a row per department.")
    return schedule


def windows(
    schedule: dict[str, pd.Timestamp], period: str, baseline_days: int = 180
) -> list[list[Window]]:
    """The windows of each pulse asked for: one list of departments' windows per pulse.

    ``period`` is days after each workshop (``90``, or ``30/60/90`` for three
    pulses), a date (from each workshop to that day) or ``START:END`` (the same
    days for every department).

    Examples
    --------
    >>> when = {"accounting": pd.Timestamp("2026-06-30")}
    >>> [(w.start.date(), w.end.date(), w.label) for [w] in windows(when, "30/60")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [(datetime.date(2026, 7, 1), datetime.date(2026, 7, 30), '30 days after the workshop'),
     (datetime.date(2026, 7, 1), datetime.date(2026, 8, 29), '60 days after the workshop')]
    """
    text = str(period).strip()
    if not isinstance(baseline_days, int) or baseline_days < 7:
        raise CxkitError(f"--baseline-days must be 7 or more, got {baseline_days}.")
    pulses: list[list[Window]] = []
    if re.fullmatch(r"\d+(\s*/\s*\d+)*", text):
        for days in (int(d) for d in text.split("/")):
            if days < 1:
                raise CxkitError(f'--period "{text}": days after the workshop start at 1.')
            pulses.append(
                [
                    _window(
                        dept,
                        when,
                        when + pd.Timedelta(days=days),
                        baseline_days,
                        f"{days} days after the workshop",
                    )  # fmt: skip
                    for dept, when in schedule.items()
                ]
            )
        return pulses
    try:
        if ":" in text:
            left, right = (pd.Timestamp(p) for p in text.split(":", 1))
        else:
            left, right = None, pd.Timestamp(text)
    except ValueError:
        raise CxkitError(
            f'--period "{text}" is not a pulse period. Write days after each workshop (90, or '
            "30/60/90 for three pulses), a date (2026-09-30: from each workshop to that day) or "
            "START:END (2026-07-01:2026-09-30)."
        ) from None
    label = f"to {right:%Y-%m-%d}" if left is None else f"{left:%Y-%m-%d} to {right:%Y-%m-%d}"
    out = []
    for dept, when in schedule.items():
        w = _window(dept, when, right, baseline_days, label)
        w = dataclasses.replace(w, start=left) if left is not None else w
        if w.end < w.start:
            raise CxkitError(
                f"--period {text} ends before {dept}'s pulse starts ({w.start:%Y-%m-%d}, the "
                f"day after its workshop). Choose a later date."
            )
        out.append(w)
    return [out]


def _window(
    department: str, workshop: pd.Timestamp, end: pd.Timestamp, baseline_days: int, label: str
) -> Window:
    return Window(
        department,
        workshop,
        workshop + pd.Timedelta(days=1),
        end,
        workshop - pd.Timedelta(days=baseline_days - 1),
        label,
    )


# --- the numbers ---------------------------------------------------------------------------


def _between(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    return ((dates >= start) & (dates < end + pd.Timedelta(days=1))).to_numpy()


def changes(answers: pd.DataFrame, w: Window, min_n: int = 30) -> pd.DataFrame:
    """Each touchpoint and measure of the department: baseline, now, change and verdict.

    A touchpoint-less export gives one row per measure, for ``all your touchpoints``.
    """
    mine = answers[(answers["department"] == w.department).to_numpy()]
    dates = mine["response_date"]
    when = np.full(len(mine), "", dtype=object)
    when[_between(dates, w.baseline_start, w.baseline_end)] = "before"
    when[_between(dates, w.start, w.end)] = "now"
    mine = mine.assign(when=when)[when != ""]
    has_touchpoints = "touchpoint" in mine and mine["touchpoint"].notna().any()
    groups = (
        [(str(t), part) for t, part in mine.groupby("touchpoint", observed=True)]
        if has_touchpoints
        else [(ALL, mine)]
    )
    rows = []
    for touchpoint, part in groups:
        for metric, column in MEASURES.items():
            if column in part:
                rows.append(_change(part, touchpoint, metric, column, min_n))
    return pd.DataFrame(rows, columns=["touchpoint", "metric", *PULSE_COLUMNS[6:]])


def _change(
    part: pd.DataFrame, touchpoint: str, metric: str, column: str, min_n: int
) -> dict[str, Any]:
    answered = part[part[column].notna().to_numpy()]
    counts = answered["when"].value_counts()
    n_before, n_now = int(counts.get("before", 0)), int(counts.get("now", 0))
    row: dict[str, Any] = {
        "touchpoint": touchpoint,
        "metric": metric,
        "n_baseline": n_before,
        "n_now": n_now,
    }
    if not n_before or not n_now:
        return {**row, "verdict": NONE}
    maker = {"nps": cxkit.nps_by, "csat": cxkit.csat_by, "effort": cxkit.effort_by}[metric]
    table = maker(answered, "when", column=column)
    gap = cxkit.difference(table, "now", "before")
    better = (gap["difference"] > 0) == (metric != "effort")  # low effort is good
    verdict = UNSURE
    if gap["verdict"] == APART and min(n_before, n_now) >= min_n:
        verdict = BETTER if better else WORSE
    return {
        **row,
        "baseline": float(table.loc["before", "value"]),
        "now": float(table.loc["now", "value"]),
        "change": float(gap["difference"]),
        "low": float(gap["ci_low"]),
        "high": float(gap["ci_high"]),
        "verdict": verdict,
    }


# --- the team's commitments ----------------------------------------------------------------

COMMITMENT_COLUMNS = ["participant", "department", "change", "touchpoint", "metric", "target"]


def read_commitments(course: Path | None, mapping: Mapping) -> pd.DataFrame | None:
    """``<course>/commitments.csv`` (``cxkit commitments`` writes it), or None if there is none."""
    if course is None or not (course / "commitments.csv").is_file():
        return None
    path = course / "commitments.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COMMITMENT_COLUMNS if c not in table.columns]
    if missing:
        raise CxkitError(
            f"{path} has no column {', '.join(missing)}: it is not a commitments table. "
            "Write it again with cxkit commitments WORKSHOP."
        )
    for column in ("by", "kept", "workshop"):
        if column not in table:
            table[column] = ""
    table["department"] = table["department"].str.strip().replace(mapping.departments)
    return table


def follow(commitments: pd.DataFrame, rows: pd.DataFrame, department: str) -> pd.DataFrame:
    """The department's commitments, each with the row of the pulse it names, or why none.

    ``follows`` is "touchpoint: measure" when the pulse shows the named measure at the
    named touchpoint; ``problem`` says otherwise what is missing and what to do.
    """
    mine = commitments[commitments["department"] == department].copy()
    followed, problems = [], []
    touchpoints = sorted(set(rows["touchpoint"]))
    for _, c in mine.iterrows():
        metric = next((m for m, name in NAMES.items() if name.lower() == c["metric"].lower()), "")
        named = c["touchpoint"].strip().lower()
        place = next((t for t in touchpoints if t.lower() == named), "")
        if not place and touchpoints == [ALL]:
            place = ALL
        if not metric:
            followed.append("")
            problems.append(
                f'names the measure "{c["metric"]}", which the survey exports do not hold: the '
                f"pulse follows {', '.join(NAMES.values())}. Follow it with the team, or "
                "commit next time to one of these."
            )
        elif not place:
            followed.append("")
            where = ", ".join(touchpoints) or "none in this period"
            problems.append(
                f'names the touchpoint "{c["touchpoint"]}", at which the exports hold no '
                f"answers for {department} (they have: {where})."
            )
        else:
            followed.append(f"{place}: {NAMES[metric]}")
            problems.append("")
    mine["follows"], mine["problem"] = followed, problems
    return mine


def success(rows: pd.DataFrame, mine: pd.DataFrame | None) -> str:
    """One thing to recognise: the clearest improvement, else a commitment kept, else none yet."""
    better = rows[rows["verdict"] == BETTER]
    if not better.empty:
        margin = better["change"].abs() / ((better["high"] - better["low"]) / 2)
        best = better.loc[margin.idxmax()]
        text = (
            f"{NAMES[best['metric']]} at {best['touchpoint']} went from {best['baseline']:.1f} "
            f"to {best['now']:.1f}: clearly better (the change lies between {best['low']:+.1f} "
            f"and {best['high']:+.1f})."
        )
        if mine is not None:
            named = mine[mine["follows"] == f"{best['touchpoint']}: {NAMES[best['metric']]}"]
            for _, c in named.head(2).iterrows():
                text += f" {c['participant']} committed to this: \u201c{c['change']}\u201d."
        return text
    if mine is not None:
        kept = mine[mine["kept"].str.strip().str.lower().isin(["yes", "true", "kept", "1"])]
        if not kept.empty:
            c = kept.iloc[0]
            return (
                f"{c['participant']} kept the commitment \u201c{c['change']}\u201d (reported "
                "kept); its measure cannot tell yet whether customers noticed."
            )
    return (
        "No measure is clearly better yet, and no commitment is reported kept. Look again "
        "at the next pulse: more answers make the intervals narrower."
    )


# --- the pages and the course's record -----------------------------------------------------


@dataclasses.dataclass
class Written:
    """What a run of the pulse wrote, and what it has to say."""

    pages: list[Path]
    rows: pd.DataFrame
    notes: list[str]


def _named(department: str) -> str:
    return {"it": "IT", "people": "People (HR and L&D)"}.get(
        department, department.replace("_", " ").capitalize()
    )


def _messages(
    w: Window, rows: pd.DataFrame, gaps: list[str], last: pd.Timestamp
) -> tuple[list[str], list[str]]:
    """What the page must say before its numbers: missing months, then missing answers."""
    months, out = [], []
    inside = [
        g
        for g in gaps
        if pd.Period(g, "M").end_time >= w.baseline_start and pd.Period(g, "M").start_time <= w.end
    ]
    if inside:
        months.append(
            f"The exports hold no answer at all in {', '.join(inside)}, inside this pulse's "
            "days: is a month's export missing? Add it to the data folder and run the pulse "
            "again; until then the numbers below leave that month out."
        )
    if last < w.start:
        out.append(
            f"No answer after the workshop yet: the exports end on {last:%Y-%m-%d}, before "
            f"this pulse's period starts ({w.start:%Y-%m-%d}). Add the newer exports to the "
            "data folder and run the pulse again."
        )
    elif last < w.end:
        out.append(
            f"The exports end on {last:%Y-%m-%d}: this pulse counts the answers up to then "
            f"(its period runs to {w.end:%Y-%m-%d})."
        )
    if rows.empty or (rows["n_now"] == 0).all() or (rows["n_baseline"] == 0).all():
        before, now = (int(rows[c].max()) if not rows.empty else 0 for c in ("n_baseline", "n_now"))
        out.append(
            f"{_named(w.department)} has no answers to compare: {before} at its touchpoints "
            f"before the workshop and {now} since. If it owns no touchpoint customers are "
            "asked about (as IT and HR often do), that is expected: its work shows at the "
            "touchpoints it serves. Otherwise check that the exports cover these days and "
            "that the mapping names this department's team."
        )
    return months, out


def pulse(
    data_dir: Path,
    out: Path,
    *,
    mapping_path: Path | None = None,
    workshops: Path | None = None,
    course: Path | None = None,
    period: str = "90",
    baseline_days: int = 180,
    min_n: int = 30,
    departments: Sequence[str] = (),
    today: date | None = None,
) -> Written:
    """Write one pulse page per department (and pulse) into ``out``; record it in the course.

    Parameters
    ----------
    data_dir, mapping_path
        The export and its mapping, as for ``cxkit scorecard``.
    out
        Folder for the pages, ``<department>-<period>.html``.
    workshops
        CSV of ``department,workshop_date``; by default ``workshops.csv`` in
        ``data_dir`` or ``course``.
    course
        The course folder: its ``commitments.csv`` is read, and every row
        computed is kept in its ``pulses.csv`` (a pulse run again replaces its rows).
    period
        ``90`` (days after each workshop), ``30/60/90``, a date, or ``START:END``.
    baseline_days
        Days before (and with) each workshop that make the baseline.
    min_n
        Answers needed on each side for a verdict other than "can't tell yet".
    departments
        Only these departments of the schedule (default: all).
    today
        The pulse's date in ``pulses.csv`` (default: today).
    """
    if not isinstance(min_n, int) or min_n < 1:
        raise CxkitError(f"--min-responses must be 1 or more, got {min_n}.")
    answers, mapping = read_answers(data_dir, mapping_path)
    schedule = read_schedule(_schedule_path(workshops, data_dir, course), mapping)
    schedule = _only(schedule, departments)
    pulses = windows(schedule, period, baseline_days)
    commitments = read_commitments(course, mapping)
    gaps = month_gaps(answers["response_date"])
    last = answers["response_date"].max()
    notes = []
    if gaps:
        notes.append(
            f"The exports hold no answer at all in {', '.join(gaps)}: is a month's export "
            "missing? Add it to the data folder and run the pulse again."
        )
    work = Path(tempfile.mkdtemp(prefix="cxkit-pulse-"))
    try:
        pages, records = [], []
        for w in (w for group in pulses for w in group):
            rows = changes(answers, w, min_n)
            mine = follow(commitments, rows, w.department) if commitments is not None else None
            months, said = _messages(w, rows, gaps, last)
            notes += [f"{w.department} ({w.label}): {m}" for m in said]
            if mine is not None:
                notes += [
                    f"{w.department}: {c['participant']}'s commitment {c['problem']}"
                    for _, c in mine.iterrows()
                    if c["problem"]
                ]
            meta = _meta(w, months + said, rows, mine, course, min_n)
            slug = f"{w.department}-{_slug(w.label)}"
            write_aggregates(work / "aggregates" / slug, meta, _shown(rows, mine), mine)
            pages.append((slug, meta["title"]))
            records.append(_record(rows, w, today))
        written = _publish(_render(work, pages), out)
        table = pd.concat(records, ignore_index=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if course is not None:
        keep(course, table)
    return Written(written, table, list(dict.fromkeys(notes)))


def _render(work: Path, pages: list[tuple[str, str]]) -> list[Path]:
    """Run the template once for every page (one kernel), and write each page."""
    template = write_template(work, [slug for slug, _ in pages])
    executed = run_template(template, {"aggregates": work / "aggregates"}, name="pulse")
    return [
        write_page(
            page_notebook(executed, i),
            work / "pages" / f"{slug}.html",
            title,
            template=template,
            name="pulse",
        )
        for i, (slug, title) in enumerate(pages)
    ]


def _schedule_path(workshops: Path | None, data_dir: Path, course: Path | None) -> Path:
    if workshops is not None:
        return workshops
    for folder in (data_dir, course):
        if folder is not None and (folder / "workshops.csv").is_file():
            return folder / "workshops.csv"
    raise CxkitError(
        "The pulse needs each department's workshop date: give --workshops FILE (a CSV with "
        "department,workshop_date), or put workshops.csv in the data or course folder."
    )


def _only(schedule: dict[str, pd.Timestamp], departments: Sequence[str]) -> dict[str, Any]:
    for d in departments:
        if d not in schedule:
            raise CxkitError(
                f'--department "{d}" has no workshop in the schedule.{close_match(d, schedule)} '
                f"The schedule lists {', '.join(schedule)}."
            )
    return {d: w for d, w in schedule.items() if not departments or d in departments}


def _slug(label: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", label.lower().replace(" after the workshop", "")).strip("-")


def _meta(
    w: Window,
    messages: list[str],
    rows: pd.DataFrame,
    mine: pd.DataFrame | None,
    course: Path | None,
    min_n: int,
) -> dict[str, Any]:
    where = "commitments.csv in the course folder" if course else "a course folder (--course)"
    none = (
        f"No commitments to show: none was found in {where}. The facilitator collects them "
        "from the workshop's hand-ins with cxkit commitments WORKSHOP."
        if mine is None
        else ("Nobody in this department made a commitment." if mine.empty else "")
    )
    return {
        "title": f"{_named(w.department)}: {w.label}",
        "period": f"Now: {w.start:%Y-%m-%d} to {w.end:%Y-%m-%d}, after the workshop of "
        f"{w.workshop:%Y-%m-%d}.",
        "baseline": f"Before: {w.baseline_start:%Y-%m-%d} to {w.baseline_end:%Y-%m-%d}.",
        "messages": messages,
        "commitments": none,
        "success": success(rows, mine),
        "refresher": (
            "A 10-minute refresher on this workshop, with questions on the newest numbers, "
            f"keeps what the team learnt fresh: the facilitator makes it with "
            f"cxkit refresher make {w.department}, releases it, and grades it like the workshop."
        ),
        "min_n": min_n,
    }


def _shown(rows: pd.DataFrame, mine: pd.DataFrame | None) -> pd.DataFrame:
    shown = rows.assign(measure=rows["metric"].map(NAMES))
    named = []
    for _, r in shown.iterrows():
        texts = []
        if mine is not None:
            for _, c in mine[mine["follows"] == f"{r['touchpoint']}: {r['measure']}"].iterrows():
                texts.append(f"{c['participant']}: {c['change']} (target {c['target']})")
        named.append("\n".join(texts))
    return shown.assign(commitments=named)


def _record(rows: pd.DataFrame, w: Window, today: date | None) -> pd.DataFrame:
    record = rows.assign(
        pulse_date=(today or date.today()).isoformat(),
        period_start=f"{w.start:%Y-%m-%d}",
        period_end=f"{w.end:%Y-%m-%d}",
        department=w.department,
    )
    return record.reindex(columns=PULSE_COLUMNS)


def keep(course: Path, rows: pd.DataFrame) -> Path:
    """Add rows to ``<course>/pulses.csv``; rows of the same pulse run before are replaced."""
    path = course / FILE
    key = ["period_start", "period_end", "department", "touchpoint", "metric"]
    if path.is_file():
        old = pd.read_csv(path, dtype=str, keep_default_na=False)
        if list(old.columns) != PULSE_COLUMNS:
            raise CxkitError(
                f"{path} is not a pulses table (its columns are {', '.join(old.columns)}). "
                "Move it away and run the pulse again."
            )
        new = rows.astype(str).replace({"nan": "", "<NA>": ""})
        mask = old.set_index(key).index.isin(new.set_index(key).index)
        rows = pd.concat([old[~mask], new], ignore_index=True)
    course.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    rows.to_csv(partial, index=False, float_format="%.4f")
    partial.replace(path)
    return path


def _publish(pages: list[Path], out: Path) -> list[Path]:
    """Move the finished pages into ``out``, each replacing its earlier version whole."""
    if out.exists() and not out.is_dir():
        raise CxkitError(f"--out {out} is a file. Give a folder for the pulse pages.")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages:
        staged = out / f".{page.name}.part"
        shutil.copyfile(page, staged)
        staged.replace(out / page.name)
        written.append(out / page.name)
    return written


def summary(written: Written) -> str:
    """What the command prints: the pages, the verdicts that moved, and every note."""
    lines = [f"Pulse: {len(written.pages)} page(s) in {written.pages[0].parent}"]
    moved = written.rows[written.rows["verdict"].isin([BETTER, WORSE])]
    for _, r in moved.iterrows():
        lines.append(
            f"  {r['department']}, {r['touchpoint']}, {NAMES[r['metric']]}: {r['verdict']} "
            f"({r['baseline']:.1f} -> {r['now']:.1f}, {r['period_start']} to {r['period_end']})"
        )
    lines += [f"Note: {n}" for n in written.notes]
    return "\n".join(lines)
