"""Outcomes: facts kept as facts, put into the same words as ever, records old and new."""

from __future__ import annotations

import json

import minicourse as mc
import pytest

from cxkit.course.directory import Course
from cxkit.course.grade import GRADING_FILE, load_outcomes
from cxkit.course.status import status_text
from cxkit.grading.outcomes import (
    RUNNING,
    WORDS,
    Fact,
    Kind,
    Outcome,
    State,
    running_facts,
    worst,
)

CELL = "the cell after 'Exercise 1'"

# Each kind of fact, and the exact words cxkit has always shown for it (facilitator,
# participant); the sentences are those tests/grading/test_sandbox.py expects.
SAID = [
    (
        Fact(Kind.MISSING, details={"notebook": "mini.ipynb", "instead": ["mini (1).ipynb"]}),
        "mini.ipynb is missing from the submission; it holds mini (1).ipynb instead: rename it",
        "We found no notebook named mini.ipynb in what you handed in; it holds mini (1).ipynb "
        "instead: rename it.",
    ),
    (
        Fact(Kind.MISSING, details={"notebook": "mini.ipynb", "instead": []}),
        "mini.ipynb is missing from the submission",
        "We found no notebook named mini.ipynb in what you handed in.",
    ),
    (
        Fact(Kind.EMPTY, details={"notebook": "mini.ipynb", "bytes": 0}),
        "mini.ipynb is empty (0 bytes): ask for the saved file",
        "The mini.ipynb you handed in is empty: save it in JupyterLab and hand it in again.",
    ),
    (
        Fact(Kind.NOT_A_NOTEBOOK, details={"notebook": "mini.ipynb", "error": "NotJSONError"}),
        "mini.ipynb is not a valid notebook (NotJSONError)",
        "The file is damaged (not a notebook JupyterLab can open).",
    ),
    (
        Fact(
            Kind.OTHER_WORKSHOP,
            details={"notebook": "mini.ipynb", "workshop": "mini", "other": "other", "count": 12},
        ),
        "mini.ipynb is the notebook of workshop other, not mini: none of its 12 cells are there",
        "The file you handed in as mini.ipynb is the notebook of workshop other: hand in the "
        "mini notebook.",
    ),
    (
        Fact(
            Kind.OTHER_WORKSHOP,
            details={"notebook": "mini.ipynb", "workshop": "mini", "other": "", "count": 3},
        ),
        "mini.ipynb is not this workshop's notebook, not mini: none of its 3 cells are there",
        "The file you handed in as mini.ipynb is not this workshop's notebook: hand in the mini "
        "notebook.",
    ),
    (
        Fact(Kind.TESTS_DELETED, details={"notebook": "mini.ipynb", "cells": ["answer_test"]}),
        "test cell(s) answer_test deleted in mini.ipynb: nbgrader restores nothing there, "
        "so those points need manual grading",
        "Some check cells were deleted, so your facilitator grades those by hand.",
    ),
    (
        Fact(Kind.LOCKED_EDITED, details={"notebook": "mini.ipynb", "cells": ["a", "b"]}),
        "tampering: locked cell(s) a, b edited in mini.ipynb (nbgrader graded them from the "
        "original)",
        "Cells that are locked were changed; they were graded as originally written.",
    ),
    (
        Fact(
            Kind.CELL_RETYPED,
            details={"notebook": "mini.ipynb", "changes": [["double_test", "code", "markdown"]]},
        ),
        "tampering: cell type changed in mini.ipynb: double_test from code to markdown",
        "A cell's type was changed (code or text); it was graded as originally written.",
    ),
    (
        Fact(Kind.GRADE_CELLS_ADDED, details={"notebook": "mini.ipynb", "cells": ["bonus"]}),
        "tampering: cell(s) bonus added to mini.ipynb with grading marks: nbgrader refuses "
        "grade cells it does not know; remove their nbgrader metadata and grade again",
        "Cells you added claim to be graded; your facilitator will remove them and grade your "
        "notebook.",
    ),
    (
        Fact(
            Kind.REWIRING,
            details={"notebook": "p1.ipynb", "grade_id": "set_a", "rewires": "showtraceback"},
        ),
        "tampering: code in cell set_a of p1.ipynb replaces IPython's showtraceback",
        "Your code changes how checks or errors work; ask your facilitator.",
    ),
    (
        Fact(
            Kind.REWIRING, details={"notebook": "mini.ipynb", "grade_id": "", "rewires": "checks"}
        ),
        "tampering: code in an added cell of mini.ipynb rewires cxkit.checks",
        "Your code changes how checks or errors work; ask your facilitator.",
    ),
    (
        Fact(
            Kind.REORDERED,
            details={"notebook": "mini.ipynb", "moved": "answer_test", "expected": "answer"},
        ),
        "cells reordered in mini.ipynb: answer_test now comes before answer (nbgrader ran them "
        "in the submitted order)",
        "Cells were moved; they ran in your order, which can change the results.",
    ),
    (
        Fact(Kind.LARGE_FILES, details={"files": [["data.bin", 60.0]]}),
        "large file(s) handed in beside the notebook: data.bin (60 MB); they were graded with "
        "it, check they belong there",
        "You handed in large files (data.bin (60 MB)) with your notebook: are they needed?",
    ),
    (
        Fact(Kind.OUTPUT_CAPPED, CELL, {"kb": 1024}),
        f"output cut at 1024 KB in {CELL}",
        f"Your notebook printed too much in {CELL}: we kept the first 1024 KB.",
    ),
    (
        Fact(Kind.OUT_OF_TIME, CELL, {"limit": 3}),
        f"ran out of time in {CELL}: stopped after the 3 s limit",
        f"Your notebook ran out of time in {CELL}: it was stopped after 3 s. Look for a loop "
        "that never ends or a long wait.",
    ),
    (
        Fact(Kind.OUT_OF_MEMORY, CELL, {"mb": 2048}),
        f"ran out of memory in {CELL} (the limit is 2048 MB)",
        f"Your notebook ran out of memory in {CELL}.",
    ),
    (
        Fact(Kind.SANDBOX_REFUSED, CELL, {"refused": "network"}),
        f"sandbox: a network connection was refused (there is no network while grading) in {CELL}",
        f"Your notebook tried something grading does not allow in {CELL}: a network "
        "connection was refused (there is no network while grading).",
    ),
    (Fact(Kind.AWAITS_MANUAL), "reflections await manual grading", ""),
    (
        Fact(Kind.OVER_BUDGET, CELL, {"budget": 8.0}),
        f"took longer than the 8 s budget per submission: it ran out of time in {CELL}",
        f"Your notebook ran out of time in {CELL}: grading had to stop it. Look for a loop "
        "that never ends or a long wait.",
    ),
    (
        Fact(Kind.STUCK, CELL, {"limit": 3}),
        f"ran out of time in {CELL}: it ran past the 3 s limit and did not stop when interrupted",
        f"Your notebook ran out of time in {CELL}: grading had to stop it. Look for a loop "
        "that never ends or a long wait.",
    ),
    (Fact(Kind.WORKER_DIED), "the grading worker died while running a cell", ""),
    (
        Fact(Kind.KERNEL_DIED),
        "the kernel died while running it (os._exit, a crash or out of memory)",
        "",
    ),
    (
        Fact(Kind.CLUSTER_DIED, details={"error": "KilledWorker"}),
        "the Dask workers running it died each time (KilledWorker); grade it on its own with "
        "--workers 1",
        "",
    ),
]


@pytest.mark.parametrize(("fact", "text", "advice"), SAID, ids=[f.kind.value for f, *_ in SAID])
def test_each_fact_says_what_it_always_said(fact, text, advice):
    """Does each kind of fact render to the exact sentences shown before facts were kept?"""
    assert (fact.text, fact.advice) == (text, advice)


def test_every_kind_has_words():
    """Has every kind of fact words for the facilitator (none left to a default)?"""
    assert set(WORDS) == set(Kind)
    assert all(WORDS[kind][0] for kind in Kind)


def test_facts_travel_as_json_and_come_back_equal():
    """Does a fact survive grading.json (as_dict, JSON, from_dict) with its kind and details?"""
    for fact, text, _ in SAID:
        back = Fact.from_dict(json.loads(json.dumps(fact.as_dict())))
        assert back == fact and back.text == text


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (
            {"success": False, "error": "DeadKernelError: Kernel died", "where": CELL},
            f"the kernel died while running {CELL} (os._exit, a crash or out of memory)",
        ),
        (
            {"success": False, "error": "CellTimeoutError: x", "where": CELL, "facts": ["note"]},
            f"ran out of time in {CELL}: it ran past the 3 s limit and did not stop when "
            "interrupted; note",
        ),
        (
            {"success": False, "log": "Traceback\nNotJSONError: bad"},
            "not a valid notebook (broken JSON)",
        ),
        (
            {"success": False, "log": "OperationalError: database is locked"},
            "the gradebook was busy; run cxkit grade again",
        ),
        (
            {"success": False, "error": "KeyError: 'x'", "log": "first\n\nValueError: last one"},
            "nbgrader could not grade it: ValueError: last one",
        ),
        ({"success": False}, "nbgrader could not grade it: no details"),
        (
            {
                "success": False,
                "error": "DeadKernelError",
                "facts": [f"it hit the process limit (128) in {CELL}", "other"],
            },
            f"the sandbox stopped the kernel: it hit the process limit (128) in {CELL}",
        ),
        (
            {
                "success": False,
                "error": "DeadKernelError",
                "facts": [f"it ran out of memory in {CELL} (the limit is 512 MB)"],
            },
            f"the kernel died after it ran out of memory in {CELL} (the limit is 512 MB)",
        ),
        (
            {"success": False, "failure": "the executor's own words"},
            "the executor's own words",
        ),
        (
            {"success": False, "stopped": [Fact(Kind.OVER_BUDGET, "", {"budget": 10.0})]},
            "took longer than the 10 s budget per submission: it ran out of time in a cell",
        ),
    ],
)
def test_running_facts_from_results(result, reason):
    """Is what came back from an executor turned into the facts behind the reason shown?"""
    facts = running_facts(result, cell_timeout=3)
    assert all(f.kind in RUNNING for f in facts)
    assert Outcome("p", State.FAILED, facts).reason == reason


def test_a_failure_shows_only_what_stopped_it_and_advises_on_that():
    """Does a run that failed show why it failed, keep what was found before, and advise?"""
    found = Fact(Kind.LOCKED_EDITED, details={"notebook": "mini.ipynb", "cells": ["a"]})
    over = Fact(Kind.OVER_BUDGET, CELL, {"budget": 8.0})
    outcome = Outcome("p", State.FAILED, [found, over])
    assert outcome.reason == over.text
    assert outcome.advice == over.advice
    died = Outcome("p", State.FAILED, [found, Fact(Kind.KERNEL_DIED, CELL)])
    assert died.advice == found.advice  # what was found in the files, said as ever
    alone = Outcome("p", State.FAILED, [Fact(Kind.KERNEL_DIED, CELL)])
    assert alone.advice == f"We could not grade it: {alone.reason}."
    assert worst([found, over]) is State.NEEDS_ATTENTION  # a running fact sets no state


def test_a_graded_outcome_joins_every_fact():
    """Does a scored outcome list every fact in its reason, and every piece of advice?"""
    facts = [
        Fact(Kind.TESTS_DELETED, details={"notebook": "mini.ipynb", "cells": ["t"]}),
        Fact(Kind.OUT_OF_TIME, CELL, {"limit": 30}),
    ]
    outcome = Outcome("p", State.NEEDS_ATTENTION, facts, score=2.0, max_score=3.0)
    assert outcome.reason == f"{facts[0].text}; {facts[1].text}"
    assert outcome.advice == f"{facts[0].advice} {facts[1].advice}"
    assert Outcome("p", State.GRADED).reason == Outcome("p", State.GRADED).advice == ""


# As cxkit wrote .cxkit/grading.json before it kept facts: words only.
OLD_RECORDS = {
    "mini": {
        "ana": {
            "participant": "ana",
            "state": "failed",
            "reason": "took longer than the 180 s budget per submission: it ran out of time in "
            "the cell after 'Exercise 1'",
            "score": None,
            "max_score": None,
            "seconds": 180.0,
            "cell_seconds": 0.0,
            "checksum": "0123456789abcdef",
            "graded_at": "2026-11-20 10:00:00 UTC",
            "advice": "Your notebook ran out of time in the cell after 'Exercise 1': grading had "
            "to stop it. Look for a loop that never ends or a long wait.",
        },
        "ben": {
            "participant": "ben",
            "state": "graded",
            "reason": "reflections await manual grading",
            "score": 3.0,
            "max_score": 4.0,
            "seconds": 2.5,
            "cell_seconds": 0.8,
            "checksum": "fedcba9876543210",
            "graded_at": "2026-11-20 10:00:01 UTC",
            "advice": "",
        },
        "cy": {
            "participant": "cy",
            "state": "needs attention",
            "reason": "",
            "score": 1.0,
            "max_score": 4.0,
            "seconds": 2.0,
            "cell_seconds": 0.5,
            "checksum": "aaaa",
            "graded_at": "2026-11-20 10:00:02 UTC",
            "advice": "",
            "noted_by_a_newer_cxkit": True,
        },
    }
}


def test_a_record_from_before_facts_loads_with_its_words(tmp_path):
    """Does a grading.json written before facts were kept load with the same words and numbers?"""
    root = mc.make_course(tmp_path)
    (root / ".cxkit").mkdir()
    (root / ".cxkit" / GRADING_FILE).write_text(json.dumps(OLD_RECORDS))
    course = Course(root)
    outcomes = load_outcomes(course, "mini")
    for pid, old in OLD_RECORDS["mini"].items():
        outcome = outcomes[pid]
        assert outcome.state == old["state"] and isinstance(outcome.state, State)
        assert (outcome.reason, outcome.advice) == (old["reason"], old["advice"])
        assert (outcome.score, outcome.checksum, outcome.graded_at) == (
            old["score"],
            old["checksum"],
            old["graded_at"],
        )
        again = Outcome.from_dict(json.loads(json.dumps(outcome.as_dict())))
        assert (again.reason, again.advice) == (old["reason"], old["advice"])
    assert "reflections await manual grading" in status_text(course, "mini")


def test_a_record_keeps_its_words_and_its_facts(tmp_path):
    """Does grading.json keep today's fields and words, and the facts beside them?"""
    outcome = Outcome("ana", State.NEEDS_ATTENTION, [Fact(Kind.OUT_OF_TIME, CELL, {"limit": 30})])
    record = json.loads(json.dumps(outcome.as_dict()))
    assert list(record) == [*OLD_RECORDS["mini"]["ana"], "facts", "held", "held_points"]
    assert record["state"] == "needs attention"
    assert record["reason"] == f"ran out of time in {CELL}: stopped after the 30 s limit"
    assert record["facts"] == [{"kind": "out_of_time", "cell": CELL, "limit": 30}]
    unknown = {**record, "facts": [{"kind": "a_kind_from_the_future"}]}
    assert Outcome.from_dict(unknown).reason == record["reason"]  # the words, as recorded


def test_a_state_given_as_words_is_the_named_state():
    """Is an outcome made with "failed" in the state FAILED, and a state not known refused?"""
    assert Outcome("p", "failed").state is State.FAILED  # type: ignore[arg-type]
    assert Outcome("p", State.NEEDS_ATTENTION).state == "needs attention"
    with pytest.raises(ValueError, match="'done' is not a valid State"):
        Outcome("p", "done")  # type: ignore[arg-type]


def test_held_points_are_kept_and_worded_until_a_facilitator_decides():
    """Does a cell outside the policy say where, what and how many points are held, for
    the facilitator and the participant; do the held cells survive the record; and does a
    decision say who, when and what it did, leaving nothing held?"""
    outside = Fact(
        Kind.OUTSIDE_POLICY,
        details={
            "notebook": "foundations.ipynb",
            "grade_id": "nps_by_hand",
            "label": "Exercise 2",
            "index": 16,
            "what": ["calls get_ipython()", "imports os (not on the course's list)"],
            "points": 4.0,
        },
    )
    held = [
        {"notebook": "foundations", "grade_id": "nps_by_hand_check", "score": 2.0, "points": 2.0}
    ]
    outcome = Outcome("jo", State.NEEDS_ATTENTION, [outside], score=1.0, max_score=12.0, held=held)
    assert outcome.reason == (
        "Exercise 2's cell calls get_ipython() and imports os (not on the course's list), which "
        "no answer needs: 4 points from there on are held until you run cxkit accept or cxkit "
        "reject"
    )
    assert outcome.advice.startswith("Your notebook holds code that no answer needs (calls ")
    again = Outcome.from_dict(json.loads(json.dumps(outcome.as_dict())))
    assert (again.held, again.held_points, again.reason) == (held, 2.0, outcome.reason)
    added = Fact(Kind.OUTSIDE_POLICY, details={"grade_id": "", "label": "", "what": ["uses vars"]})
    assert added.text.startswith("A cell added at the top uses vars, which no answer needs: no ")
    decided = {"decision": "rejected", "by": "ana", "at": "2026-12-06 09:00 UTC", "points": 2.0}
    again.facts.append(Fact(Kind.REVIEWED, details=decided))
    assert (again.decision, again.held_points) == ("rejected", 0.0)
    assert again.facts[-1].text == (
        "rejected by ana on 2026-12-06 09:00 UTC: the 2 held points are not counted"
    )
