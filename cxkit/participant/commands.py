"""The participant's commands: ``cxkit lab`` and ``cxkit submit``.

``cxkit.cli`` assembles the one ``cxkit`` command; these two are the ones a
participant types (in a terminal in JupyterLab), kept apart from the
facilitator's. Like the helpers, they never import the facilitator side.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _lab(args: argparse.Namespace) -> int:
    from cxkit.participant import lab

    workspace = lab.prepare(args.workspace, args.workshops or None)
    print(workspace.summary(), flush=True)
    if args.no_start:
        return 0
    return lab.start(workspace.root, args.port)


def _submit(args: argparse.Namespace) -> int:
    from cxkit.participant.submit import submit

    print(submit(_workshop_name(args.workshop, args.workspace), args.id, args.workspace).summary())
    return 0


def _workshop_name(given: str, workspace: Path) -> str:
    """A workshop folder from its full name or its number ("00")."""
    if (workspace / given).is_dir():
        return given
    found = sorted(p.name for p in workspace.glob(f"{given}-*") if p.is_dir())
    return found[0] if len(found) == 1 else given


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``lab`` and ``submit`` to the ``cxkit`` command."""
    lab = commands.add_parser(
        "lab", help="participants: copy the released notebooks into a workspace, open JupyterLab"
    )
    lab.add_argument(
        "workspace", nargs="?", type=Path, default=Path("workspace"), help="(./workspace)"
    )
    lab.add_argument("--workshops", nargs="*", help="default: every released workshop")
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--no-start", action="store_true", help="prepare the workspace only")
    lab.set_defaults(func=_lab)
    sub = commands.add_parser("submit", help="participants: zip a workshop to hand in")
    sub.add_argument("workshop", help='the workshop folder, or its number such as "00"')
    sub.add_argument("--id", required=True, help="your participant id, e.g. jo.smith")
    sub.add_argument("--workspace", type=Path, default=Path("."), help="folder holding it (here)")
    sub.set_defaults(func=_submit)
