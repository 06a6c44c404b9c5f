"""Starting, stopping and re-issuing codes: what ``cxkit room start|stop|codes`` do.

Each step reads the course (its roster and nbgrader's course id) and the room
folder, and changes nothing that holds work: homes, submissions and the hub's
database are kept by every step, so a room stopped or killed and started again
is the same room.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path

from cxkit.course.directory import Course
from cxkit.errors import CxkitError
from cxkit.room import codes, hub
from cxkit.room.state import Room, Settings, accounts_from_roster


@dataclass
class Opened:
    """What ``start`` did: the room's address, the sheet of new codes and the limits that hold."""

    url: str
    accounts: int
    sheet: Path | None
    enforced: list[str] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    log: Path | None = None  # the hub's log

    def summary(self) -> str:
        limits = ", ".join(self.enforced) or "none (cgroups are not writable here)"
        lines = [
            f"The room is open at {self.url} ({self.accounts} accounts).",
            f"  limits per participant: {self.settings.memory_mb} MB, "
            f"{self.settings.cpus:g} CPU, {self.settings.processes} processes; "
            f"enforced: {limits}",
            f"  idle servers stop after {self.settings.cull_minutes} minutes (their files stay)",
        ]
        if self.sheet is not None:
            lines.append(f"  the sheet of codes to print: {self.sheet}")
        else:
            lines.append("  everyone already has a code; new ones: cxkit room codes ID ...")
        lines.append(f"  the hub's log: {self.log}")
        lines.append("  who is there: cxkit room status; close it: cxkit room stop")
        return "\n".join(lines)


def start(
    course: Course,
    ip: str = "0.0.0.0",
    port: int = 8000,
    url: str | None = None,
    facilitators: list[str] | None = None,
    **limits: float,
) -> Opened:
    """Open the room: accounts from the roster, codes for newcomers, the hub in the background.

    ``facilitators`` and ``limits`` (``memory_mb``, ``cpus``, ``processes``,
    ``cull_minutes``) not given are those of the room's last start.

    Raises
    ------
    CxkitError
        For a roster the room cannot use, a room already running, a port in
        use, or Node.js, the proxy or bubblewrap missing.
    """
    from cxkit.room.sandbox import Limits, enforced, limit_groups, release

    room = Room(course)
    running = hub.pid(room)
    if running is not None:
        raise CxkitError(
            f"The room of {course.root} is already running (process {running}, "
            f"{room.settings().url}). Stop it first: cxkit room stop"
        )
    hub.check_tools()
    previous = room.settings()
    chosen = facilitators if facilitators is not None else previous.facilitators
    accounts = accounts_from_roster(course, chosen)
    hub.clear_leftovers(room)  # a proxy left by a hub that was killed holds the port
    hub.check_port(ip, port)
    settings = replace(
        previous,
        ip=ip,
        port=port,
        url=url or default_url(ip, port),
        facilitators=list(chosen),
        course_id=course.course_id,
        hub_port=hub.free_port(),
        proxy_api_port=hub.free_port(),
        **{k: type(getattr(previous, k))(v) for k, v in limits.items() if v is not None},
    )
    room.prepare()
    room.save_settings(settings)
    room.save_accounts(accounts)
    new = codes.without_code(room, accounts)
    sheet = codes.sheet(room, codes.issue(room, new), settings.url) if new else None
    probe = limit_groups(
        f"probe-{os.getpid()}", Limits(settings.memory_mb, settings.cpus, settings.processes)
    )
    holding = enforced(probe)
    release(probe)
    started = hub.launch(room, settings)
    return Opened(started.url, len(accounts), sheet, holding, settings, started.log)


def default_url(ip: str, port: int) -> str:
    """The address printed on the sheet: this machine's name when the room listens on all."""
    host = socket.getfqdn() if ip in ("0.0.0.0", "", "::") else ip
    return f"http://{host}:{port}/"


def reissue(course: Course, ids: list[str]) -> tuple[Path, list[str]]:
    """New codes for ``ids`` (everyone when empty), on a new sheet; earlier codes stop working.

    Returns the sheet and the ids it holds.

    Raises
    ------
    CxkitError
        When the room was never started, or an id is not one of its accounts.
    """
    from cxkit.errors import close_match

    room = Room(course)
    accounts = room.accounts()
    if not accounts:
        raise CxkitError(
            f"The course in {course.root} has no room yet. Start one: cxkit room start"
        )
    unknown = [i for i in ids if i not in accounts]
    if unknown:
        raise CxkitError(
            f'No account "{unknown[0]}" in the room.{close_match(unknown[0], accounts)} The '
            "accounts are the roster's ids and the facilitators; a participant added to the "
            "roster since gets an account at the next cxkit room start."
        )
    chosen = ids or sorted(accounts)
    return codes.sheet(room, codes.issue(room, chosen), room.settings().url), chosen


def stop(course: Course) -> str:
    """Close the room: the hub, its proxy and every server stop; all files stay."""
    room = Room(course)
    if hub.stop(room):
        return (
            f"The room of {course.root} is closed. Every home, submission and account is kept "
            f"in {room.root}; cxkit room start opens it again."
        )
    return f"The room of {course.root} was not running (nothing to stop)."
