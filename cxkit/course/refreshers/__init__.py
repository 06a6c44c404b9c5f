"""The banks of refresher questions, one TOML file per department, and how they are read.

Each department has a bank of questions on its workshop (``<department>.toml``
in this folder). A question names the tables it reads, the text participants
see, the ``reference``: the cxkit expression that computes the right answer from
the data, the ``check`` from :mod:`cxkit.checks` that grades it, and an
``explorer`` (:func:`cxkit.look_up`) from which a participant who does not code
reads the answer and types it. ``vary`` gives a question's options (a letter, a
warehouse, a team); one is drawn each time, so the same bank asks something new.
``read`` says how a person reads the answer off the explorer: the ``settings``
that show it, or the control to ``compare`` and which option to ``pick``
(``highest`` or ``lowest``); the tests drive the explorer with it::

    [[questions]]
    id = "days_late"
    title = "Days late after the $letter letter"
    tables = ["invoices"]
    answer = "median_days_late"
    vary = { letter = ["friendly", "standard", "final_demand"] }
    text = "The median days late of the invoices that got the $letter letter."
    reference = 'cxkit.days_to_pay(invoices[...], issued="due_date").median()'
    check = "number"
    explorer = 'cxkit.look_up(lambda letter: ..., letter=["friendly", ...], decimals=2)'
    read = { settings = { letter = "$letter" } }

Making a refresher from a bank is :mod:`cxkit.course.refresher`.
"""

from __future__ import annotations

import ast
import json
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxkit.errors import CxkitError, close_match

BANKS = Path(__file__).parent
QUESTIONS = (3, 5)  # a refresher asks at least 3 and at most 5 questions
REQUIRED = ("id", "title", "tables", "answer", "text", "reference", "check", "explorer", "read")
OPTIONAL = ("points", "options", "vary")


@dataclass(frozen=True)
class Question:
    """One question of a bank, its ``$name`` placeholders not yet filled in."""

    id: str
    title: str
    tables: tuple[str, ...]
    answer: str
    text: str
    reference: str
    check: str
    explorer: str
    read: dict[str, Any]
    points: int = 1
    options: dict[str, str] = field(default_factory=dict)
    vary: dict[str, list[str]] = field(default_factory=dict)

    def filled(self, chosen: dict[str, str]) -> Question:
        """The question with each ``$name`` replaced by the option chosen for it."""

        def fill(text: str) -> str:
            return string.Template(text).safe_substitute(chosen)

        return Question(
            self.id,
            fill(self.title),
            self.tables,
            self.answer,
            fill(self.text),
            fill(self.reference),
            self.check,
            self.explorer,
            json.loads(fill(json.dumps(self.read))),
            self.points,
            {k: fill(v) for k, v in self.options.items()},
            {},
        )

    def check_call(self) -> str:
        """The grade cell's call: ``checks.share(answer, expected, name="answer", ...)``."""
        extra = "".join(f", {key}={value}" for key, value in self.options.items())
        return f'checks.{self.check}({self.answer}, expected, name="{self.answer}"{extra})'


@dataclass(frozen=True)
class Bank:
    """A department's questions, and the workshop they refresh."""

    department: str
    workshop: str
    title: str
    questions: tuple[Question, ...]
    path: Path


def banks() -> list[str]:
    """The departments that have a bank of refresher questions.

    Examples
    --------
    >>> "accounting" in banks()
    True
    """
    return sorted(p.stem for p in BANKS.glob("*.toml"))


def load_bank(department: str, folder: Path = BANKS) -> Bank:
    """Read and check a department's bank of questions.

    Raises
    ------
    CxkitError
        For a department without a bank (with the departments that have one), a
        file that is not TOML, or a question missing a field, naming a table
        cxkit does not know, a check that does not exist or code that is not Python.
    """
    path = folder / f"{department}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in folder.glob("*.toml"))
        raise CxkitError(
            f'There is no refresher bank for the department "{department}".'
            f"{close_match(department, known)} Departments with one: {', '.join(known)}."
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise CxkitError(f"The refresher bank {path} is not valid TOML: {err}.") from None
    for key in ("workshop", "title", "questions"):
        if key not in raw:
            raise CxkitError(f'The refresher bank {path} has no "{key}".')
    questions = tuple(_question(path, n, q) for n, q in enumerate(raw["questions"], start=1))
    ids = [q.id for q in questions]
    if len(set(ids)) < len(ids):
        raise CxkitError(f"The refresher bank {path} uses a question id twice: {', '.join(ids)}.")
    if len(questions) < QUESTIONS[0]:
        raise CxkitError(
            f"The refresher bank {path} has {len(questions)} questions; a refresher asks at "
            f"least {QUESTIONS[0]}."
        )
    return Bank(department, str(raw["workshop"]), str(raw["title"]), questions, path)


def _question(path: Path, number: int, raw: dict[str, Any]) -> Question:
    where = f"Question {number} ({raw.get('id', 'no id')}) of the refresher bank {path}"
    missing = [key for key in REQUIRED if key not in raw]
    unknown = [key for key in raw if key not in REQUIRED + OPTIONAL]
    if missing or unknown:
        raise CxkitError(
            f"{where}: "
            + "; ".join(
                ([f"missing {', '.join(missing)}"] if missing else [])
                + ([f"unknown {', '.join(unknown)}"] if unknown else [])
            )
            + f". A question has {', '.join(REQUIRED)} and may have {', '.join(OPTIONAL)}."
        )
    question = Question(
        **{k: raw[k] for k in REQUIRED if k != "tables"},
        tables=tuple(raw["tables"]),
        points=int(raw.get("points", 1)),
        options={k: str(v) for k, v in raw.get("options", {}).items()},
        vary={k: [str(o) for o in v] for k, v in raw.get("vary", {}).items()},
    )
    _check_question(question, where)
    return question


def _check_question(question: Question, where: str) -> None:
    from cxkit import checks
    from cxkit.data import tables

    if not question.answer.isidentifier() or not question.id.isidentifier():
        raise CxkitError(f"{where}: id and answer must be Python names, like my_dispute_rate.")
    unknown = [t for t in question.tables if t not in tables()]
    if unknown:
        raise CxkitError(f"{where}: no table {unknown[0]!r}.{close_match(unknown[0], tables())}")
    if not callable(getattr(checks, question.check, None)) or question.check.startswith("_"):
        raise CxkitError(f"{where}: cxkit.checks has no check {question.check!r}.")
    if any(not options for options in question.vary.values()):
        raise CxkitError(f"{where}: every entry of vary needs at least one option.")
    sample = {name: options[0] for name, options in question.vary.items()}
    filled = question.filled(sample)
    for label, code in [
        ("reference", filled.reference),
        ("explorer", filled.explorer),
        *((f"option {k}", v) for k, v in filled.options.items()),
    ]:
        try:
            ast.parse(code, mode="eval")
        except SyntaxError as err:
            raise CxkitError(
                f"{where}: its {label} is not a Python expression ({err.msg})."
            ) from None
    if "$" in filled.text + filled.reference:
        raise CxkitError(f"{where}: a $name in its text or reference is not in vary.")
    if "settings" not in question.read and "compare" not in question.read:
        raise CxkitError(
            f"{where}: read needs settings (the explorer's setting that shows the answer) "
            "or compare and pick (the control whose options a participant compares)."
        )
