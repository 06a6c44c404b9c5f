"""The patches on nbgrader: its bookkeeping without the repeated work.

Three live inside one block, :func:`lighter_bookkeeping`, which the grading
step (``cxkit grade``) opens around nbgrader's autograde of a whole batch; the
fourth, :func:`schema_version_in_process`, spares every new gradebook a process.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

WRITTEN_FOR = "nbgrader 0.9.6 (with jsonschema 4.26 and SQLAlchemy 2.1)"


class SchemaCheckedOnce:
    """``jsonschema`` as nbgrader's metadata check uses it, with each schema checked once.

    ``jsonschema.validate`` checks the schema itself against the JSON-schema
    standard on every call, and nbgrader calls it for every cell: nine tenths
    of the check's time. Here each schema is checked on first use and its
    validator kept; a cell's errors are found and chosen (``best_match``) as
    ``jsonschema.validate`` finds and chooses them. nbgrader reads its schema
    from disk for every notebook, so schemas are told apart by their content.
    Every submission of a workshop has the same cell metadata: metadata found
    valid once is not checked again against the same schema. Any other name
    is jsonschema's own.

    It stands in for the module ``jsonschema`` in
    ``nbgrader.nbgraderformat.common`` inside :func:`lighter_bookkeeping`.
    """

    KEEP = 10_000  # valid metadata remembered at most; beyond that, checked every time

    def __init__(self) -> None:
        import jsonschema

        self._jsonschema = jsonschema
        self._texts: dict[int, tuple[Any, str]] = {}  # id(schema) -> (schema, its JSON)
        self._validators: dict[str, Any] = {}  # a schema's JSON -> its validator
        self._valid: set[tuple[str, str]] = set()  # (a schema's JSON, metadata's JSON)

    def _text(self, schema: Any) -> str:
        known = self._texts.get(id(schema))
        if known is None:
            if len(self._texts) >= 64:  # nbgrader's schemas come and go: let them
                self._texts.clear()
            known = self._texts[id(schema)] = (schema, json.dumps(schema, sort_keys=True))
        return known[1]

    def validate(self, instance: Any, schema: Any) -> None:
        """Raise jsonschema's ``ValidationError`` for ``instance`` as ``jsonschema.validate``."""
        from jsonschema.exceptions import best_match

        text = self._text(schema)
        validator = self._validators.get(text)
        if validator is None:
            kind = self._jsonschema.validators.validator_for(schema)
            kind.check_schema(schema)
            validator = self._validators[text] = kind(schema)
        try:
            seen: tuple[str, str] | None = (text, json.dumps(instance, sort_keys=True))
        except (TypeError, ValueError):  # not JSON: check it, and remember nothing
            seen = None
        if seen is not None and seen in self._valid:
            return
        error = best_match(validator.iter_errors(instance))
        if error is not None:
            raise error
        if seen is not None and len(self._valid) < self.KEEP:
            self._valid.add(seen)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._jsonschema, name)


def cells_by_notebook(kind: Any, real: Callable[..., Any]) -> Callable[..., Any]:
    """nbgrader's ``Gradebook.find_source_cell`` (or ``find_graded_cell``), one query per notebook.

    nbgrader looks up each cell of each submission on its own, and builds the
    query anew every time. Here the first lookup in a notebook reads all its
    cells of that ``kind`` (``SourceCell`` or ``GradeCell``) at once, and the
    gradebook keeps them (in its attribute ``_cxkit_cells``) while it is open.
    A name not found there goes to nbgrader's own method ``real``: its other
    kinds of cell (``TaskCell``), and its own error.
    """
    from nbgrader.api import Assignment, Notebook

    def find(gradebook: Any, name: str, notebook: str, assignment: str) -> Any:
        kept = gradebook.__dict__.setdefault("_cxkit_cells", {})
        key = (kind.__name__, notebook, assignment)
        if key not in kept:
            rows = (
                gradebook.db.query(kind)
                .join(Notebook, Notebook.id == kind.notebook_id)
                .join(Assignment, Assignment.id == Notebook.assignment_id)
                .filter(Notebook.name == notebook, Assignment.name == assignment)
                .all()
            )
            kept[key] = {row.name: row for row in rows}
        found = kept[key].get(name)
        return found if found is not None else real(gradebook, name, notebook, assignment)

    return find


@contextlib.contextmanager
def lighter_bookkeeping() -> Iterator[None]:
    """nbgrader's bookkeeping for many submissions, without the work it repeats for each one.

    What it changes
        Inside this block, in this process, three attributes of nbgrader:

        - ``nbgrader.nbgraderformat.common.jsonschema`` (the module nbgrader's
          metadata check calls ``validate`` on) becomes a
          :class:`SchemaCheckedOnce`: the schema is checked once instead of
          once per cell;
        - ``nbgrader.api.create_engine`` (SQLAlchemy's, called by
          ``Gradebook.__init__``) keeps one engine per gradebook address and
          options, so its queries are compiled once instead of every time
          nbgrader opens the gradebook (each ``Gradebook.close()`` still
          releases the engine's connections);
        - ``Gradebook.find_source_cell`` and ``Gradebook.find_graded_cell``
          read a notebook's cells of each kind in one query while the gradebook
          is open (:func:`cells_by_notebook`; nothing inside the block changes a
          released notebook's cells).

        The same checks run, with the same errors, and the same rows are written.
    Why
        Checking the schema is nine tenths of nbgrader's metadata check; the
        lookups one query per cell took the coordinator's sanitizing 0.029 s
        per submission, 0.013 s in one query per notebook.
    Written for
        nbgrader 0.9.6, jsonschema 4.26, SQLAlchemy 2.1 (:data:`WRITTEN_FOR`).
    Undone by
        leaving the block: all four attributes are put back as they were, even
        after an error, and the kept engines are disposed of.
    """
    import nbgrader.api
    import nbgrader.nbgraderformat.common as metadata
    from nbgrader.api import Gradebook, GradeCell, SourceCell

    real_engine, real_jsonschema = nbgrader.api.create_engine, metadata.jsonschema
    real_source, real_graded = Gradebook.find_source_cell, Gradebook.find_graded_cell
    engines: dict[tuple[str, str], Any] = {}

    def create_engine(url: Any, **options: Any) -> Any:
        key = (str(url), repr(sorted(options.items())))
        if key not in engines:
            engines[key] = real_engine(url, **options)
        return engines[key]

    nbgrader.api.create_engine = create_engine
    metadata.jsonschema = SchemaCheckedOnce()
    Gradebook.find_source_cell = cells_by_notebook(SourceCell, real_source)
    Gradebook.find_graded_cell = cells_by_notebook(GradeCell, real_graded)
    try:
        yield
    finally:
        nbgrader.api.create_engine = real_engine
        metadata.jsonschema = real_jsonschema
        Gradebook.find_source_cell = real_source
        Gradebook.find_graded_cell = real_graded
        for engine in engines.values():
            engine.dispose()


def schema_version_in_process() -> None:
    """nbgrader reads its gradebook schema's version here, not in a new ``alembic`` process.

    A new gradebook is stamped with the version of nbgrader's database schema.
    ``nbgrader.api.get_alembic_version`` finds it by running the ``alembic``
    command in a process of its own: 4.1 s on a 2-core machine, for every new
    gradebook (a new course's first ``cxkit release`` or ``grade``, the demo,
    each throw-away release that checks a workshop), and a ``FileNotFoundError``
    where ``alembic`` is not on PATH. This reads the same version from the same
    migration scripts in this process, with alembic's ``ScriptDirectory``
    (0.15 s, most of it importing alembic); the gradebook gets the same row.

    Written for nbgrader 0.9.6 (alembic 1.x). It stays for the life of the
    process (it is applied again harmlessly); ``undo_schema_version_in_process``
    puts nbgrader's own function back.
    """
    import nbgrader.api

    if getattr(nbgrader.api.get_alembic_version, "real", None) is not None:
        return  # applied already
    real = nbgrader.api.get_alembic_version

    def get_alembic_version() -> str:
        from alembic.script import ScriptDirectory
        from nbgrader.dbutil import ALEMBIC_DIR

        head = ScriptDirectory(ALEMBIC_DIR).get_current_head()
        return str(head) if head is not None else real()

    get_alembic_version.real = real  # type: ignore[attr-defined]
    nbgrader.api.get_alembic_version = get_alembic_version


def undo_schema_version_in_process() -> None:
    """Put back nbgrader's own ``get_alembic_version`` (the one that runs ``alembic``)."""
    import nbgrader.api

    real = getattr(nbgrader.api.get_alembic_version, "real", None)
    if real is not None:
        nbgrader.api.get_alembic_version = real
