"""A released mini workshop, and a participant's workspace with one answer in it."""

from __future__ import annotations

from pathlib import Path

import minicourse as mc
import nbformat
import pytest

from cxkit.participant import lab


@pytest.fixture
def release(tmp_path: Path) -> Path:
    """A release folder with the mini workshop, as nbgrader would write it."""
    folder = tmp_path / "release" / "mini"
    folder.mkdir(parents=True)
    stubs = {
        "double": "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
        "answer": "answer = None\n# Replace None above with your answer\nanswer",
    }
    nbformat.write(mc.submission(stubs), folder / "mini.ipynb")
    return folder.parent


@pytest.fixture
def workspace(release, tmp_path) -> Path:
    root = lab.prepare(tmp_path / "ws", release=release).root
    notebook = root / "mini" / "mini.ipynb"
    notebook.write_text(notebook.read_text().replace("answer = None", "answer = 42"))
    return root  # one exercise answered, one left as the release's stub
