"""Hand in a workshop: one zip file, named the way ``cxkit collect`` and nbgrader expect.

A participant runs, in their workspace (a terminal in JupyterLab)::

    cxkit submit 00-foundations --id jo.smith

and gets ``00-foundations_jo.smith_<time>.zip``, holding each notebook as
``<workshop>_<id>_attempt_<time>_<notebook>.ipynb``: the names nbgrader's own
zip collector uses, which ``cxkit collect`` places without a roster.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cxkit.errors import CxkitError

STAMP = "%Y-%m-%d-%H-%M-%S"
PLACEHOLDER = re.compile(r"^\w+\s*=\s*None\b")  # the release's "answer = None" lines

# nbgrader's name for a file in a zip of hand-ins; cxkit collect places a file by it
NBGRADER_NAME = re.compile(
    r"^(?P<workshop>.+?)_(?P<id>[A-Za-z0-9][A-Za-z0-9.-]*)_attempt_"
    r"(?P<timestamp>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})_(?P<notebook>.+)\.ipynb$"
)


@dataclass
class Submission:
    """The zip written, the notebooks in it, and anything worth a second look."""

    path: Path
    notebooks: list[str]
    notes: list[str]

    def summary(self) -> str:
        lines = [f"Wrote {self.path.name} with {', '.join(self.notebooks)}."]
        lines += [f"  Note: {note}" for note in self.notes]
        lines.append("Hand this file to your facilitator (e-mail or the shared folder).")
        return "\n".join(lines)


def _answered(notebook: dict) -> int:
    """How many answer cells hold more than a placeholder (``x = None``, NotImplementedError)."""
    count = 0
    for cell in notebook.get("cells", []):
        info = cell.get("metadata", {}).get("nbgrader", {})
        if not info.get("solution") or cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        code = [ln.strip() for ln in source.splitlines() if ln.strip() and ln.strip()[0] != "#"]
        stub = "NotImplementedError" in source or all(PLACEHOLDER.match(ln) for ln in code[:-1])
        count += not stub
    return count


def submit(
    workshop: str, participant: str, workspace: Path | None = None, now: datetime | None = None
) -> Submission:
    """Zip the notebooks of ``workspace/<workshop>/`` for hand-in, beside that folder.

    Parameters
    ----------
    workshop : str
        The workshop folder, such as "00-foundations".
    participant : str
        Your participant id, as your facilitator gave it: letters, digits, dots, hyphens.
    workspace : Path, optional
        The folder holding your workshop folders (default: the current folder).
    now : datetime, optional
        The hand-in time (default: now, UTC).
    """
    root = Path(workspace or Path.cwd()).resolve()
    folder = root / workshop
    stamp = (now or datetime.now(UTC)).strftime(STAMP)
    if not NBGRADER_NAME.match(f"{workshop}_{participant}_attempt_{stamp}_x.ipynb") or (
        "_" in participant
    ):
        raise CxkitError(
            f'"{participant}" cannot be a participant id: use letters, digits, dots and '
            "hyphens only (no spaces or underscores), as your facilitator gave it, e.g. jo.smith"
        )
    if not folder.is_dir():
        there = sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
        raise CxkitError(
            f"There is no workshop folder {workshop} in {root}. "
            f"Folders with notebooks here: {', '.join(there) or 'none'}. Run cxkit submit in "
            "your workspace, the folder JupyterLab opened in."
        )
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        raise CxkitError(f"{folder} holds no notebook (.ipynb) to hand in.")
    notes, contents = [], {}
    for path in notebooks:
        try:
            parsed = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise CxkitError(
                f"{path.name} is not a readable notebook ({err}). Open it in JupyterLab: if it "
                "will not open, ask your facilitator for a fresh copy and paste your answers in."
            ) from err
        if _answered(parsed) == 0:
            notes.append(f"{path.name} has no answer filled in yet. Did you save it (Ctrl+S)?")
        contents[path.name] = path.read_bytes()
    target = root / f"{workshop}_{participant}_{stamp}.zip"
    partial = target.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(f"{workshop}_{participant}_attempt_{stamp}_{name}", data)
    partial.replace(target)
    return Submission(target, list(contents), notes)
