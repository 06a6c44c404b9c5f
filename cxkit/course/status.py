"""``cxkit status``: who handed in, who has been graded, who failed and why.

Reasons are shown in full: what the sandbox refused and signs of tampering are
listed per participant as facts (what happened, where), never as verdicts.
Points held for the facilitator (code outside the policy ran before those
checks) are shown beside the score, which does not count them, until
``cxkit accept`` or ``cxkit reject`` decides; the reason says why and how.
"""

from __future__ import annotations

import textwrap

import pandas as pd

from cxkit.course.directory import Course
from cxkit.course.grade import load_outcomes, submissions
from cxkit.course.roster import roster


def status_table(course: Course, workshop: str) -> pd.DataFrame:
    """One row per participant on the roster or with a submission."""
    people = roster(course).set_index("id")
    outcomes = load_outcomes(course, workshop)
    handed_in = set(submissions(course, workshop))
    rows = []
    for pid in sorted(set(people.index) | handed_in | set(outcomes)):
        outcome = outcomes.get(pid)
        if outcome is not None:
            state, reason = outcome.state.value, outcome.reason
            score = (
                f"{outcome.score:g} / {outcome.max_score:g}" if outcome.score is not None else ""
            )
            if outcome.held_points:
                score += f" (+{outcome.held_points:g} held)"
        else:
            state = "handed in, not graded yet" if pid in handed_in else "missing"
            reason, score = "", ""
        rows.append(
            {
                "participant": pid,
                "department": people["department"].get(pid, "") if len(people) else "",
                "state": state,
                "score": score,
                "reason": reason,
            }
        )
    return pd.DataFrame(rows, columns=["participant", "department", "state", "score", "reason"])


def status_text(course: Course, workshop: str) -> str:
    """The status as text for the terminal: counts first, then every participant."""
    table = status_table(course, workshop)
    if table.empty:
        return f"{workshop}: no participants on the roster and no submissions yet."
    counts = table["state"].value_counts()
    head = ", ".join(f"{n} {state}" for state, n in counts.items())
    lines = [f"{workshop}: {len(table)} participants: {head}."]
    waiting = int(table["score"].str.contains("held", regex=False).sum())
    if waiting:
        lines.append(
            f"{waiting} with points held: read their notebook in autograded/, then run "
            f"cxkit accept {workshop} ID or cxkit reject {workshop} ID."
        )
    lines.append("")
    widths = {c: max(len(c), int(table[c].astype(str).str.len().max())) for c in table.columns}
    widths["reason"] = min(widths["reason"], 90)
    lines.append("  ".join(c.ljust(widths[c]) for c in table.columns).rstrip())
    indent = " " * (sum(widths[c] + 2 for c in table.columns[:-1]))
    for row in table.itertuples(index=False):
        values = [str(v) for v in row]
        # the whole reason, wrapped: sandbox refusals and tampering are facts to read in full
        reason = textwrap.wrap(values[-1], 90) or [""]
        values[-1] = reason[0]
        lines.append(
            "  ".join(
                v.ljust(widths[c]) for v, c in zip(values, table.columns, strict=True)
            ).rstrip()
        )
        lines.extend(indent + more for more in reason[1:])
    return "\n".join(lines)
