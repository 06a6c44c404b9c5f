"""The organisation CX scorecard: one offline report on the company's own data, for everyone.

Three steps, each its own function:

``gather``
    reads the export through its mapping (only the columns the scorecard
    uses, in chunks, in compact dtypes) and lists every problem at once;
``aggregate``
    computes every number with cxkit's own functions and writes them as small
    CSV files: aggregates only, comments redacted, no customer ids;
``scorecard``
    runs the template ``workshops/reports/scorecard.ipynb`` through papermill on
    those aggregates, exports HTML without code (and a PDF where Chromium is
    installed) into a temporary folder, and moves the result into ``--out``
    only when it is complete.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import cxkit
from cxkit.course.render import render_notebook
from cxkit.errors import CxkitError
from cxkit.resources import shipped
from cxkit.scorecard.mapping import (
    Mapping,
    Problems,
    TableMapping,
    describe_period,
    duplicates,
    hash_ids,
    locate,
    parse_period,
    read_mapping,
    read_table,
    row_keys,
    values_at,
)

TEMPLATE = shipped("workshops/reports/scorecard.ipynb")
OUTPUTS = ("scorecard.html", "scorecard.pdf")
METRICS = {"nps": "recommend", "csat": "csat", "effort": "effort"}
LABELS = {"nps": "NPS", "csat": "CSAT", "effort": "Effort"}
RATINGS = [
    "rating_delivery",
    "rating_product",
    "rating_support",
    "rating_billing",
    "rating_price",
    "rating_website",
]
SURVEY_COLUMNS = [
    "response_id",
    "response_date",
    "survey_type",
    "touchpoint",
    "department",
    *METRICS.values(),
    *RATINGS,
    "comment",
]
WANTED = {
    "touchpoints": ["touchpoint", "department"],
    "tickets": [
        "ticket_id",
        "customer_id",
        "opened_at",
        "resolved_at",
        "category",
        "handoff_count",
    ],
    "handoffs": [
        "ticket_id",
        "from_department",
        "to_department",
        "handed_at",
        "picked_up_at",
    ],
}
EXAMPLES = 2  # redacted example comments per department and theme
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


@dataclass
class Inputs:
    """What was read: the tables (compact), the mapping, and what is wrong or missing."""

    mapping: Mapping
    problems: Problems
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def gather(data_dir: Path, mapping_path: Path | None, chunksize: int = 50_000) -> Inputs:
    """Read and check the export; every problem goes into ``Inputs.problems``.

    Examples
    --------
    >>> from cxkit.data.load import sample_dir
    >>> found = gather(sample_dir(), None)
    >>> len(found.problems), len(found.tables["surveys"]), "customer_id" in found.tables["surveys"]
    (0, 3560, True)
    """
    if not data_dir.is_dir():
        raise CxkitError(f"--data {data_dir} is not a folder. Give the folder holding the export.")
    problems = Problems()
    mapping = read_mapping(mapping_path, data_dir, problems)
    inputs = Inputs(mapping, problems)
    if "surveys" not in mapping.tables:
        if mapping_path is None:
            problems.add(
                data_dir.name,
                "",
                "holds no surveys.csv",
                "give --mapping for an export whose columns are named differently, or put the "
                "responses in surveys.csv with cxkit's column names (see datasets/README.md).",
            )
        return inputs
    tickets_too = "tickets" in mapping.tables and "handoffs" in mapping.tables
    wanted = SURVEY_COLUMNS + (["customer_id"] if tickets_too else [])
    tm = mapping.tables["surveys"]
    surveys = read_table(data_dir, tm, mapping, wanted, problems, chunksize, _slim)
    if surveys is not None:
        _check_surveys(surveys, data_dir, tm, problems)
        inputs.tables["surveys"] = surveys
    for table, columns in WANTED.items():
        if table in mapping.tables:
            read = read_table(data_dir, mapping.tables[table], mapping, columns, problems)
            if read is not None:
                missing = [c for c in columns if c not in read]
                if missing:
                    inputs.skipped[table] = (
                        f"{mapping.tables[table].file} has no column for {', '.join(missing)}"
                    )
                else:
                    inputs.tables[table] = read
    _check_keys(inputs)
    _release_memory()
    return inputs


def _release_memory() -> None:
    """Hand memory freed by the chunks back to the system (glibc keeps it otherwise).

    Reading in chunks leaves a fragmented heap: on Linux this returns a third of
    the process's memory before the report's kernel starts beside it.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _slim(chunk: pd.DataFrame) -> pd.DataFrame:
    """Keep what the scorecard needs of a chunk of responses, as small as it goes.

    Ids become 64-bit hashes (enough to find duplicates and pair surveys with tickets);
    comment texts are kept for detractors only, the only ones read further, and the
    customer id as text only beside them (to remove it from a quoted comment).
    """
    if "response_id" in chunk:
        chunk["response_key"] = hash_ids(chunk.pop("response_id"))
    else:  # an export without ids (Google Forms): a response is its time and its answers
        chunk["response_key"] = row_keys(chunk)
    if "comment" in chunk and any(c in chunk for c in METRICS.values()):
        chunk.loc[~_detractors(chunk).to_numpy(), "comment"] = None
    if "customer_id" in chunk:
        chunk["customer_key"] = hash_ids(chunk["customer_id"])
        said = chunk["comment"].notna() if "comment" in chunk else False
        chunk["customer_id"] = chunk["customer_id"].astype(object).where(said, None)
    return chunk


def _check_surveys(
    surveys: pd.DataFrame, data_dir: Path, tm: TableMapping, problems: Problems
) -> None:
    file = str(surveys.attrs["file"])
    if "response_date" not in surveys:
        problems.add(
            file,
            "",
            "has no column mapped to response_date",
            "name the export's column under [surveys.columns]: response_date = ...",
        )
    if not any(c in surveys for c in METRICS.values()):
        problems.add(
            file,
            "",
            "has no recommend, csat or effort column",
            "map at least one score under [surveys.columns].",
        )
    if "response_key" in surveys:
        count, where = duplicates(surveys.pop("response_key").to_numpy())
        if not count:
            return
        if "response_id" in tm.columns:
            column = tm.columns["response_id"]
            what = "has duplicate response ids"
            fix = (
                "each response must appear once: remove the repeated rows (an export run "
                "twice, or one month's export saved under two names?) or give them their own ids"
            )
            examples = values_at(data_dir, tm, "response_id", where)
        else:
            column, examples = "", [""] * len(where)
            what = (
                "has repeated rows: the same time and the same answers (the export has no "
                "response id, so a response is known by these)"
            )
            fix = "remove the repeated rows (an export downloaded twice and pasted together?)"
        places = locate(surveys, where)
        for shown in dict.fromkeys(f for f, _ in places):
            mine = [i for i, (f, _) in enumerate(places) if f == shown]
            lines = [places[i][1] for i in mine]
            quoted = [examples[i] for i in mine] if column else []
            problems.add(
                shown,
                column,
                what,
                fix,
                lines,
                quoted,
                count if len(places) == len(mine) else len(mine),
            )


def _check_keys(inputs: Inputs) -> None:
    tickets, moves = inputs.tables.get("tickets"), inputs.tables.get("handoffs")
    if tickets is None or moves is None:
        return
    count, where = duplicates(hash_ids(tickets["ticket_id"]))
    if count:
        places = locate(tickets, where)
        inputs.problems.add(
            places[0][0],
            "ticket_id",
            "has duplicate ticket ids",
            "keep one row per ticket",
            [line for _, line in places],
            tickets["ticket_id"].iloc[where],
            count,
        )
    unknown = ~moves["ticket_id"].isin(tickets["ticket_id"]).to_numpy()
    if unknown.any():
        where = np.flatnonzero(unknown)[:5]
        places = locate(moves, where)
        inputs.problems.add(
            places[0][0],
            "ticket_id",
            "names tickets that are not in the tickets file",
            "export both files for the same period, or leave these transfers out",
            [line for _, line in places],
            moves["ticket_id"].iloc[where],
            int(unknown.sum()),
        )


def check_text(inputs: Inputs, data_dir: Path) -> str:
    """What ``--check`` prints when there is nothing to fix."""
    surveys = inputs.tables.get("surveys")
    lines = [f"Checked {data_dir} with {inputs.mapping.source}: no problems found."]
    if (
        "surveys" in inputs.mapping.tables
        and "response_id" not in inputs.mapping.tables["surveys"].columns
    ):
        lines.append(
            "  responses have no id column: each is known by its time and answers, and a row "
            "repeated exactly is reported"
        )
    if surveys is not None:
        dates = surveys["response_date"]
        lines.append(
            f"  surveys: {len(surveys):,} responses, {dates.min():%Y-%m-%d} to "
            f"{dates.max():%Y-%m-%d}"
        )
    for table in WANTED:
        if table in inputs.tables:
            lines.append(f"  {table}: {len(inputs.tables[table]):,} rows")
    for section, why in _skips(inputs).items():
        lines.append(f"  skipped in the report: {section} ({why})")
    for rule in inputs.mapping.rules():
        lines.append(f"  rule: {rule}")
    return "\n".join(lines)


def _skips(inputs: Inputs) -> dict[str, str]:
    surveys = inputs.tables.get("surveys", pd.DataFrame())
    skips = {}
    for metric, column in METRICS.items():
        if column not in surveys:
            skips[LABELS[metric]] = f"no {column} column in the survey export"
    if "department" not in surveys and not _owners(inputs):
        skips["departments"] = "the survey export has no department column and no touchpoints"
    if "touchpoint" not in surveys:
        skips["touchpoints"] = "the survey export has no touchpoint column"
    if "comment" not in surveys:
        skips["detractor themes"] = "the survey export has no comment column"
    for table in ("tickets", "handoffs"):
        if table not in inputs.tables:
            why = inputs.skipped.get(table, f"no {table} table in the export")
            skips.setdefault("handoff losses", why)
    ratings = [c for c in RATINGS if c in surveys]
    if len(ratings) < 2:
        skips["key drivers"] = "fewer than two driver ratings (rating_...) in the survey export"
    return skips


def _owners(inputs: Inputs) -> dict[str, str]:
    """Touchpoint to owning department: the mapping, else touchpoints.csv, else the surveys."""
    owners: dict[str, str] = {}
    surveys = inputs.tables.get("surveys")
    if surveys is not None and {"touchpoint", "department"} <= set(surveys):
        pairs = surveys.groupby(["touchpoint", "department"], observed=True).size()
        for (touchpoint, dept), _ in pairs.sort_values().items():
            owners[str(touchpoint)] = str(dept)
    table = inputs.tables.get("touchpoints")
    if table is not None:
        pairs = zip(table["touchpoint"].astype(str), table["department"].astype(str), strict=True)
        owners.update(dict(pairs))
    owners.update(inputs.mapping.touchpoint_owners)
    return owners


# --- the numbers ---------------------------------------------------------------------------


def _metrics(frame: pd.DataFrame, by: str | list[str], min_n: int) -> pd.DataFrame:
    """NPS, CSAT and effort with intervals per group, as one wide table (cxkit's functions)."""
    parts = []
    for metric, column in METRICS.items():
        if column not in frame:
            continue
        if metric == "nps":
            part = cxkit.nps_by(frame, by, column=column)
        elif metric == "csat":
            part = cxkit.csat_by(frame, by, column=column)
        else:
            part = cxkit.effort_by(frame, by, column=column)
        part.columns = [f"{metric}_{c}" for c in part.columns]
        part[f"{metric}_too_few"] = part[f"{metric}_n"] < min_n
        parts.append(part)
    return pd.concat(parts, axis=1)


def _rank(table: pd.DataFrame, metric: str = "nps") -> pd.DataFrame:
    """Rank groups by a metric, best first, leaving out those with too few responses."""
    if f"{metric}_value" not in table:
        metric = next(m for m in METRICS if f"{m}_value" in table)
    ascending = metric == "effort"  # low effort is good
    ok = ~table[f"{metric}_too_few"]
    ranks = table.loc[ok, f"{metric}_value"].rank(ascending=ascending, method="min")
    table["rank"] = ranks.reindex(table.index).astype("Int64")
    table["ranked_by"] = metric
    return table.sort_values(["rank", f"{metric}_n"], ascending=[True, False], na_position="last")


def _buckets(dates: pd.Series, trend: str) -> tuple[pd.Series, str]:
    if trend == "auto":
        months = (dates.max().year - dates.min().year) * 12 + dates.max().month - dates.min().month
        trend = "quarter" if months >= 18 else "month"
    freq = "Q" if trend == "quarter" else "M"
    periods = pd.Categorical(dates.dt.to_period(freq))  # codes: no string per row
    return pd.Series(periods.rename_categories([str(c) for c in periods.categories])), trend


def _moves(frame: pd.DataFrame, by: str, latest: str, previous: str, min_n: int) -> pd.DataFrame:
    """Latest bucket against the one before, per group: a change counts beyond the margins."""
    rows = []
    both = frame[frame["bucket"].isin([latest, previous])]
    if both.empty:
        return pd.DataFrame()
    table = _metrics(both, [by, "bucket"], min_n)
    for metric in METRICS:
        if f"{metric}_value" not in table:
            continue
        for group in table.index.get_level_values(0).unique():
            get = table.loc[group] if group in table.index.get_level_values(0) else None
            if get is None or latest not in get.index or previous not in get.index:
                continue
            now, before = get.loc[latest], get.loc[previous]
            half_now = (now[f"{metric}_ci_high"] - now[f"{metric}_ci_low"]) / 2
            half_before = (before[f"{metric}_ci_high"] - before[f"{metric}_ci_low"]) / 2
            change = now[f"{metric}_value"] - before[f"{metric}_value"]
            margin = float(np.hypot(half_now, half_before))
            too_few = bool(now[f"{metric}_too_few"] or before[f"{metric}_too_few"])
            rows.append(
                {
                    by: group,
                    "metric": metric,
                    "previous": before[f"{metric}_value"],
                    "latest": now[f"{metric}_value"],
                    "change": change,
                    "margin": margin,
                    "n_previous": int(before[f"{metric}_n"]),
                    "n_latest": int(now[f"{metric}_n"]),
                    "too_few": too_few,
                    "moved": (not too_few) and bool(abs(change) > margin),
                }
            )
    return pd.DataFrame(rows)


def _detractors(surveys: pd.DataFrame) -> pd.Series:
    if "recommend" in surveys:
        return surveys["recommend"] <= 6
    if "csat" in surveys:
        return surveys["csat"] <= 2
    return surveys["effort"] >= 5


def _scrub(texts: pd.Series, region: str, own_ids: pd.DataFrame) -> pd.Series:
    """Redact with cxkit.redact, then remove any id of the row's own customer or response."""
    redacted = cxkit.redact(texts.astype(str), region=region)
    assert isinstance(redacted, pd.Series)
    out = []
    for i, text in redacted.items():
        for column in own_ids.columns:
            value = own_ids.at[i, column]
            if isinstance(value, str) and value:
                text = text.replace(value, "[id]")
        out.append(text[:280] + ("..." if len(text) > 280 else ""))
    return pd.Series(out, index=texts.index, dtype=object)


def _themes(surveys: pd.DataFrame, region: str, min_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Top detractor themes per department, and redacted example comments for each."""
    mask = _detractors(surveys).to_numpy() & surveys["comment"].notna().to_numpy()
    keep = ["department", "response_date", "comment"]
    keep += [c for c in ("customer_id",) if c in surveys]
    said = surveys.loc[mask, keep].reset_index(drop=True)
    if said.empty:
        return pd.DataFrame(), pd.DataFrame()
    tags = cxkit.tag_themes(said["comment"])
    labels = cxkit.theme_labels()
    counts = tags.groupby(said["department"].astype(str).to_numpy()).sum()
    comments = said.groupby(said["department"].astype(str).to_numpy()).size()
    rows, examples = [], []
    for dept in counts.index:
        total = int(comments[dept])
        top = counts.loc[dept].sort_values(ascending=False, kind="stable")
        top = top[top > 0].head(3)
        for place, (theme, hits) in enumerate(top.items(), start=1):
            rows.append(
                {
                    "department": dept,
                    "theme": labels.get(theme, theme),
                    "comments": int(hits),
                    "detractor_comments": total,
                    "share": 100 * hits / total,
                    "too_few": total < min_n,
                    "rank": place if total >= min_n else None,
                }
            )
            chosen = said[(said["department"].astype(str) == dept).to_numpy() & tags[theme]]
            chosen = chosen.sort_values("response_date", ascending=False)
            chosen = chosen.drop_duplicates("comment").head(EXAMPLES)
            ids = chosen[[c for c in ("customer_id",) if c in chosen]]
            for text in _scrub(chosen["comment"], region, ids):
                examples.append(
                    {"department": dept, "theme": labels.get(theme, theme), "comment": text}
                )
    return pd.DataFrame(rows), pd.DataFrame(examples)


def _handoffs(inputs: Inputs, surveys: pd.DataFrame, start: Any, end: Any) -> dict[str, Any]:
    tickets, moves = inputs.tables["tickets"], inputs.tables["handoffs"]
    opened = tickets["opened_at"]
    inside = opened.between(start or opened.min(), (end or opened.max()) + pd.Timedelta(days=1))
    tickets = tickets[inside.to_numpy()]
    moves = moves[moves["ticket_id"].isin(tickets["ticket_id"]).to_numpy()]
    out: dict[str, Any] = {}
    if moves.empty:
        raise CxkitError("no ticket was handed between departments in the period")
    out["transfers"] = cxkit.handoffs(moves, tickets).reset_index()
    if "customer_key" in surveys and "csat" in surveys and "recommend" in surveys:
        kind = "post_ticket" if "survey_type" in surveys else None
        if kind and not (surveys["survey_type"] == kind).any():
            kind = None
        tickets = tickets.assign(customer_key=hash_ids(tickets["customer_id"]))
        columns = ["customer_key", "response_date", "recommend", "csat"]
        answers = surveys[columns + (["survey_type"] if kind else [])].dropna(
            subset=["recommend", "csat"]
        )
        answers = answers.astype({"recommend": "int64", "csat": "int64"})
        table = cxkit.satisfaction_by_handoffs(
            tickets, answers, survey_type=kind, customer="customer_key"
        )
        out["by_count"] = table.reset_index()
    return out


def aggregate(
    inputs: Inputs,
    folder: Path,
    period: str | None = None,
    min_n: int = 30,
    trend: str = "auto",
    title: str = "Customer experience scorecard",
) -> Path:
    """Compute every number of the scorecard and write it to ``folder`` as small CSV files.

    Only aggregates leave this function: counts, scores with intervals, theme
    shares and at most two redacted example comments per department and theme.
    Returns the folder.
    """
    start, end = parse_period(period)
    surveys = inputs.tables["surveys"]
    dates = surveys["response_date"]
    inside = np.ones(len(surveys), bool)
    if start is not None:
        inside &= (dates >= start).to_numpy()
    if end is not None:
        inside &= (dates < end + pd.Timedelta(days=1)).to_numpy()
    inside &= dates.notna().to_numpy()
    if not inside.any():
        raise CxkitError(
            f"No survey response falls in --period {period} (the export runs from "
            f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}). Choose a period inside that."
        )
    # a view: the columns added below do not change the table read by gather
    surveys = surveys[inside].reset_index(drop=True) if not inside.all() else surveys.copy(False)
    owners = _owners(inputs)
    if "department" not in surveys and "touchpoint" in surveys and owners:
        surveys["department"] = surveys["touchpoint"].map(owners).astype("category")
    surveys["bucket"], unit = _buckets(surveys["response_date"], trend)
    surveys["all"] = pd.Categorical.from_codes(np.zeros(len(surveys), "int8"), ["all"])
    folder.mkdir(parents=True, exist_ok=True)
    skipped = _skips(inputs)
    buckets = sorted(surveys["bucket"].cat.categories[surveys["bucket"].value_counts() > 0])

    def write(name: str, table: pd.DataFrame) -> None:
        table.to_csv(folder / f"{name}.csv", index=False)

    write("overall", _metrics(surveys, "all", min_n))
    write("trend", _metrics(surveys, "bucket", min_n).reset_index())
    latest = buckets[-1]
    previous = buckets[-2] if len(buckets) > 1 else None
    if "department" in surveys:
        write("departments", _rank(_metrics(surveys, "department", min_n)).reset_index())
        if previous:
            write("department_moves", _moves(surveys, "department", latest, previous, min_n))
    if "touchpoint" in surveys:
        table = _rank(_metrics(surveys, "touchpoint", min_n)).reset_index()
        table.insert(1, "owner", table["touchpoint"].astype(str).map(owners).fillna("not known"))
        write("touchpoints", table)
        if previous:
            moves = _moves(surveys, "touchpoint", latest, previous, min_n)
            if not moves.empty:
                moves.insert(1, "owner", moves["touchpoint"].astype(str).map(owners))
            write("touchpoint_moves", moves)
    if "comment" in surveys and "department" in surveys:
        themes, examples = _themes(surveys, inputs.mapping.region, min_n)
        write("themes", themes)
        write("examples", examples)
    elif "comment" in surveys:
        skipped["detractor themes"] = "no department to group the comments by"
    if "handoff losses" not in skipped:
        try:
            for name, table in _handoffs(inputs, surveys, start, end).items():
                write(f"handoffs_{name}", table)
        except CxkitError as err:
            skipped["handoff losses"] = str(err).rstrip(".")
    if "key drivers" not in skipped:
        target = "recommend" if "recommend" in surveys else "csat"
        ratings = [c for c in RATINGS if c in surveys]
        try:
            rated = surveys[ratings].notna().all(axis=1).to_numpy()  # relationship surveys
            drivers = cxkit.key_drivers(surveys.loc[rated, [target, *ratings]], target, ratings)
            write("drivers", drivers.reset_index())
            skipped_n = {"drivers_n": int(drivers.attrs["n"]), "drivers_r2": drivers.attrs["r2"]}
        except CxkitError as err:
            skipped["key drivers"] = str(err).removeprefix("key_drivers: ").rstrip(".")
            skipped_n = {}
    else:
        skipped_n = {}
    meta = {
        "title": title,
        "period": describe_period(start, end),
        "first": f"{surveys['response_date'].min():%Y-%m-%d}",
        "last": f"{surveys['response_date'].max():%Y-%m-%d}",
        "responses": len(surveys),
        "min_n": min_n,
        "unit": unit,
        "latest": latest,
        "previous": previous,
        "skipped": skipped,
        "rules": inputs.mapping.rules(),
        "mapping": inputs.mapping.name,
        **skipped_n,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
    return folder


# --- rendering -----------------------------------------------------------------------------


def render(aggregates: Path, out_html: Path, title: str, template: Path | None = None) -> Path:
    """Run the template (default ``TEMPLATE``) on the aggregates; write offline HTML, no code.

    See :func:`cxkit.course.render.render_notebook`: a failing template raises a
    ``CxkitError`` naming the cell, and leaves no page.
    """
    return render_notebook(
        template or TEMPLATE,
        {"aggregates": aggregates},
        out_html,
        title,
        name="scorecard",
        css=_PAGES,
        chart_alt="A chart; its numbers are in the table beside it",
    )


_PAGES = """
h2.department-page { page-break-before: always; break-before: page; }
"""


def chromium() -> str | None:
    """The path of a Chromium-like browser to print PDF with, or None."""
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    return None


def _need_chromium() -> str:
    browser = chromium()
    if browser is None:
        raise CxkitError(
            "--pdf needs Chromium to print the page, and none is installed (looked for "
            f"{', '.join(CHROMIUM)}). Install it (Debian/Ubuntu: apt-get install chromium), "
            "or leave out --pdf and print the HTML page from any browser."
        )
    return browser


def to_pdf(html: Path, pdf: Path) -> Path:
    """Print the HTML page to PDF with headless Chromium, offline."""
    browser = _need_chromium()
    with tempfile.TemporaryDirectory(prefix="cxkit-chromium-") as profile:
        done = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                html.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        raise CxkitError(
            f"Chromium could not print the PDF (exit code {done.returncode}): "
            f"{done.stderr.strip()[-300:]}. The HTML page was not written either; run again "
            "without --pdf to get it."
        )
    return pdf


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise CxkitError(f"--out {out} is a file. Give a folder for the scorecard.")
    if out.is_dir():
        others = [p.name for p in out.iterdir() if p.name not in OUTPUTS]
        if others:
            raise CxkitError(
                f"--out {out} already holds other files ({', '.join(sorted(others)[:5])}). "
                "Give an empty or new folder, or one holding only an earlier scorecard."
            )


def scorecard(
    data_dir: Path,
    out: Path,
    mapping_path: Path | None = None,
    period: str | None = None,
    min_n: int = 30,
    trend: str = "auto",
    pdf: bool = False,
    title: str = "Customer experience scorecard",
) -> list[Path]:
    """Check, aggregate and render the scorecard into ``out``; nothing is written on failure.

    Returns the files written (``scorecard.html``, and ``scorecard.pdf`` with ``pdf``).
    """
    if not isinstance(min_n, int) or min_n < 1:
        raise CxkitError(f"--min-responses must be 1 or more, got {min_n}.")
    parse_period(period)
    _check_out(out)
    if pdf:
        _need_chromium()  # before any work
    inputs = gather(data_dir, mapping_path)
    if inputs.problems:
        raise CxkitError(
            f"The export in {data_dir} has {len(inputs.problems)} problem(s); nothing was "
            f"written. Fix them and run again (cxkit scorecard --check lists them without "
            f"rendering):\n{inputs.problems.text()}"
        )
    work = Path(tempfile.mkdtemp(prefix="cxkit-scorecard-"))
    try:
        aggregate(inputs, work / "aggregates", period, min_n, trend, title)
        del inputs
        _release_memory()
        html = render(work / "aggregates", work / "scorecard.html", title)
        written = [html]
        if pdf:
            written.append(to_pdf(html, work / "scorecard.pdf"))
        return _publish(written, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _publish(files: list[Path], out: Path) -> list[Path]:
    """Move finished files into ``out``: a new folder appears whole, files replace atomically."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-partial-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the scorecard is for sharing
    try:
        for f in files:
            shutil.copyfile(f, staging / f.name)
        if not out.exists():
            os.replace(staging, out)
        else:
            for f in files:
                os.replace(staging / f.name, out / f.name)
            stale = [out / name for name in OUTPUTS if name not in {f.name for f in files}]
            for path in stale:
                path.unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / f.name for f in files]
