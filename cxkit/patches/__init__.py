"""Every change cxkit makes to another library's behaviour, in one place.

Each patch says what it changes, why, and which versions it was written for;
``tests/test_patches.py`` fails loudly when a patched library changes underneath it.
"""

import sys


def skip_iri_grammar() -> None:
    """Spare this process the second jsonschema spends on a grammar cxkit never uses.

    Where rfc3987-syntax is installed (JupyterLab's jupyter-events brings it),
    jsonschema uses it to check the "iri" formats, and it builds its grammar on
    import: about 1 s of CPU in every process that imports nbformat. No schema
    that cxkit or nbgrader checks uses those formats. The processes cxkit starts
    itself (the ``cxkit`` command, grading workers) call this first; jsonschema
    then leaves "iri" formats unchecked, as it does where rfc3987-syntax is not
    installed. It changes nothing once jsonschema is imported.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
