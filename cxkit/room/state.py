"""The room folder of a course, ``<course>/.cxkit/room/``, and the accounts it serves.

Everything a room needs lives here, so a backup of the course keeps it and a
later ``cxkit room start`` finds it again::

    room.json          how the room was started (address, facilitators, limits)
    accounts.json      one account per participant and facilitator, from the roster
    codes.json         each account's one-time code, hashed, and when it was used
    secrets/           the hub's cookie secret and the tokens of its proxy and services
    hub/               JupyterHub's database, configuration, pid files and log
    sheets/            the printable sheets of codes (offline HTML)
    homes/<id>/        each participant's home: their work
    lab/<id>/          the settings their JupyterLab reads (read-only for them)
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cxkit.course.directory import Course
from cxkit.course.roster import roster
from cxkit.errors import CxkitError


@dataclass(frozen=True)
class Account:
    """One person who may log in to the room."""

    id: str
    name: str
    email: str
    department: str
    admin: bool = False  # a facilitator


@dataclass
class Settings:
    """How the room runs: kept in ``room.json`` and read by the hub's configuration."""

    ip: str = "0.0.0.0"
    port: int = 8000
    url: str = ""  # the address participants type, printed on the sheet
    facilitators: list[str] = field(default_factory=list)
    course_id: str = "cxkit"
    memory_mb: int = 2048  # per participant: their server and kernels together
    cpus: float = 1.0  # per participant
    processes: int = 256  # per participant
    cull_minutes: int = 60  # an idle server is stopped after this long (files stay)
    hub_port: int = 0  # the hub's own port on 127.0.0.1 (chosen free at start)
    proxy_api_port: int = 0  # the proxy's API port on 127.0.0.1 (chosen free at start)


@dataclass(frozen=True)
class Room:
    """The room folder of one course and the paths inside it."""

    course: Course

    @property
    def root(self) -> Path:
        return self.course.state / "room"

    @property
    def hub(self) -> Path:
        return self.root / "hub"

    def home(self, account: str) -> Path:
        """A participant's home on this machine: their work."""
        return self.root / "homes" / account

    def lab_config(self, account: str) -> Path:
        """The JupyterLab settings folder of one account (read-only inside their sandbox)."""
        return self.root / "lab" / account

    def secret(self, name: str) -> str:
        """A secret of the room (made on first use, kept for later starts)."""
        folder = self.root / "secrets"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / name
        if not path.is_file():
            path.touch(mode=0o600)
            path.write_text(secrets.token_hex(32), encoding="utf-8")
        return path.read_text(encoding="utf-8").strip()

    def prepare(self) -> None:
        """Create the room's folders; only the facilitator may read them."""
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        for name in ("hub", "homes", "lab", "sheets"):
            (self.root / name).mkdir(exist_ok=True)

    def settings(self) -> Settings:
        """The settings the room was last started with (defaults for a new room)."""
        return Settings(**read(self.root / "room.json", {}))

    def save_settings(self, settings: Settings) -> None:
        write(self.root / "room.json", asdict(settings))

    def accounts(self) -> dict[str, Account]:
        """The accounts of the room, by id (none before the first start)."""
        return {k: Account(**v) for k, v in read(self.root / "accounts.json", {}).items()}

    def save_accounts(self, accounts: dict[str, Account]) -> None:
        write(self.root / "accounts.json", {k: asdict(v) for k, v in accounts.items()})


def read(path: Path, default: Any) -> Any:
    """A JSON file of the room, or ``default`` when it is not there."""
    if not path.is_file():
        return default
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, value: Any) -> None:
    """Replace a JSON file of the room whole (never half written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(value, indent=1, default=str), encoding="utf-8")
    partial.replace(path)


def accounts_from_roster(course: Course, facilitators: list[str]) -> dict[str, Account]:
    """One account per participant on the course's roster, and one per facilitator.

    Raises
    ------
    CxkitError
        When the roster is empty, repeats an id or lacks a participant's e-mail
        address (the sheet prints it beside the code, so the right person gets
        it), or a facilitator's name is a participant's id.
    """
    people = roster(course)
    where = f"the roster of {course.root} (.cxkit/roster.csv)"
    if people.empty:
        raise CxkitError(
            f"{where} is empty: a room gives an account to each participant on it. Import "
            "one first: cxkit roster import roster.csv (columns id, name, email, department)."
        )
    repeated = sorted(set(people["id"][people["id"].duplicated()]))
    if repeated:
        raise CxkitError(
            f"In {where} the id {', '.join(repeated)} appears more than once: each participant "
            "needs an id of their own to log in. Fix the file and import it again "
            "(cxkit roster import roster.csv)."
        )
    missing = people["id"][people["email"].str.strip() == ""].tolist()
    if missing:
        raise CxkitError(
            f"In {where} {', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no "
            "e-mail address. The sheet of codes prints it beside each code so that each code "
            "reaches the right person: add it to the roster and import it again "
            "(cxkit roster import roster.csv)."
        )
    accounts = {
        row.id: Account(row.id, row.name, row.email, row.department)
        for row in people.itertuples(index=False)
    }
    for name in facilitators:
        if name in accounts:
            raise CxkitError(
                f'The facilitator "{name}" has the id of a participant on the roster. Give the '
                "facilitator account another name, e.g. --facilitator facilitator."
            )
        accounts[name] = Account(name, name, "", "facilitator", admin=True)
    return accounts
