"""What grading knows about a submission: typed jobs and results, facts, and outcomes.

A submission's story is kept as :class:`Fact` objects (what happened, in which
cell, with its numbers) from the moment it is found, and put into words only
when someone reads it: :attr:`Outcome.reason` for the facilitator (``cxkit
status``, the report), :attr:`Outcome.advice` for the participant (feedback).
Nothing reads a sentence back to find out what happened.

Also here, the shapes of what travels between the grading process and an
executor (:mod:`cxkit.grading.execute`): the :class:`Job` a worker gets, the
:class:`Result` it returns, its :class:`ExecutorSettings`, and the :class:`Limits` of
each sandboxed kernel.

>>> fact = Fact(Kind.OUT_OF_TIME, "the cell after 'Exercise 1'", {"limit": 30})
>>> fact.text
"ran out of time in the cell after 'Exercise 1': stopped after the 30 s limit"
>>> Outcome("jo.smith", State.GRADED, [fact], score=2.0).reason == fact.text
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NotRequired, TypedDict


@dataclass(frozen=True)
class Limits:
    """What one sandboxed kernel may use."""

    memory_mb: int = 2048  # address space of each process
    cpu_seconds: int = 600  # CPU time of each process
    processes: int = 128  # processes and threads of one kernel
    file_mb: int = 100  # size of any file it writes
    tmp_mb: int = 256  # its private /tmp
    output_cell_kb: int = 1024  # output kept per cell
    output_notebook_kb: int = 8192  # output kept per notebook


class State(StrEnum):
    """Where a submission stands after grading (the words ``cxkit status`` shows)."""

    GRADED = "graded"
    NEEDS_ATTENTION = "needs attention"  # scored, but a facilitator should look
    FAILED = "failed"  # not scored: nbgrader could not grade it


class Kind(StrEnum):
    """What happened; each kind has its words in :data:`WORDS`."""

    # found in the files handed in, before anything runs (cxkit.grading.incidents.before)
    MISSING = "missing"
    EMPTY = "empty"
    NOT_A_NOTEBOOK = "not_a_notebook"
    OTHER_WORKSHOP = "other_workshop"
    TESTS_DELETED = "tests_deleted"
    LOCKED_EDITED = "tampering_locked_edited"
    CELL_RETYPED = "tampering_cell_retyped"
    GRADE_CELLS_ADDED = "tampering_grade_cells_added"
    REWIRING = "tampering_rewiring"  # the literal scan of earlier records; the policy now
    REORDERED = "reordered"
    LARGE_FILES = "large_files"
    # found in the executed notebook (cxkit.grading.incidents.after)
    OUTPUT_CAPPED = "output_capped"
    OUT_OF_TIME = "out_of_time"
    OUT_OF_MEMORY = "out_of_memory"
    SANDBOX_REFUSED = "sandbox_refused"
    AWAITS_MANUAL = "awaits_manual"
    # found by the policy in the notebook about to run (cxkit.grading.policy), and signs
    # in the executed one (cxkit.grading.signs): each holds the points of the checks after it
    OUTSIDE_POLICY = "outside_policy"
    LOCKED_RUN_EDITED = "tampering_locked_run_edited"
    CHECK_SILENT = "check_silent"
    CHECK_INSTANT = "check_instant"
    # the facilitator's decision on held points (cxkit accept / cxkit reject)
    REVIEWED = "reviewed"
    # why running it failed (cxkit.grading.local, .distributed, and the executor's result)
    OVER_BUDGET = "over_budget"
    STUCK = "out_of_time_stuck"
    WORKER_DIED = "worker_died"
    KERNEL_DIED = "kernel_died"
    PROCESS_LIMIT = "process_limit"
    DIED_OUT_OF_MEMORY = "died_out_of_memory"
    GRADEBOOK_BUSY = "gradebook_busy"
    NOT_JSON = "not_json"
    NBGRADER_ERROR = "nbgrader_error"
    CLUSTER_DIED = "cluster_died"
    EXECUTOR_NOTE = "executor_note"  # the executor's own sentence (cxkit.grading.sandbox)
    # an outcome recorded by a cxkit that kept words only
    RECORDED = "recorded"


# What code in an answer cell rewires (Kind.REWIRING, "rewires") and what the sandbox
# refused (Kind.SANDBOX_REFUSED, "refused"), in words.
REWIRES = {
    "showtraceback": "replaces IPython's showtraceback",
    "excepthook": "replaces the exception handler",
    "checks": "rewires cxkit.checks",
    "modules": "replaces imported modules (sys.modules)",
    "builtins": "changes Python's builtins",
}
REFUSALS = {
    "write": "writing outside its work folder was refused",
    "network": "a network connection was refused (there is no network while grading)",
    "processes": "starting more processes was refused (the process limit)",
    "file_size": "a file over the size limit was refused",
}

# (for the facilitator, for the participant); fields are the fact's details, its
# cell, and the few words _fields derives from them.
WORDS: dict[Kind, tuple[str, str]] = {
    Kind.MISSING: (
        "{notebook} is missing from the submission{instead}",
        "We found no notebook named {notebook} in what you handed in{instead}.",
    ),
    Kind.EMPTY: (
        "{notebook} is empty ({bytes} bytes): ask for the saved file",
        "The {notebook} you handed in is empty: save it in JupyterLab and hand it in again.",
    ),
    Kind.NOT_A_NOTEBOOK: (
        "{notebook} is not a valid notebook ({error})",
        "The file is damaged (not a notebook JupyterLab can open).",
    ),
    Kind.OTHER_WORKSHOP: (
        "{notebook} is {what}, not {workshop}: none of its {count} cells are there",
        "The file you handed in as {notebook} is {what}: hand in the {workshop} notebook.",
    ),
    Kind.TESTS_DELETED: (
        "test cell(s) {ids} deleted in {notebook}: nbgrader restores nothing there, so those "
        "points need manual grading",
        "Some check cells were deleted, so your facilitator grades those by hand.",
    ),
    Kind.LOCKED_EDITED: (
        "tampering: locked cell(s) {ids} edited in {notebook} (nbgrader graded them from the "
        "original)",
        "Cells that are locked were changed; they were graded as originally written.",
    ),
    Kind.CELL_RETYPED: (
        "tampering: cell type changed in {notebook}: {changes}",
        "A cell's type was changed (code or text); it was graded as originally written.",
    ),
    Kind.GRADE_CELLS_ADDED: (
        "tampering: cell(s) {ids} added to {notebook} with grading marks: nbgrader refuses "
        "grade cells it does not know; remove their nbgrader metadata and grade again",
        "Cells you added claim to be graded; your facilitator will remove them and grade "
        "your notebook.",
    ),
    Kind.REWIRING: (
        "tampering: code in {place} of {notebook} {what}",
        "Your code changes how checks or errors work; ask your facilitator.",
    ),
    Kind.REORDERED: (
        "cells reordered in {notebook}: {moved} now comes before {expected} (nbgrader ran "
        "them in the submitted order)",
        "Cells were moved; they ran in your order, which can change the results.",
    ),
    Kind.LARGE_FILES: (
        "large file(s) handed in beside the notebook: {listed}; they were graded with it, "
        "check they belong there",
        "You handed in large files ({listed}) with your notebook: are they needed?",
    ),
    Kind.OUTPUT_CAPPED: (
        "output cut at {kb} KB in {cell}",
        "Your notebook printed too much in {cell}: we kept the first {kb} KB.",
    ),
    Kind.OUT_OF_TIME: (
        "ran out of time in {cell}: stopped after the {limit} s limit",
        "Your notebook ran out of time in {cell}: it was stopped after {limit} s. Look for a "
        "loop that never ends or a long wait.",
    ),
    Kind.OUT_OF_MEMORY: (
        "ran out of memory in {cell} (the limit is {mb} MB)",
        "Your notebook ran out of memory in {cell}.",
    ),
    Kind.SANDBOX_REFUSED: (
        "sandbox: {what} in {cell}",
        "Your notebook tried something grading does not allow in {cell}: {what}.",
    ),
    Kind.AWAITS_MANUAL: ("reflections await manual grading", ""),
    Kind.OUTSIDE_POLICY: (
        "{place} {what}, which no answer needs: {held}",
        "Your notebook holds code that no answer needs ({what}, in {place_lower}): your "
        "facilitator will look at it before the points of the checks after it count.",
    ),
    Kind.LOCKED_RUN_EDITED: (
        "tampering: locked cell(s) {ids} of {notebook} were edited and their marks removed, so "
        "they ran as edited: {held}",
        "Cells that are locked were changed; your facilitator will look at them before the "
        "points of the checks after them count.",
    ),
    Kind.CHECK_SILENT: (
        '{place}\'s check passed without printing its own result ("Correct: ..."): {held}',
        "The check of {place_lower} passed without saying so; your facilitator will look at it.",
    ),
    Kind.CHECK_INSTANT: (
        "{place}'s check passed in {ms:.2f} ms, faster than any check runs: {held}",
        "The check of {place_lower} passed oddly fast; your facilitator will look at it.",
    ),
    Kind.REVIEWED: (
        "{decision} by {by} on {at}: {effect}",
        "{advice}",
    ),
    Kind.OVER_BUDGET: (
        "took longer than the {budget:.0f} s budget per submission: it ran out of time in {cell}",
        "Your notebook ran out of time in {cell}: grading had to stop it. Look for a loop "
        "that never ends or a long wait.",
    ),
    Kind.STUCK: (
        "ran out of time in {cell}: it ran past the {limit} s limit and did not stop when "
        "interrupted",
        "Your notebook ran out of time in {cell}: grading had to stop it. Look for a loop "
        "that never ends or a long wait.",
    ),
    Kind.WORKER_DIED: ("the grading worker died while running {cell}", ""),
    Kind.KERNEL_DIED: (
        "the kernel died while running {cell} (os._exit, a crash or out of memory)",
        "",
    ),
    Kind.PROCESS_LIMIT: ("the sandbox stopped the kernel: {note}", ""),
    Kind.DIED_OUT_OF_MEMORY: ("the kernel died after {note}", ""),
    Kind.GRADEBOOK_BUSY: ("the gradebook was busy; run cxkit grade again", ""),
    Kind.NOT_JSON: ("not a valid notebook (broken JSON)", ""),
    Kind.NBGRADER_ERROR: ("nbgrader could not grade it: {last}", ""),
    Kind.CLUSTER_DIED: (
        "the Dask workers running it died each time ({error}); grade it on its own with "
        "--workers 1",
        "",
    ),
    Kind.EXECUTOR_NOTE: ("{note}", ""),
    Kind.RECORDED: ("{reason}", "{advice}"),
}

# The state a fact calls for; kinds not listed change nothing (a note beside a grade).
SEVERITY: dict[Kind, State] = {
    **dict.fromkeys(
        [Kind.MISSING, Kind.EMPTY, Kind.NOT_A_NOTEBOOK, Kind.OTHER_WORKSHOP],
        State.FAILED,
    ),
    Kind.GRADE_CELLS_ADDED: State.FAILED,
    **dict.fromkeys(
        [
            Kind.TESTS_DELETED,
            Kind.LOCKED_EDITED,
            Kind.CELL_RETYPED,
            Kind.REWIRING,
            Kind.REORDERED,
            Kind.LARGE_FILES,
            Kind.SANDBOX_REFUSED,
        ],
        State.NEEDS_ATTENTION,
    ),
}
# Facts that hold the points of the checks after them until a facilitator decides.
HOLDING = frozenset(
    {Kind.OUTSIDE_POLICY, Kind.LOCKED_RUN_EDITED, Kind.CHECK_SILENT, Kind.CHECK_INSTANT}
)
SEVERITY.update(dict.fromkeys(HOLDING, State.NEEDS_ATTENTION))
_RANK = {State.GRADED: 0, State.NEEDS_ATTENTION: 1, State.FAILED: 2}

# What went wrong while the submission ran: an outcome with one of these is failed,
# and its reason tells only these.
RUNNING = frozenset(
    {
        Kind.OVER_BUDGET,
        Kind.STUCK,
        Kind.WORKER_DIED,
        Kind.KERNEL_DIED,
        Kind.PROCESS_LIMIT,
        Kind.DIED_OUT_OF_MEMORY,
        Kind.GRADEBOOK_BUSY,
        Kind.NOT_JSON,
        Kind.NBGRADER_ERROR,
        Kind.CLUSTER_DIED,
        Kind.EXECUTOR_NOTE,
    }
)


@dataclass
class Fact:
    """One thing that happened to a submission: its kind, the cell, and its numbers.

    ``cell`` is where it happened, as :func:`cxkit.course.cells.where` names it
    (``"the cell after 'Exercise 1'"``; empty when nobody knows). ``details``
    hold the rest as plain JSON values: grade ids, limits, file names.
    """

    kind: Kind
    cell: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> State:
        """The state this fact calls for (``graded``: it changes nothing)."""
        return SEVERITY.get(self.kind, State.GRADED)

    @property
    def text(self) -> str:
        """What happened, for the facilitator."""
        return WORDS[self.kind][0].format(**_fields(self))

    @property
    def advice(self) -> str:
        """What happened, for the participant ("" when there is nothing to say)."""
        return WORDS[self.kind][1].format(**_fields(self))

    def as_dict(self) -> dict[str, Any]:
        """The fact as JSON values, as ``.cxkit/grading.json`` keeps it."""
        cell = {"cell": self.cell} if self.cell else {}
        return {"kind": self.kind.value, **cell, **self.details}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Fact:
        """The fact :meth:`as_dict` wrote (ValueError for a kind this cxkit does not know)."""
        rest = dict(values)
        kind = Kind(rest.pop("kind"))
        return cls(kind, str(rest.pop("cell", "")), rest)


def _fields(fact: Fact) -> dict[str, Any]:
    """The fact's details and cell, with the words a few kinds derive from them."""
    d = dict(fact.details)
    d["cell"] = fact.cell or ("it" if fact.kind is Kind.KERNEL_DIED else "a cell")
    if "cells" in d:
        d["ids"] = ", ".join(d["cells"])
    if "instead" in d:
        others = d["instead"]
        d["instead"] = f"; it holds {', '.join(others)} instead: rename it" if others else ""
    if "changes" in d:
        d["changes"] = ", ".join(f"{g} from {a} to {b}" for g, a, b in d["changes"])
    if "files" in d:
        d["listed"] = ", ".join(f"{name} ({mb:.0f} MB)" for name, mb in d["files"])
    if fact.kind is Kind.OTHER_WORKSHOP:
        other = d.get("other")
        d["what"] = f"the notebook of workshop {other}" if other else "not this workshop's notebook"
    elif fact.kind is Kind.REWIRING:
        d["what"] = REWIRES[d["rewires"]]
        d["place"] = f"cell {d['grade_id']}" if d.get("grade_id") else "an added cell"
    elif fact.kind is Kind.SANDBOX_REFUSED:
        d["what"] = REFUSALS[d["refused"]]
    if fact.kind in HOLDING:
        d["place"] = _place(d)
        d["place_lower"] = d["place"][0].lower() + d["place"][1:]
        d["what"] = (
            " and ".join(d.get("what", []))
            if isinstance(d.get("what"), list)
            else d.get("what", "")
        )
        d["held"] = (
            f"{d['points']:g} points from there on are held until you run cxkit accept or "
            "cxkit reject"
            if d.get("points")
            else "no check from there on scored, so no points are held"
        )
    if fact.kind is Kind.REVIEWED:
        points = d.get("points", 0)
        if d["decision"] == "accepted":
            d["effect"] = f"the {points:g} held points count"
            d["advice"] = "Your facilitator looked at your notebook: every point counts."
        else:
            d["effect"] = f"the {points:g} held points are not counted"
            d["advice"] = (
                f"Your facilitator looked at your notebook: {points:g} points of checks that ran "
                "after code no answer needs are not counted."
            )
    return d


def _place(details: dict[str, Any]) -> str:
    """'Exercise 2's cell', 'A cell added after Exercise 2', or 'Cell setup' for a fact."""
    label, gid = details.get("label", ""), details.get("grade_id", "")
    if details.get("grade"):
        return label or f"Cell {gid}"
    if gid:
        return f"{label}'s cell" if label else f"Cell {gid}"
    return f"A cell added after {label}" if label else "A cell added at the top"


def worst(facts: list[Fact]) -> State:
    """The state the facts call for together: the most serious of them."""
    return max((f.severity for f in facts), key=_RANK.__getitem__, default=State.GRADED)


@dataclass
class Outcome:
    """What happened to one participant's submission: its state, the facts and the score."""

    participant: str
    state: State
    facts: list[Fact] = field(default_factory=list)
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0  # executing it: kernel start, the cells, kernel stop
    cell_seconds: float = 0.0  # of which the participant's cells themselves
    checksum: str = ""
    graded_at: str = ""
    # the grade cells whose points are held: notebook, grade_id, score (what the check
    # gave, not counted until accepted) and points (the cell's most)
    held: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.state = State(self.state)  # "failed" given as a plain string is State.FAILED

    @property
    def held_points(self) -> float:
        """Points the checks gave that are held: not counted until a facilitator accepts them."""
        if self.decision:
            return 0.0
        return float(sum(h["score"] for h in self.held))

    @property
    def decision(self) -> str:
        """'accepted' or 'rejected' once a facilitator decided on held points, else ""."""
        reviewed = [f for f in self.facts if f.kind is Kind.REVIEWED]
        return str(reviewed[-1].details["decision"]) if reviewed else ""

    @property
    def running(self) -> list[Fact]:
        """What went wrong while it ran (empty unless it failed there)."""
        return [f for f in self.facts if f.kind in RUNNING]

    @property
    def reason(self) -> str:
        """The facts in words, for the facilitator: what running it hit, or all of them."""
        shown = self.running if self.state is State.FAILED and self.running else self.facts
        return "; ".join(text for text in (f.text for f in shown) if text)

    @property
    def advice(self) -> str:
        """The facts in words, for the participant.

        A submission that failed while it ran gets the advice of what stopped it,
        else what was found in the files handed in, else the reason itself.
        """
        if self.state is State.FAILED and self.running:
            stopped = [f.advice for f in self.running if f.advice]
            found = [f.advice for f in self.facts if f.kind not in RUNNING and f.advice]
            return (stopped[:1] or [" ".join(found)])[0] or f"We could not grade it: {self.reason}."
        return " ".join(advice for advice in (f.advice for f in self.facts) if advice)

    def as_dict(self) -> dict[str, Any]:
        """The record in ``.cxkit/grading.json``: the words as shown, then the facts."""
        return {
            "participant": self.participant,
            "state": self.state.value,
            "reason": self.reason,
            "score": self.score,
            "max_score": self.max_score,
            "seconds": self.seconds,
            "cell_seconds": self.cell_seconds,
            "checksum": self.checksum,
            "graded_at": self.graded_at,
            "advice": self.advice,
            "facts": [f.as_dict() for f in self.facts],
            "held": self.held,
            "held_points": self.held_points,
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Outcome:
        """An outcome as :meth:`as_dict` (or a cxkit that kept only words) recorded it."""
        try:
            facts = [Fact.from_dict(f) for f in values["facts"]]
        except (KeyError, ValueError):  # words only, or a kind a newer cxkit knows
            words = {"reason": values.get("reason", ""), "advice": values.get("advice", "")}
            facts = [Fact(Kind.RECORDED, details=words)] if any(words.values()) else []
        return cls(
            participant=values["participant"],
            state=State(values["state"]),
            facts=facts,
            score=values.get("score"),
            max_score=values.get("max_score"),
            seconds=values.get("seconds", 0.0),
            cell_seconds=values.get("cell_seconds", 0.0),
            checksum=values.get("checksum", ""),
            graded_at=values.get("graded_at", ""),
            held=list(values.get("held", [])),
        )


class Job(TypedDict):
    """One submission as an executor gets it (:func:`cxkit.grading.execute.build_job`)."""

    workshop: str
    participant: str
    notebooks: dict[str, str]  # notebook name -> sanitized notebook, as JSON
    files: dict[str, bytes]  # the submission's other files, by relative path
    handed_in: dict[str, str]  # notebook name -> digest of its cells as handed in


class ExecutorSettings(TypedDict):
    """What an executor knows of the course (:func:`cxkit.grading.settings.executor_settings`)."""

    course_root: str  # hidden from the kernel, as is the gradebook
    db_url: str
    sandbox: bool
    cell_timeout: int
    limits: dict[str, int]  # fields of cxkit.grading.sandbox.Limits
    budget: NotRequired[float]  # on a Dask worker, the job keeps its own time budget
    warm: NotRequired[bool]  # fork kernels from a warm template where possible
    figures: NotRequired[bool]  # draw charts (the default); False: a line naming each
    progress_dir: NotRequired[str]  # local workers note where each kernel is, there
    progress: NotRequired[str]


class Result(TypedDict, total=False):
    """What comes back for one submission (:func:`cxkit.grading.execute.run_job`).

    ``stopped`` is never sent by an executor: the runner that had to stop a job
    (:mod:`cxkit.grading.local`, :mod:`cxkit.grading.distributed`) says why.
    """

    participant: str
    success: bool
    notebooks: dict[str, str]  # notebook name -> executed notebook, as JSON
    cell_seconds: float
    seconds: float
    kernel_cpu: float  # CPU seconds its kernels used (known where they are forked warm)
    executor_cpu: float  # CPU seconds the executor's own process used on it
    error: str  # "ExceptionName: message", when running it failed
    log: str
    where: str  # the cell the kernel was in last
    facts: list[str]  # what the executor noted there, in its words
    failure: str  # the executor's words when its own time budget stopped the job
    stopped: list[Fact]


# The executor's notes that say how a kernel died (cxkit.grading.sandbox's words).
MEMORY_NOTE = "it ran out of memory"
PROCESS_NOTE = "it hit the process limit"

# Signs in an executor's error and log, as (text, the kind of fact it means).
_SIGNS = [
    ("Kernel died", Kind.KERNEL_DIED),
    ("DeadKernelError", Kind.KERNEL_DIED),
    ("CellTimeoutError", Kind.STUCK),
    ("Timeout", Kind.STUCK),
    ("database is locked", Kind.GRADEBOOK_BUSY),
    ("NotJSONError", Kind.NOT_JSON),
]


def running_facts(result: Result, cell_timeout: int) -> list[Fact]:
    """Why a submission could not be graded, from what came back for it.

    The runner's own facts first (the budget, a dead worker); else how the
    executor saw its kernel die; else the sign in its error and log (nbclient's
    and nbgrader's exceptions), followed by the executor's notes.
    """
    if result.get("stopped"):
        return list(result["stopped"])
    if result.get("failure"):
        return [Fact(Kind.EXECUTOR_NOTE, details={"note": result["failure"]})]
    notes = result.get("facts", [])
    forks = [n for n in notes if n.startswith(PROCESS_NOTE)]
    memory = [n for n in notes if n.startswith(MEMORY_NOTE)]
    if forks:
        return [Fact(Kind.PROCESS_LIMIT, details={"note": forks[0]})]
    if memory:  # where it then died is chance
        return [Fact(Kind.DIED_OUT_OF_MEMORY, details={"note": memory[0]})]
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    where = result.get("where") or ""
    kind = next((kind for sign, kind in _SIGNS if sign in text), None)
    if kind is Kind.STUCK:
        first = Fact(kind, where, {"limit": cell_timeout})
    elif kind is not None:
        first = Fact(kind, where if kind is Kind.KERNEL_DIED else "")
    else:
        lines = [line for line in text.strip().splitlines() if line.strip()]
        last = lines[-1][:200] if lines else "no details"
        first = Fact(Kind.NBGRADER_ERROR, details={"last": last})
    return [first, *(Fact(Kind.EXECUTOR_NOTE, details={"note": n}) for n in notes)]
