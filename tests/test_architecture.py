"""The architecture of cxkit/, read from its source: what may import what.

The rules (DESIGN.md, "The house" and "Nothing flows back up"):

- no import cycle between modules, imports inside functions counted;
- no private name (``_x``) used from another cxkit module, imported or read
  as an attribute of an imported module;
- the participant side (``cxkit`` itself, its top-level helpers, ``data/``,
  ``participant/``, ``errors``, ``resources``, ``patches``, and any new module
  outside the facilitator side) never imports ``course/``, ``grading/``,
  ``scorecard/``, ``room/`` or ``cli``;
- the grading engine (``grading/``) imports from ``course/`` only
  ``course.directory`` and ``course.cells``, never a pipeline step;
- the scorecard (``scorecard/``) never imports ``grading/``.

Modules are read with ``ast``, never imported. ``import a.b.c`` and
``from a.b import c`` (``c`` a module) are edges to ``a.b.c``; the parent
packages Python runs on the way are not edges. Imports by computed name
(``importlib.import_module(name)``) are not seen. Every checker takes the
package folder, so each rule is proved on a throw-away package below.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cxkit"

FACILITATOR = ("course", "grading", "scorecard", "room", "cli", "__main__")
FORBIDDEN_TO_PARTICIPANTS = ("course", "grading", "scorecard", "room", "cli")
GRADING_MAY_USE = ("course.directory", "course.cells")


# --- reading the package ------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One import of a package module by another: where it is written, and what it loads."""

    source: str  # the importing module, dotted
    target: str  # the imported module, dotted
    names: tuple[str, ...]  # the names taken from it (``from target import a, b``)
    path: Path
    line: int

    def where(self, package: Path) -> str:
        return f"{self.path.relative_to(package.parent)}:{self.line}"


def modules(package: Path) -> dict[str, Path]:
    """Every module of a package by dotted name (a package is its ``__init__.py``)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _absolute(module: str, path: Path, level: int, name: str | None) -> str:
    """The absolute name of ``from <level dots><name> import ...`` written in ``module``."""
    if level == 0:
        return name or ""
    base = module.split(".")
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports(package: Path) -> list[Import]:
    """Every import of a package module by another, at any depth of the code."""
    known = modules(package)
    top = package.name
    found = []
    for module, path in known.items():
        for node in ast.walk(_parse(path)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _inside(alias.name, top):
                        found.append(Import(module, alias.name, (), path, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, path, node.level, node.module)
                if not _inside(base, top):
                    continue
                taken = []
                for alias in node.names:
                    if f"{base}.{alias.name}" in known:  # a submodule
                        found.append(Import(module, f"{base}.{alias.name}", (), path, node.lineno))
                    else:
                        taken.append(alias.name)
                if taken:
                    found.append(Import(module, base, tuple(taken), path, node.lineno))
    return found


# --- the rules ----------------------------------------------------------------------------


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components of a directed graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def cycles(package: Path) -> list[str]:
    """Each import that closes a cycle between modules, as 'file:line: a imports b (cycle ...)'."""
    edges = [e for e in imports(package) if e.source != e.target]
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
    found = []
    for component in _strongly_connected(graph):
        if len(component) < 2:
            continue
        members = ", ".join(sorted(component))
        for edge in edges:
            if edge.source in component and edge.target in component:
                found.append(
                    f"{edge.where(package)}: {edge.source} imports {edge.target}"
                    f" (a cycle among {members})"
                )
    return sorted(found)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _hidden(target: str, user: str) -> bool:
    """Is ``target`` a private module (or inside one) of a package ``user`` is not in?"""
    parts = target.split(".")
    for i, part in enumerate(parts):
        if _private(part) and not _inside(user, ".".join(parts[:i])):
            return True
    return False


def _bound_modules(tree: ast.Module, module: str, path: Path, known: dict) -> dict[str, str]:
    """The local names an import binds to a package module (``import a.b`` binds ``a``)."""
    bound = {}
    top = module.split(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _inside(alias.name, top):
                    continue
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, path, node.level, node.module)
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}"
    return bound


def private_names(package: Path) -> list[str]:
    """Each private name one module takes from another, as 'file:line: a uses b._x'.

    A private submodule (``_x.py``) may be used within its own package only.
    """
    known = modules(package)
    found = []
    for edge in imports(package):
        for name in edge.names:
            if _private(name):
                found.append(f"{edge.where(package)}: {edge.source} imports {edge.target}.{name}")
        if _hidden(edge.target, edge.source):
            found.append(f"{edge.where(package)}: {edge.source} imports {edge.target}")
    for module, path in known.items():
        tree = _parse(path)
        bound = _bound_modules(tree, module, path, known)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            chain = []
            base: ast.expr = node
            while isinstance(base, ast.Attribute):
                chain.append(base.attr)
                base = base.value
            if not isinstance(base, ast.Name) or base.id not in bound:
                continue
            target = bound[base.id]
            where = f"{path.relative_to(package.parent)}:{node.lineno}"
            for attr in reversed(chain):
                if f"{target}.{attr}" in known:
                    target = f"{target}.{attr}"
                    if _hidden(target, module):
                        found.append(f"{where}: {module} uses {target}")
                    continue
                if _private(attr) and target != module:
                    found.append(f"{where}: {module} uses {target}.{attr}")
                break
    return sorted(set(found))


def _side(module: str, top: str) -> str:
    """Which side a module is on: participant, course, grading, scorecard or another facilitator."""
    for part in FACILITATOR:
        if _inside(module, f"{top}.{part}"):
            return part
    return "participant"


def layering(package: Path) -> list[str]:
    """Each import that flows against the design, as 'file:line: a imports b (the rule)'."""
    top = package.name
    found = []
    for edge in imports(package):
        side, target = _side(edge.source, top), edge.target
        rule = None
        if side == "participant" and any(
            _inside(target, f"{top}.{p}") for p in FORBIDDEN_TO_PARTICIPANTS
        ):
            rule = "the participant side never imports the facilitator side"
        elif (
            side == "grading"
            and _inside(target, f"{top}.course")
            and not any(_inside(target, f"{top}.{allowed}") for allowed in GRADING_MAY_USE)
        ):
            rule = "the grading engine imports from course/ only directory and cells"
        elif side == "scorecard" and _inside(target, f"{top}.grading"):
            rule = "the scorecard never imports the grading engine"
        if rule:
            found.append(f"{edge.where(package)}: {edge.source} imports {target} ({rule})")
    return sorted(found)


# --- cxkit itself -------------------------------------------------------------------------


def test_the_reader_sees_cxkit():
    """Does the reader find cxkit's parts and their imports (so the rules below are not vacuous)?"""
    names = modules(PACKAGE)
    assert {"cxkit", "cxkit.data.load", "cxkit.course.directory", "cxkit.grading.local"} <= set(
        names
    )
    edges = {(e.source, e.target) for e in imports(PACKAGE)}
    assert ("cxkit", "cxkit.errors") in edges


def test_cxkit_has_no_import_cycle():
    """Is cxkit free of import cycles, imports inside functions counted?"""
    assert cycles(PACKAGE) == []


def test_no_cxkit_module_uses_another_ones_private_names():
    """Does every cxkit module keep to the public names of the others?"""
    assert private_names(PACKAGE) == []


def test_cxkit_imports_flow_the_way_the_design_says():
    """Do the participant side, the grading engine and the scorecard import only what they may?"""
    assert layering(PACKAGE) == []


# --- the checkers, proved on throw-away packages ------------------------------------------

CLEAN = {
    "__init__.py": "from cxkit.errors import CxkitError\n",
    "__main__.py": "from cxkit.cli import main\n",
    "errors.py": "class CxkitError(ValueError):\n    pass\n",
    "metrics.py": "import cxkit.errors\n\n\ndef nps(x):\n    return cxkit.errors.CxkitError\n",
    "checks.py": "from cxkit import metrics\n\n\ndef check():\n    import cxkit\n",
    "cli.py": "from cxkit.course import release\nfrom cxkit.grading import local\n",
    "data/__init__.py": "from .load import load\n",
    "data/load.py": "from ..errors import CxkitError\n\n\ndef load():\n    pass\n",
    "course/__init__.py": "",
    "course/directory.py": "from cxkit.errors import CxkitError\n",
    "course/cells.py": "",
    "course/release.py": "from cxkit.course.directory import Course\nfrom cxkit import metrics\n",
    "grading/__init__.py": "",
    "grading/local.py": (
        "from cxkit.course import cells, directory\n"
        "from cxkit.course.directory import Course\n"
        "from . import _pool\n"
        "_pool.start()\n"
    ),
    "grading/_pool.py": "def start():\n    pass\n",
    "scorecard/__init__.py": "",
    "scorecard/card.py": "from cxkit.data import load\nfrom cxkit.course import release\n",
}


def _tree(root: Path, files: dict[str, str]) -> Path:
    package = root / "cxkit"
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    return package


def _broken(root: Path, name: str, text: str) -> Path:
    """The clean package with one file (``name``, as ``course/x.py``) changed or added."""
    return _tree(root, {**CLEAN, name: text})


def test_a_clean_package_breaks_no_rule(tmp_path):
    """Does the checker find nothing in a package that keeps every rule, relative imports too?"""
    package = _tree(tmp_path, CLEAN)
    edges = {(e.source, e.target) for e in imports(package)}
    assert ("cxkit.data", "cxkit.data.load") in edges
    assert ("cxkit.data.load", "cxkit.errors") in edges
    assert ("cxkit.checks", "cxkit.metrics") in edges
    assert ("cxkit.checks", "cxkit") in edges  # the import inside a function
    assert ("cxkit.grading.local", "cxkit.course") not in edges  # a parent is not an edge
    assert (cycles(package), private_names(package), layering(package)) == ([], [], [])


def test_a_cycle_through_a_function_is_reported_with_its_lines(tmp_path):
    """Is a cycle closed by an import inside a function reported, each import with its line?"""
    package = _broken(
        tmp_path,
        "errors.py",
        "class CxkitError(ValueError):\n"
        "    def hint(self):\n"
        "        from cxkit.metrics import nps\n",
    )
    assert cycles(package) == [
        "cxkit/errors.py:3: cxkit.errors imports cxkit.metrics"
        " (a cycle among cxkit.errors, cxkit.metrics)",
        "cxkit/metrics.py:1: cxkit.metrics imports cxkit.errors"
        " (a cycle among cxkit.errors, cxkit.metrics)",
    ]
    assert layering(package) == [] and private_names(package) == []


def test_a_cycle_through_a_package_init_is_reported(tmp_path):
    """Is a module importing a name from its own package's __init__, which imports it, a cycle?"""
    package = _broken(tmp_path, "data/load.py", "from cxkit.data import tables\n")
    found = cycles(package)
    assert [line.split(": ", 1)[1].split(" (")[0] for line in found] == [
        "cxkit.data imports cxkit.data.load",
        "cxkit.data.load imports cxkit.data",
    ]


@pytest.mark.parametrize(
    ("code", "offence"),
    [
        ("from cxkit.metrics import _z\n", "cxkit.checks imports cxkit.metrics._z"),
        ("from .metrics import nps, _z as z\n", "cxkit.checks imports cxkit.metrics._z"),
        ("import cxkit.metrics\nx = cxkit.metrics._z\n", "cxkit.checks uses cxkit.metrics._z"),
        ("import cxkit.metrics as m\nx = m._z(1)\n", "cxkit.checks uses cxkit.metrics._z"),
        ("from cxkit import metrics\nx = metrics._z\n", "cxkit.checks uses cxkit.metrics._z"),
        ("def f():\n    import cxkit\n    return cxkit._HOME\n", "cxkit.checks uses cxkit._HOME"),
        ("from cxkit.grading import _pool\n", "cxkit.checks imports cxkit.grading._pool"),
        (
            "from cxkit import grading\ngrading._pool.start()\n",
            "cxkit.checks uses cxkit.grading._pool",
        ),
    ],
    ids=[
        "from",
        "relative",
        "dotted",
        "alias",
        "submodule",
        "package",
        "module",
        "module attribute",
    ],
)
def test_a_private_name_taken_from_another_module_is_reported(tmp_path, code, offence):
    """Is each way of using another module's private name reported, with its file and line?"""
    package = _broken(tmp_path, "checks.py", code)
    found = private_names(package)
    assert len(found) == 1
    assert found[0].startswith("cxkit/checks.py:")
    assert found[0].endswith(f": {offence}")


def test_public_and_dunder_names_are_not_private(tmp_path):
    """Are dunder names, a module's own private names and a package's private module allowed?"""
    package = _broken(
        tmp_path,
        "checks.py",
        "import cxkit.metrics\nimport cxkit\n"
        "x = cxkit.metrics.__name__, cxkit.__version__\n_y = 1\nz = _y\n",
    )
    assert private_names(package) == []  # grading.local's use of grading._pool is in CLEAN


@pytest.mark.parametrize(
    ("source", "code", "target"),
    [
        (
            "metrics",
            "def f():\n    from cxkit.course.directory import Course\n",
            "course.directory",
        ),
        ("data/load", "from cxkit.grading import local\n", "grading.local"),
        ("errors", "import cxkit.scorecard.card\n", "scorecard.card"),
        ("participant/lab", "from cxkit import cli\n", "cli"),
        ("resources", "from cxkit.room import hub\n", "room.hub"),
        ("validate", "from .course import release\n", "course.release"),
    ],
)
def test_the_participant_side_importing_the_facilitator_side_is_reported(
    tmp_path, source, code, target
):
    """Does any participant module (a new one too) importing course, grading, scorecard, room or
    cli get reported?"""
    extra = {"room/__init__.py": "", "room/hub.py": "", "participant/__init__.py": ""}
    package = _tree(tmp_path, {**CLEAN, **extra, f"{source}.py": code})
    module = "cxkit." + source.replace("/", ".")
    (found,) = layering(package)
    assert found.startswith(f"cxkit/{source}.py:")
    assert f"{module} imports cxkit.{target} (the participant side never" in found


@pytest.mark.parametrize(
    "code",
    [
        "from cxkit.course.release import generate\n",
        "from cxkit.course import release\n",
        "from cxkit.course import Course\n",
        "def f():\n    import cxkit.course.release\n",
    ],
    ids=["module", "submodule", "package", "in a function"],
)
def test_the_grading_engine_importing_a_pipeline_step_is_reported(tmp_path, code):
    """Is grading/ importing anything of course/ but directory and cells reported?"""
    package = _broken(tmp_path, "grading/_pool.py", code)
    (found,) = layering(package)
    assert found.startswith("cxkit/grading/_pool.py:")
    assert "(the grading engine imports from course/ only directory and cells)" in found


def test_the_scorecard_importing_the_grading_engine_is_reported(tmp_path):
    """Is scorecard/ importing grading/ reported, while it may use data/ and course/?"""
    package = _broken(
        tmp_path, "scorecard/card.py", "from cxkit.data import load\nimport cxkit.grading.local\n"
    )
    assert layering(package) == [
        "cxkit/scorecard/card.py:2: cxkit.scorecard.card imports cxkit.grading.local"
        " (the scorecard never imports the grading engine)"
    ]


def iter_rules() -> Iterator[str]:
    """Every offence in cxkit/ (``python tests/test_architecture.py``)."""
    yield from cycles(PACKAGE)
    yield from private_names(PACKAGE)
    yield from layering(PACKAGE)


if __name__ == "__main__":
    print("\n".join(iter_rules()) or "cxkit keeps every rule")
