"""The patch on jsonschema: its "iri" format checks are left out in cxkit's own processes."""

from __future__ import annotations

import sys

WRITTEN_FOR = "jsonschema 4.26 (with rfc3987-syntax 1.1)"


def skip_iri_grammar() -> None:
    """Spare this process the second jsonschema spends on a grammar cxkit never uses.

    What it changes
        An entry ``rfc3987_syntax: None`` in ``sys.modules``, so that importing
        ``rfc3987_syntax`` raises ImportError. ``jsonschema._format`` guards that
        import and, without it, defines no checker for the "iri" and
        "iri-reference" formats, as on a machine where rfc3987-syntax is not
        installed. It changes nothing once jsonschema is imported.
    Why
        Where rfc3987-syntax is installed (JupyterLab's jupyter-events brings
        it), jsonschema uses it to check the "iri" formats, and it builds its
        grammar on import: about 1 s of CPU in every process that imports
        nbformat. No schema that cxkit or nbgrader checks uses those formats.
        The processes cxkit starts itself (the ``cxkit`` command, grading
        workers) call this first.
    Written for
        jsonschema 4.26 with rfc3987-syntax 1.1 (:data:`WRITTEN_FOR`).
    Undone by
        ``sys.modules.pop("rfc3987_syntax", None)`` before jsonschema is
        imported; once it is, only a new process checks "iri" formats again.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
