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

A department with more than one workshop keeps one bank: the file's
``workshop`` and ``title`` name the first, ``more_workshops`` the others (each
workshop's name and its title), and a question on another workshop says which
(``workshop = "10-refunds-revenue"``). A refresher asks about one workshop at a
time, the first unless another is named.

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
OPTIONAL = ("points", "options", "vary", "workshop")


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
    """A department's questions on one workshop, and every workshop its file covers."""

    department: str
    workshop: str
    title: str
    questions: tuple[Question, ...]
    path: Path
    workshops: tuple[str, ...] = ()  # every workshop the file names, its first first


def banks() -> list[str]:
    """The departments that have a bank of refresher questions.

    Examples
    --------
    >>> "accounting" in banks()
    True
    """
    return sorted(p.stem for p in BANKS.glob("*.toml"))


def load_bank(department: str, folder: Path = BANKS, workshop: str | None = None) -> Bank:
    """Read and check a department's bank, and keep its questions on one workshop.

    ``workshop``: the workshop the questions refresh, by name or number (``"10"``);
    by default the first the file names (its ``workshop``).

    Raises
    ------
    CxkitError
        For a department without a bank (with the departments that have one), a
        workshop the bank has no questions on (with the ones it has), a file that
        is not TOML, or a question missing a field, naming a table or workshop
        cxkit does not know, a check that does not exist or code that is not Python.

    Examples
    --------
    >>> load_bank("accounting").workshop
    '01-accounting-finance'
    >>> load_bank("accounting", workshop="10-refunds-revenue").questions[0].tables
    ('refunds',)
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
    titles = {str(raw["workshop"]): str(raw["title"])}
    more = raw.get("more_workshops", {})
    if not isinstance(more, dict) or not all(isinstance(t, str) for t in more.values()):
        raise CxkitError(
            f"The refresher bank {path}: more_workshops names each other workshop and its "
            'title, like more_workshops = { "10-refunds-revenue" = "Money back" }.'
        )
    titles.update(more)
    every = list(enumerate(raw["questions"], start=1))
    for number, question in every:
        on = question.get("workshop", raw["workshop"])
        if on not in titles:
            raise CxkitError(
                f"Question {number} ({question.get('id', 'no id')}) of the refresher bank "
                f'{path} is on workshop "{on}", which the bank does not name.'
                f"{close_match(str(on), list(titles))} Add it to more_workshops."
            )
    checked = [(q.get("workshop", raw["workshop"]), _question(path, n, q)) for n, q in every]
    ids = [question.id for _, question in checked]
    if len(set(ids)) < len(ids):
        raise CxkitError(f"The refresher bank {path} uses a question id twice: {', '.join(ids)}.")
    chosen = str(raw["workshop"]) if workshop is None else workshop
    numbered = [w for w in titles if w.split("-")[0] == chosen]  # "10" for "10-refunds-revenue"
    if chosen not in titles and len(numbered) == 1:
        chosen = numbered[0]
    if chosen not in titles:
        raise CxkitError(
            f'The {department} refresher bank has no questions on workshop "{chosen}".'
            f"{close_match(chosen, list(titles))} It has questions on: {', '.join(titles)}."
        )
    questions = tuple(question for on, question in checked if on == chosen)
    if len(questions) < QUESTIONS[0]:
        raise CxkitError(
            f"The refresher bank {path} has {len(questions)} questions on {chosen}; a "
            f"refresher asks at least {QUESTIONS[0]}."
        )
    return Bank(department, chosen, titles[chosen], questions, path, tuple(titles))


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
