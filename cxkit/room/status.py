"""Who is in the room: logged in, lab running, workshops fetched, submitted, feedback, and when.

Read from the running hub's REST API (with the room's service token), the
room's codes (when each was used) and the exchange's folders
(:func:`cxkit.room.exchange.progress`). A stopped room still shows what its
folders say.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from cxkit.course.directory import Course
from cxkit.room import codes, hub
from cxkit.room.state import Room

COLUMNS = ["id", "name", "department", "logged in", "server", "fetched", "submitted", "feedback"]


def table(course: Course) -> pd.DataFrame:
    """One row per account: when they logged in, their server, what they fetched and submitted."""
    room = Room(course)
    accounts = room.accounts()
    servers = _servers(room) if hub.pid(room) is not None else {}
    used = codes.used(room)
    fetched, submitted, feedback = _progress(course)
    rows = []
    for name, account in sorted(accounts.items()):
        rows.append(
            [
                name,
                account.name,
                account.department,
                _short(used.get(name)) or "-",
                servers.get(name, "stopped" if servers else "-"),
                ", ".join(fetched.get(name, [])) or "-",
                ", ".join(submitted.get(name, [])) or "-",
                ", ".join(feedback.get(name, [])) or "-",
            ]
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _servers(room: Room) -> dict[str, str]:
    """Each user's server as words: "running since 09:12, active 09:40", or "stopped"."""
    found = {}
    for user in hub.api(room, "users"):
        server: dict[str, Any] = (user.get("servers") or {}).get("", {})
        if server.get("ready"):
            found[user["name"]] = (
                f"running since {_short(server.get('started'))}, "
                f"active {_short(server.get('last_activity'))}"
            )
        elif server:
            found[user["name"]] = "starting" if server.get("pending") == "spawn" else "stopping"
        else:
            found[user["name"]] = "stopped"
    return found


def _progress(course: Course) -> tuple[dict[str, list[str]], ...]:
    """Per participant: workshops fetched, submitted (when, late) and given feedback (when)."""
    from cxkit.room.exchange import progress

    fetched: dict[str, list[str]] = {}
    submitted: dict[str, list[str]] = {}
    feedback: dict[str, list[str]] = {}
    for row in progress(course).itertuples(index=False):
        if row.fetched:
            fetched.setdefault(row.participant, []).append(row.workshop)
        if row.submissions:
            late = " late" if row.late else ""
            when = _short(row.submitted)
            submitted.setdefault(row.participant, []).append(f"{row.workshop} {when}{late}")
        if row.feedback is not None and not pd.isna(row.feedback):
            returned = f"{row.workshop} {_short(row.feedback)}"
            feedback.setdefault(row.participant, []).append(returned)
    return fetched, submitted, feedback


def _short(moment: Any) -> str:
    """A time as the room shows it: "12-06 09:12" (UTC), or "" for none."""
    if moment is None or (isinstance(moment, float) and pd.isna(moment)):
        return ""
    when = moment if isinstance(moment, datetime) else pd.Timestamp(str(moment)).to_pydatetime()
    return f"{when:%m-%d %H:%M}"


def report(course: Course) -> str:
    """The status table as text, with a line saying whether the room runs and where."""
    room = Room(course)
    if not room.accounts():
        return f"The course in {course.root} has no room yet. Start one: cxkit room start"
    running = hub.pid(room)
    head = (
        f"The room is running at {room.settings().url} (process {running}); times in UTC."
        if running is not None
        else "The room is not running (cxkit room start opens it again); times in UTC."
    )
    return head + "\n" + table(course).to_string(index=False)
