"""How ``cxkit grade`` runs: workers, time limits, the sandbox, as nbgrader-style settings.

Each setting is a documented trait of :class:`Grading`, read from the course's
``nbgrader_config.py`` like nbgrader's own::

    c.Grading.budget = 240
    c.Grading.memory_mb = 4096

and set for one run on the command line, which wins over the file::

    cxkit grade 00 --Grading.budget=240      (or --budget 240)

What answer cells may import and call (:mod:`cxkit.grading.policy`) is set the
same way: ``c.Grading.allowed_imports = [...]``, ``c.Grading.allowed_calls = [...]``,
or ``--Grading.allowed_imports=pandas,numpy,scipy`` for one run.

``cxkit grade --help`` lists them all. A name that is not a setting, or a value
of the wrong kind, stops grading before it starts, with a :class:`CxkitError`
that names the setting, the value and the fix.

>>> settings = Grading(budget=240)
>>> settings.budget, settings.limits().memory_mb
(240.0, 2048)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from traitlets import Bool, Float, Integer, List, TraitError, TraitType, Unicode, validate
from traitlets.config import Configurable

from cxkit.course.directory import Course, nbgrader_config
from cxkit.errors import CxkitError, close_match
from cxkit.grading.outcomes import ExecutorSettings, Limits
from cxkit.grading.policy import DEFAULT_IMPORTS, REFUSED_CALLS

# One more worker than cores: between cells each kernel waits for its worker and the
# worker for it, and a third worker on two cores fills those waits (100 submissions of
# workshop 00: 71-77 s with 3 workers against 84-85 s with 2, on a 2-core machine).
DEFAULT_WORKERS = min(8, (os.cpu_count() or 1) + 1)

# The sandbox's limits by default (cxkit.grading.outcomes.Limits, light to import, so that
# `cxkit --help` need not import the sandbox and nbgrader)
LIMITS = asdict(Limits())


class Grading(Configurable):
    """How ``cxkit grade`` runs participants' notebooks."""

    workers = Integer(
        DEFAULT_WORKERS,
        help="Notebooks graded at once on this machine (default: one more than its cores, "
        "at most 8). Ignored with --scheduler: the Dask cluster has its own workers.",
    ).tag(config=True, expect="a whole number of at least 1")
    cell_timeout = Integer(
        30,
        help="Seconds one cell may run before it is interrupted (nbgrader's Execute.timeout).",
    ).tag(config=True, expect="a whole number of seconds, at least 1")
    budget = Float(
        180.0,
        help="Seconds one submission may take in all before it is stopped and recorded as "
        "failed (an infinite loop that ignores interrupts).",
    ).tag(config=True, expect="a number of seconds above 0")
    sandbox = Bool(
        True,
        help="Run participants' code isolated (no network, the course folder hidden). False "
        "is for debugging only: the resource limits still apply.",
    ).tag(config=True, expect="True or False")
    figures = Bool(
        True,
        help="Draw the charts participants' notebooks make, so that their feedback shows them. "
        "False grades faster (drawing is most of a kernel's work in a workshop with charts): "
        "the same scores, and each chart shows in feedback as one line naming it.",
    ).tag(config=True, expect="True or False")
    memory_mb = Integer(
        LIMITS["memory_mb"], help="Memory (address space) of each process of a kernel, in MB."
    ).tag(config=True, expect="a whole number of MB, at least 1")
    cpu_seconds = Integer(
        LIMITS["cpu_seconds"], help="CPU seconds each process of a kernel may use."
    ).tag(config=True, expect="a whole number of seconds, at least 1")
    processes = Integer(
        LIMITS["processes"], help="Processes and threads one kernel may run at once."
    ).tag(config=True, expect="a whole number of at least 1")
    file_mb = Integer(LIMITS["file_mb"], help="Size of any file a kernel writes, in MB.").tag(
        config=True, expect="a whole number of MB, at least 1"
    )
    tmp_mb = Integer(LIMITS["tmp_mb"], help="Size of a kernel's private /tmp, in MB.").tag(
        config=True, expect="a whole number of MB, at least 1"
    )
    output_cell_kb = Integer(
        LIMITS["output_cell_kb"], help="Output kept per cell, in KB; the rest is cut."
    ).tag(config=True, expect="a whole number of KB, at least 1")
    output_notebook_kb = Integer(
        LIMITS["output_notebook_kb"], help="Output kept per notebook, in KB; the rest is cut."
    ).tag(config=True, expect="a whole number of KB, at least 1")

    allowed_imports = List(
        Unicode(),
        list(DEFAULT_IMPORTS),
        help="Modules answer cells may import (a package allows its parts). A cell importing "
        "anything else holds the points of the checks after it until you accept or reject it. "
        "A course widens it by listing these and its own, e.g. 'scipy'. Default: "
        + ", ".join(DEFAULT_IMPORTS)
        + ".",
    ).tag(config=True, expect="a list of module names, e.g. ['pandas', 'numpy']")
    allowed_calls = List(
        Unicode(),
        [],
        help="Of the calls no workshop answer needs (" + ", ".join(REFUSED_CALLS) + "), the "
        "ones this course's answers may use. Default: none.",
    ).tag(config=True, expect="a list of names among " + ", ".join(REFUSED_CALLS))

    @validate("allowed_calls")
    def _known_calls(self, proposal: Any) -> Any:
        unknown = [name for name in proposal["value"] if name not in REFUSED_CALLS]
        if unknown:
            raise TraitError(f"{', '.join(unknown)} is not refused, so need not be allowed")
        return proposal["value"]

    @validate("allowed_imports")
    def _module_names(self, proposal: Any) -> Any:
        wrong = [n for n in proposal["value"] if not all(p.isidentifier() for p in n.split("."))]
        if wrong:
            raise TraitError(f"{', '.join(map(repr, wrong))} is not a module name")
        return proposal["value"]

    @validate(
        "workers",
        "cell_timeout",
        "memory_mb",
        "cpu_seconds",
        "processes",
        "file_mb",
        "tmp_mb",
        "output_cell_kb",
        "output_notebook_kb",
    )
    def _at_least_one(self, proposal: Any) -> Any:
        if proposal["value"] < 1:
            raise TraitError(f"{proposal['value']} is less than 1")
        return proposal["value"]

    @validate("budget")
    def _above_zero(self, proposal: Any) -> Any:
        if proposal["value"] <= 0:
            raise TraitError(f"{proposal['value']} is not above 0")
        return proposal["value"]

    def limits(self) -> Limits:
        """The sandbox limits these settings give each kernel."""
        return Limits(**{name: getattr(self, name) for name in LIMITS})


def names() -> list[str]:
    """Every setting of :class:`Grading`, in alphabetical order (as ``--help`` lists them)."""
    return list(Grading.class_traits(config=True))


def trait(name: str) -> TraitType[Any, Any]:
    """The trait of setting ``name`` (its help, default and kind of value)."""
    return Grading.class_traits(config=True)[name]


def metavar(name: str) -> str:
    """How ``--help`` writes a value of setting ``name``: N, X (a number), True|False or NAMES."""
    setting = trait(name)
    if isinstance(setting, List):
        return "NAMES"
    return "True|False" if isinstance(setting, Bool) else "X" if isinstance(setting, Float) else "N"


def _unknown(name: str, where: str) -> CxkitError:
    return CxkitError(
        f"{where} names {name!r}, which is not a grading setting.{close_match(name, names())} "
        f"The settings are: {', '.join(names())} (cxkit grade --help explains each)."
    )


def _invalid(name: str, value: Any, where: str, why: str = "") -> CxkitError:
    expect, default = trait(name).metadata.get("expect", "another value"), trait(name).default()
    return CxkitError(
        f"The grading setting {name} = {value!r} ({where}) is not valid"
        + (f": {why}. " if why else ". ")
        + f"It takes {expect}, e.g. --Grading.{name}={default} on the command line or "
        f"c.Grading.{name} = {default!r} in nbgrader_config.py."
    )


def _set(settings: Grading, name: str, value: Any, where: str) -> None:
    if name not in names():
        raise _unknown(name, where)
    try:
        setattr(settings, name, value)
    except TraitError as err:
        raise _invalid(name, value, where, str(err).rstrip(".")) from None


def from_text(name: str, text: str, where: str = "on the command line") -> Any:
    """A setting's value from the text given on the command line (``"240"`` -> 240.0).

    A list is written with commas: ``--Grading.allowed_imports=pandas,numpy,scipy``.
    """
    if name not in names():
        raise _unknown(name, where)
    if isinstance(trait(name), List):
        return [part.strip() for part in text.split(",") if part.strip()]
    try:
        return trait(name).from_string(text)
    except (ValueError, TraitError):  # their words are Python's ("invalid literal for int()")
        raise _invalid(name, text, where) from None


def grading_settings(
    course: Course | Path,
    overrides: Mapping[str, Any] | None = None,
    where: str = "given to grade()",
) -> Grading:
    """The course's grading settings: defaults, then ``nbgrader_config.py``, then ``overrides``.

    ``overrides`` (setting name -> value; None: not given) come from the command
    line or from Python, and win over the file; ``where`` says which, in errors.

    Raises
    ------
    CxkitError
        For a name that is not a setting, or a value of the wrong kind or range,
        naming it, where it was given, and what to give instead.
    """
    root = course.root if isinstance(course, Course) else Path(course)
    settings = Grading()
    given = nbgrader_config(root).get("Grading", {})
    for name, value in given.items():
        _set(settings, name, value, f"c.Grading.{name} in {root / 'nbgrader_config.py'}")
    return override(settings, overrides or {}, where)


def override(settings: Grading, overrides: Mapping[str, Any], where: str) -> Grading:
    """``settings`` with ``overrides`` set (None: not given), each checked as it is set."""
    for name, value in overrides.items():
        if value is not None:
            _set(settings, name, value, where)
    return settings


def executor_settings(
    course: Course, cell_timeout: int, sandbox: bool, limits: dict[str, int] | None
) -> ExecutorSettings:
    """What an executor needs to know of the course: what to hide, and the limits."""
    return {
        "course_root": str(course.root),
        "db_url": course.gradebook_url,
        "sandbox": sandbox,
        "cell_timeout": cell_timeout,
        "limits": limits or {},
    }


def for_executor(course: Course, settings: Grading) -> ExecutorSettings:
    """:func:`executor_settings` from a course's :class:`Grading` settings.

    Only limits that differ from :class:`~cxkit.grading.sandbox.Limits`' defaults
    travel: an executor takes the defaults from its own copy of cxkit.
    """
    changed = {k: getattr(settings, k) for k in LIMITS if getattr(settings, k) != LIMITS[k]}
    found = executor_settings(course, settings.cell_timeout, settings.sandbox, changed)
    if not settings.figures:
        found["figures"] = False
    return found
