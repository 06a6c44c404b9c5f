"""``cxkit accept`` and ``cxkit reject``: the facilitator decides on held points.

Grading holds the points of the checks that ran after code outside the policy
(:mod:`cxkit.grading.policy`), or after a check that passed without its own
output: nbgrader recorded what the checks gave, and none of it counts yet
(:mod:`cxkit.grading.holds`). The facilitator reads the notebook
(``autograded/<participant>/<workshop>/``) and decides:

- ``cxkit accept 00 jo.smith``: the code was harmless; the held points count;
- ``cxkit reject 00 jo.smith``: the held cells score 0.

Who decided (``--by``, else the account running the command) and when is kept
in the outcome's facts, shown by ``cxkit status`` and the report. Grading the
participant again (a new hand-in) holds afresh and forgets the decision.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

from cxkit.course.directory import Course
from cxkit.course.grade import load_outcomes, save_outcome
from cxkit.errors import CxkitError, close_match
from cxkit.grading import holds
from cxkit.grading.outcomes import HOLDING, Fact, Kind, Outcome, worst

DECISIONS = ("accepted", "rejected")


def decide(
    course: Course, workshop: str, participant: str, decision: str, by: str | None = None
) -> Outcome:
    """Accept or reject a participant's held points; return the outcome as recorded.

    Raises
    ------
    CxkitError
        When the participant has no outcome for the workshop, holds nothing, or
        was decided on already; the message says what to run instead.
    """
    if decision not in DECISIONS:
        raise ValueError(f"decision is {decision!r}; it is one of {DECISIONS}")
    outcomes = load_outcomes(course, workshop)
    outcome = outcomes.get(participant)
    if outcome is None:
        graded = sorted(outcomes)
        raise CxkitError(
            f"{participant} has no graded submission of {workshop}."
            + close_match(participant, graded)
            + (f" Graded: {', '.join(graded)}." if graded else " Run cxkit grade first.")
        )
    if outcome.decision:
        raise CxkitError(
            f"{participant}'s held points in {workshop} were {outcome.decision} already "
            f"({outcome.facts[-1].text}). Grade the submission again (cxkit grade "
            f"{workshop} --force) to hold them afresh."
        )
    if not outcome.held:
        raise CxkitError(
            f"{participant} has no held points in {workshop}: nothing to accept or reject "
            f"(state: {outcome.state.value})."
        )
    points = float(sum(h["score"] for h in outcome.held))
    if decision == "accepted":
        holds.count(course, workshop, participant, outcome.held)
        outcome.score = (outcome.score or 0.0) + points
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    details = {"decision": decision, "by": by or getpass.getuser(), "at": when, "points": points}
    outcome.facts.append(Fact(Kind.REVIEWED, details=details))
    outcome.state = worst([f for f in outcome.facts if f.kind not in HOLDING])
    save_outcome(course, workshop, outcome)
    return outcome
