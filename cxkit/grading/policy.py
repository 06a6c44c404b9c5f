"""What an answer cell may contain, decided in the grading process before anything runs.

Checks run in the participant's kernel, after the participant's code, so that
code could change what they do. The first wall is therefore here: every cell
a participant can edit or add is read as Python (IPython's ``%`` and ``!``
lines first turned into Python by IPython's own :class:`TransformerManager`,
as the kernel does) and walked, and whatever no workshop answer needs is
pointed out, with the cell and the construct in a facilitator's words:

- imports outside the course's list (:data:`DEFAULT_IMPORTS`, widened with
  ``c.Grading.allowed_imports``);
- IPython's and Python's machinery: ``get_ipython``, ``exec``, ``eval``,
  ``compile``, ``__import__``, ``globals``, ``vars``, ``getattr``, ``setattr``
  ... (:data:`REFUSED_CALLS`, a course may allow some with
  ``c.Grading.allowed_calls``), IPython's history names (``In``, ``Out``,
  ``_ih`` ...), hidden (``__x__``) and private (``_x``) attributes;
- class definitions, ``global`` and ``nonlocal``, ``%`` and ``!`` commands;
- setting an attribute of anything (``checks.nps = ...``), except the few a
  table's own labels need (:data:`SETTABLE`);
- rebinding, or changing in place, a name the checks read that a locked cell
  set (``checks``, ``cxkit``, ``scores`` ...).

A cell is trusted, and not read, only when it is a locked or graded cell of
the source whose text is exactly the source's: nbgrader then runs the source's
own copy. What the policy cannot see (an object that only misbehaves when
called by a check, say) the checks and the clean state before each check
meet (:mod:`cxkit.checks`, :mod:`cxkit.grading.pristine`).

>>> [b.what for b in breaches("nps_by_hand = 20\\nget_ipython().ast_transformers.append(f)")]
['calls get_ipython()']
>>> [b.what for b in breaches("import os\\nos._exit(1)")]
["imports os (not on the course's list)", 'reaches the private part _exit']
"""

from __future__ import annotations

import ast
import builtins
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cxkit.course.cells import heading, split_hidden

# What the nine workshops import (their set-up cells: cxkit, pandas, matplotlib,
# ipywidgets), what answers compute with (numpy, math, statistics), and warnings,
# which lets a participant quieten a library's note. Answer cells import nothing.
DEFAULT_IMPORTS = (
    "cxkit",
    "ipywidgets",
    "math",
    "matplotlib",
    "numpy",
    "pandas",
    "statistics",
    "warnings",
)

# Names no answer calls: each reaches the interpreter, IPython or hidden state.
REFUSED_CALLS = (
    "__import__",
    "breakpoint",
    "compile",
    "delattr",
    "eval",
    "exec",
    "get_ipython",
    "getattr",
    "globals",
    "locals",
    "setattr",
    "vars",
)

# IPython's own names in a notebook: its input and output history, and the shell.
_IPYTHON_NAMES = {"In", "Out", "_ih", "_oh", "_dh", "_i", "_ii", "_iii", "exit", "quit"}

# Attributes a participant may set: a table's or a Series' own labels.
SETTABLE = frozenset({"columns", "index", "name", "names"})

# Methods that change a table, a Series or a list in place.
_MUTATORS = frozenset(
    {"append", "clear", "extend", "insert", "pop", "popitem", "remove", "reverse", "sort"}
    | {"setdefault", "update", "set_axis", "rename_axis", "reset_index", "set_index", "drop"}
)


@dataclass(frozen=True)
class Breach:
    """One construct outside the policy, in a facilitator's words (``what``) and where."""

    what: str
    line: int = 0


@dataclass(frozen=True)
class Policy:
    """What answer cells may use: imports and calls allowed, names the checks read."""

    imports: tuple[str, ...] = DEFAULT_IMPORTS
    calls: tuple[str, ...] = ()  # names of REFUSED_CALLS this course allows
    protected: frozenset[str] = field(default_factory=frozenset)  # set by locked cells
    fixed: frozenset[str] = field(default_factory=frozenset)  # of those, never changed in place
    # (name, what it imports) as the locked cells import it: "import pandas as pd" again binds
    # pd to the same module, and is no breach
    same: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def allows_import(self, module: str) -> bool:
        """Whether ``module`` (or the package it is part of) is on the list."""
        parts = module.split(".")
        return any(".".join(parts[:n]) in self.imports for n in range(1, len(parts) + 1))


def python_of(source: str) -> str:
    """A cell's code as the kernel runs it: IPython's ``%`` and ``!`` lines made Python."""
    return _transformer().transform_cell(source)


@functools.lru_cache(maxsize=1)
def _transformer() -> Any:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


def breaches(source: str, policy: Policy | None = None) -> list[Breach]:
    """What in a cell's code is outside ``policy``, in order ([]: nothing).

    A cell that is not Python at all breaks nothing: it stops with a SyntaxError
    when it runs, as it would in the participant's own notebook.
    """
    if not source.strip():
        return []
    try:
        tree = ast.parse(python_of(source))
    except (SyntaxError, ValueError):  # also a null byte in the source
        return []
    walker = _Walker(policy or Policy())
    walker.visit(tree)
    return list(dict.fromkeys(walker.found))


def cell_text(cell: dict[str, Any]) -> str:
    """A cell's source as one text (a notebook's JSON may hold it as a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _root(node: ast.AST) -> ast.AST:
    """The innermost object of ``a.b[c].d``: the name ``a``, or what is not a name."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
        node = node.value
    return node


def _imported(alias: ast.alias, module: str) -> tuple[str, str]:
    """The name an import binds and what to: ("pd", "pandas"), ("checks", "cxkit.checks")."""
    if module:
        return alias.asname or alias.name, f"{module}.{alias.name}"
    if alias.asname:
        return alias.asname, alias.name
    top = alias.name.split(".")[0]
    return top, top


def _dotted(node: ast.AST) -> str:
    """``checks.nps`` for an attribute chain of names, else the last attribute's name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else node.attr
    return ""


def _magic(call: ast.Call) -> str:
    """``%time`` or ``!ls`` for IPython's own call of a ``%`` or ``!`` line, else ""."""
    func = call.func
    if not (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Call)
        and _dotted(func.value.func) == "get_ipython"
        and call.args
        and isinstance(call.args[0], ast.Constant)
    ):
        return ""
    first = str(call.args[0].value).lstrip("%")
    if func.attr == "run_line_magic":
        return f"%{first}"
    if func.attr == "run_cell_magic":
        return f"%%{first}"
    if func.attr in {"system", "getoutput"}:
        return f"!{first.split()[0] if first.split() else first}"
    return ""


class _Walker(ast.NodeVisitor):
    """Walk one cell, noting each breach; ``depth`` > 0 inside a function."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.found: list[Breach] = []
        self.depth = 0
        self.aliases: dict[str, str] = {}  # names bound to a fixed object itself: its name
        self.refused = set(REFUSED_CALLS) - set(policy.calls)

    def note(self, node: ast.AST, what: str) -> None:
        self.found.append(Breach(what, getattr(node, "lineno", 0)))

    def guarded(self, name: str) -> bool:
        """Whether ``name`` is data the checks read that no answer changes in place."""
        return name in self.policy.fixed or name in self.aliases

    # --- imports ----------------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not self.policy.allows_import(alias.name):
                self.note(node, f"imports {alias.name} (not on the course's list)")
            name, what = _imported(alias, "")
            if (name, what) not in self.policy.same:
                self._bind(node, name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        if node.level or not self.policy.allows_import(module):
            self.note(node, f"imports from {module} (not on the course's list)")
        for alias in node.names:
            if alias.name == "*":
                self.note(node, f"imports everything from {module} (import *)")
            elif alias.name.startswith("_"):
                self.note(node, f"reaches the private part {alias.name}")
            elif _imported(alias, module) not in self.policy.same:
                self._bind(node, alias.asname or alias.name)

    # --- names and attributes ---------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        if name in self.refused:
            self.note(node, f"uses {name}")
        elif name in _IPYTHON_NAMES or (name.startswith("_i") and name[2:].isdigit()):
            self.note(node, f"reads IPython's own {name}")
        elif name.startswith("__") and name != "__name__":
            self.note(node, f"uses the hidden name {name}")
        if isinstance(node.ctx, ast.Store | ast.Del):
            self._bind(node, name)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("__") and node.attr.endswith("__"):
            self.note(node, f"reaches the hidden attribute {node.attr}")
        elif node.attr.startswith("_"):
            self.note(node, f"reaches the private part {node.attr}")
        if isinstance(node.ctx, ast.Store | ast.Del):
            self._changes(node, node.attr not in SETTABLE)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Store | ast.Del):
            self._changes(node, False)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        root = _root(node.target)
        if isinstance(root, ast.Name) and self.guarded(root.id) and self.depth == 0:
            self.note(node, f"changes {self._named(root.id)}, which the checks read")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        value = node.value
        if isinstance(value, ast.Name) and self.guarded(value.id):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.aliases[target.id] = self.aliases.get(value.id, value.id)

    def visit_Call(self, node: ast.Call) -> None:
        magic = _magic(node)
        if magic:
            self.note(node, f"runs the IPython command {magic}")
            return
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.refused:
            self.note(node, f"calls {func.id}()")
            for part in [*node.args, *node.keywords]:
                self.visit(part)
            return
        if isinstance(func, ast.Name) and func.id == "type" and len(node.args) > 1:
            self.note(node, "makes a class with type()")
        if isinstance(func, ast.Attribute):
            root = _root(func.value)
            in_place = func.attr in _MUTATORS or any(
                k.arg == "inplace" and not (isinstance(k.value, ast.Constant) and not k.value.value)
                for k in node.keywords
            )
            if isinstance(root, ast.Name) and self.guarded(root.id) and in_place:
                shown = self._named(root.id)
                self.note(node, f"changes {shown} in place ({func.attr}), which the checks read")
        self.generic_visit(node)

    # --- statements no answer needs ---------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.note(node, f"defines a class ({node.name})")
        self._bind(node, node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.note(node, f"declares global names ({', '.join(node.names)})")

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.note(node, f"declares nonlocal names ({', '.join(node.names)})")

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._bind(node, node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self.depth += 1
        for statement in node.body:
            self.visit(statement)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    # --- helpers ---------------------------------------------------------------------------

    def _bind(self, node: ast.AST, name: str) -> None:
        """A module-level name bound or deleted: refused for a name the checks read."""
        if self.depth == 0 and name in self.policy.protected:
            self.note(node, f"binds {name} again, which the checks read (a locked cell sets it)")

    def _changes(self, target: ast.Attribute | ast.Subscript, always: bool) -> None:
        """``a.b = ...`` or ``a[b] = ...``: refused on what the checks read, or ``always``."""
        root = _root(target)
        shown = _dotted(target) if isinstance(target, ast.Attribute) else ""
        if always:
            self.note(target, f"sets {shown or 'an attribute'}")
        elif isinstance(root, ast.Name) and self.guarded(root.id):
            self.note(target, f"changes {self._named(root.id)}, which the checks read")

    def _named(self, name: str) -> str:
        """``x (scores)`` for a name bound to a fixed object, else the name."""
        return f"{name} ({self.aliases[name]})" if name in self.aliases else name


def for_source(cells: Iterable[dict[str, Any]], **settings: Any) -> Policy:
    """The policy for a workshop's source notebook (nbformat dicts) and the course's settings.

    A name a grade cell reads is *protected* when a locked, ungraded cell binds
    it (``checks``, ``cxkit``, ``scores`` ...) and no solution binds it again
    (some answer cells start afresh from a given table): no answer may bind it
    again. Of those, the ones no solution changes in place (``linked.loc[...] =
    ...`` labels rows in some workshops) are *fixed*: no answer may change them.
    ``settings``: ``imports`` and ``calls``, as :class:`Policy` takes them.
    """
    read: set[str] = set()
    bound: set[str] = set()
    rebound: set[str] = set()
    changed: set[str] = set()
    same: set[tuple[str, str]] = set()
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        tree = _parse(cell_text(cell)) if cell.get("cell_type") == "code" else None
        if tree is None:
            continue
        if meta.get("grade") and not meta.get("solution"):
            read |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        elif meta.get("solution"):
            rebound |= _module_bindings(tree)
            changed |= _changed_in_place(tree)
        elif meta.get("locked"):
            bound |= _module_bindings(tree)
            same |= _imports(tree)
    protected = frozenset((read & bound) - rebound - set(dir(builtins)))
    fixed = protected - changed
    return Policy(protected=protected, fixed=fixed, same=frozenset(same), **settings)


def _imports(tree: ast.Module) -> set[tuple[str, str]]:
    """What a cell's imports bind, as (name, module or module.part)."""
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found |= {_imported(alias, "") for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {_imported(alias, node.module) for alias in node.names}
    return found


def _changed_in_place(tree: ast.Module) -> set[str]:
    """Names whose object a cell changes: ``a[...] = ``, ``a.b = ``, ``a += ``, ``a.update()``."""
    names = set()
    for node in ast.walk(tree):
        target: ast.AST | None = None
        if isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.ctx, ast.Store):
            target = node
        elif isinstance(node, ast.AugAssign):
            target = node.target
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and (node.func.attr in _MUTATORS or any(k.arg == "inplace" for k in node.keywords))
        ):
            target = node.func.value
        root = _root(target) if target is not None else None
        if isinstance(root, ast.Name):
            names.add(root.id)
    return names


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(python_of(source))
    except (SyntaxError, ValueError):
        return None


def _module_bindings(tree: ast.Module) -> set[str]:
    """Names a cell binds at module level (assignments, imports, definitions)."""
    names: set[str] = set()
    for statement in tree.body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.FunctionDef | ast.ClassDef) and node in tree.body:
                names.add(node.name)
    return names


def trusted(cell: dict[str, Any], source_cells: dict[str, dict[str, Any]]) -> bool:
    """Whether a cell about to run is the source's own locked or graded cell, unchanged."""
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    mine = source_cells.get(gid or "")
    if mine is None:
        return False
    meta = mine.get("metadata", {}).get("nbgrader", {})
    if meta.get("solution") or not (meta.get("locked") or meta.get("grade")):
        return False
    return cell_text(cell) in {cell_text(mine), split_hidden(cell_text(mine))[0]}


@dataclass(frozen=True)
class Finding:
    """Breaches in one cell: the notebook, the cell's grade id, index and label."""

    notebook: str
    grade_id: str
    index: int
    label: str  # 'Exercise 2': the heading above it, as label() gives it
    breaches: tuple[Breach, ...]


def label(cells: list[Any], index: int) -> str:
    """'Exercise 2' for a cell under '### Exercise 2 · NPS by hand' ("" in the first cells)."""
    for cell in reversed(cells[: index + 1]):
        if cell.get("cell_type") == "markdown" and heading(cell):
            return heading(cell).split(" · ")[0].strip()
    return ""


def read_notebook(
    name: str, cells: list[Any], source_cells: list[Any], policy: Policy
) -> list[Finding]:
    """The cells of a notebook about to run that are outside ``policy``, in order.

    ``cells`` are the notebook as nbgrader will run it (sanitized), ``source_cells``
    the workshop's source notebook: its locked cells are trusted, the rest read.
    """
    by_id = {
        c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c
        for c in source_cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    }
    found = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code" or trusted(cell, by_id):
            continue
        seen = breaches(cell_text(cell), policy)
        if seen:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or ""
            found.append(Finding(name, gid, index, label(cells, index), tuple(seen)))
    return found
