"""The facilitator's room commands: ``cxkit room start|status|stop|codes|kubernetes``.

``cxkit.cli`` assembles the one ``cxkit`` command; :func:`add_commands` adds
the ``room`` group to it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cxkit.room.kubernetes import add_kubernetes_command


def _course(args: argparse.Namespace) -> object:
    from cxkit.course.directory import Course, default_root

    return Course(args.course or default_root())


def _start(args: argparse.Namespace) -> int:
    from cxkit.room.run import start

    opened = start(
        _course(args),  # type: ignore[arg-type]
        ip=args.ip,
        port=args.port,
        url=args.url,
        facilitators=args.facilitator,
        memory_mb=args.memory,
        cpus=args.cpus,
        cull_minutes=args.cull_after,
    )
    print(opened.summary(), flush=True)
    return 0


def _status(args: argparse.Namespace) -> int:
    from cxkit.room.status import report

    print(report(_course(args)))  # type: ignore[arg-type]
    return 0


def _stop(args: argparse.Namespace) -> int:
    from cxkit.room.run import stop

    print(stop(_course(args)))  # type: ignore[arg-type]
    return 0


def _codes(args: argparse.Namespace) -> int:
    from cxkit.room.run import reissue

    sheet, ids = reissue(_course(args), args.ids)  # type: ignore[arg-type]
    print(f"New codes for {', '.join(ids)} (their earlier codes no longer work).")
    print(f"  the sheet to print: {sheet}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``room start|status|stop|codes`` to the ``cxkit`` command."""
    room = commands.add_parser(
        "room", help="facilitators: a workshop room (JupyterHub) for the roster"
    )
    steps = room.add_subparsers(dest="room_step", required=True, metavar="STEP")
    course = argparse.ArgumentParser(add_help=False)
    course.add_argument(
        "--course", "--course-dir", type=Path, help="the course folder (default: here)"
    )
    start = steps.add_parser(
        "start", parents=[course], help="open the room in the background; print the codes' sheet"
    )
    start.add_argument("--port", type=int, default=8000, help="the port participants use (8000)")
    start.add_argument("--ip", default="0.0.0.0", help="the address to listen on (all)")
    start.add_argument("--url", help="the address printed on the sheet (this machine's name)")
    start.add_argument(
        "--facilitator",
        action="append",
        metavar="NAME",
        help="an account with the hub's admin rights (repeat for several; kept for later starts)",
    )
    start.add_argument("--memory", type=int, metavar="MB", help="memory per participant (2048)")
    start.add_argument("--cpus", type=float, help="CPUs per participant (1)")
    start.add_argument(
        "--cull-after", type=int, metavar="MINUTES", help="stop idle servers after (60)"
    )
    start.set_defaults(func=_start)
    steps.add_parser(
        "status", parents=[course], help="who logged in, fetched and submitted, and when"
    ).set_defaults(func=_status)
    steps.add_parser(
        "stop", parents=[course], help="close the room; every file and submission stays"
    ).set_defaults(func=_stop)
    codes = steps.add_parser(
        "codes", parents=[course], help="new one-time codes (all, or for the ids given)"
    )
    codes.add_argument("ids", nargs="*", metavar="ID", help="participants (default: everyone)")
    codes.set_defaults(func=_codes)
    add_kubernetes_command(steps)
