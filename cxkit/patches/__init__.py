"""Every change cxkit makes to another library's behaviour at run time, in one place.

One module per library patched; each patch's docstring says what it changes,
why (with what it was measured to save), the versions it was written for and
how it is undone. ``tests/test_patches.py`` fails loudly, naming the library,
its version and the patch, when a patched library changes underneath it, and
``pyproject.toml`` bounds each of these libraries to the series tested.

- :func:`skip_iri_grammar` (jsonschema): ``sys.modules["rfc3987_syntax"]``, before import
- :func:`lighter_bookkeeping` (nbgrader): ``nbgrader.api.create_engine``,
  ``nbgrader.nbgraderformat.common.jsonschema``, ``Gradebook.find_source_cell``
  and ``find_graded_cell``, inside a block
- :func:`schema_version_in_process` (nbgrader): ``nbgrader.api.get_alembic_version``
- :func:`quicker_dates` (jupyter_client): ``jupyter_client.jsonutil.parse_date``
- :func:`look_again` (jupyter_client): a client channel's ``get_msg``
- :func:`shorter_waits` (jupyter_client): a client channel's ``get_msg``, inside a block
- :func:`keep_brief` (IPython): a shell's ``_format_exception_for_storage``

Importing this package imports none of those libraries: each patch imports
what it patches when it is applied. It is on the participant side
(:func:`keep_brief` runs in participants' kernels), so it imports nothing of
cxkit's facilitator side either.
"""

from cxkit.patches.ipython import keep_brief
from cxkit.patches.jsonschema import skip_iri_grammar
from cxkit.patches.jupyter_client import look_again, quicker_dates, shorter_waits
from cxkit.patches.nbgrader import (
    lighter_bookkeeping,
    schema_version_in_process,
    undo_schema_version_in_process,
)

__all__ = [
    "keep_brief",
    "lighter_bookkeeping",
    "look_again",
    "quicker_dates",
    "schema_version_in_process",
    "shorter_waits",
    "skip_iri_grammar",
    "undo_schema_version_in_process",
]
