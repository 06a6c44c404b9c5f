"""Reading nbgrader cells: what participants see of a test cell, and what stays hidden."""

from __future__ import annotations

import re
from typing import Any

ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ARROW = re.compile(r"^-*>\s*\d*\s?(.*)$")


def split_hidden(source: str) -> tuple[str, list[str]]:
    """Split a cell's source into what participants see and its hidden-test lines.

    Examples
    --------
    >>> split_hidden("assert a\\n### BEGIN HIDDEN TESTS\\nassert b\\n### END HIDDEN TESTS")
    ('assert a', ['assert b'])
    """
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        if "### BEGIN HIDDEN TESTS" in line:
            inside = True
        elif "### END HIDDEN TESTS" in line:
            inside = False
        elif inside:
            if line.strip():
                hidden.append(line.strip())
        else:
            visible.append(line.rstrip())
    return "\n".join(visible).strip(), hidden


HIDDEN_FAILED = "A hidden check did not pass. Re-read the question: what else must be true?"


def error_message(output: dict[str, Any], hidden: list[str]) -> str:
    """One line for an error output that never quotes a hidden test.

    The hint of a failed visible check is kept. When the failing line (the one
    IPython marks with an arrow) is a hidden test, or the message quotes one,
    a neutral sentence replaces it.

    Examples
    --------
    >>> out = {"ename": "AssertionError", "evalue": "", "traceback": ["----> 3 assert b"]}
    >>> error_message(out, ["assert b"]) == HIDDEN_FAILED
    True
    >>> error_message({"ename": "CheckFailed", "evalue": "multiply by 100"}, ["assert b"])
    'CheckFailed: multiply by 100'
    """
    text = ANSI.sub("", f"{output.get('ename', 'Error')}: {output.get('evalue', '')}").strip()
    failing = []
    for frame in output.get("traceback", []):
        for line in ANSI.sub("", frame).splitlines():
            match = _ARROW.match(line.strip())
            if match:
                failing.append(match.group(1).strip())
    if any(s in text for s in hidden) or any(line in hidden for line in failing):
        return HIDDEN_FAILED
    if text.endswith(":"):  # a bare assert in a visible test: nothing to show but the name
        return f"{text[:-1]}: this check did not pass. Compare your answer with the question."
    return text.splitlines()[0]


def heading(cell: Any) -> str:
    """A markdown cell's first heading, without its #s ("" if it has none)."""
    for line in cell.get("source", "").splitlines():
        if line.lstrip().startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def where(cells: list[Any], index: int) -> str:
    """'the cell after 'Exercise 3'': the nearest heading above cell ``index``."""
    for cell in reversed(cells[: index + 1]):
        if cell.get("cell_type") == "markdown" and heading(cell):
            return f"the cell after '{heading(cell)}'"
    return "the first cells"
