"""The way into a room: a personal one-time code per account, and the sheet that hands them out.

A code is three groups of four capital letters (``KMTP-RWAC-HDXE``), without
letters that read like digits or like each other (I, L, O, Q, B, S, Z). Only a
salted hash is kept, in ``codes.json``; the code itself exists on the printed
sheet alone. A code works once: the participant is then kept logged in by the
hub's cookie, and a code used again is refused (the facilitator issues a new
one with ``cxkit room codes ID``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import html
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from cxkit.room.state import Account, Room, read, write

LETTERS = "ACDEFGHJKMNPRTUVWXY"
GROUPS, GROUP = 3, 4


class Verdict(StrEnum):
    """What a login attempt with a code comes to."""

    OK = "ok"
    UNKNOWN = "unknown"  # no such account: not on the roster
    NO_CODE = "no code"  # an account without a code issued
    WRONG = "wrong"
    USED = "used"


def new_code() -> str:
    """A fresh random code, e.g. ``KMTP-RWAC-HDXE`` (19**12, about 2e15 possibilities)."""
    groups = ["".join(secrets.choice(LETTERS) for _ in range(GROUP)) for _ in range(GROUPS)]
    return "-".join(groups)


def normal(code: str) -> str:
    """A code as typed, compared without case, spaces or dashes.

    Examples
    --------
    >>> normal(" kmtp rwac-hdxe ")
    'KMTPRWACHDXE'
    """
    return "".join(c for c in code.upper() if c.isalnum())


def _hash(code: str, salt: bytes) -> str:
    digest = hashlib.scrypt(normal(code).encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return digest.hex()


@contextlib.contextmanager
def _locked(room: Room) -> Iterator[Path]:
    """``codes.json``, held against the hub and other commands changing it at once."""
    room.root.mkdir(parents=True, exist_ok=True)
    with (room.root / "codes.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield room.root / "codes.json"
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def issue(room: Room, ids: list[str]) -> dict[str, str]:
    """New codes for ``ids`` (an earlier code of theirs stops working); returns id -> code."""
    issued = {account: new_code() for account in ids}
    with _locked(room) as path:
        stored = read(path, {})
        for account, code in issued.items():
            salt = secrets.token_bytes(16)
            stored[account] = {
                "salt": salt.hex(),
                "hash": _hash(code, salt),
                "issued": _now(),
                "used": None,
            }
        write(path, stored)
    return issued


def without_code(room: Room, accounts: dict[str, Account]) -> list[str]:
    """The accounts that have never had a code (new on the roster)."""
    stored = read(room.root / "codes.json", {})
    return [a for a in accounts if a not in stored]


def used(room: Room) -> dict[str, str | None]:
    """When each account's current code was used (None: not yet)."""
    return {k: v["used"] for k, v in read(room.root / "codes.json", {}).items()}


def check(room: Room, account: str, code: str) -> Verdict:
    """Whether ``code`` lets ``account`` in now; a code that does is used up."""
    if account not in room.accounts():
        return Verdict.UNKNOWN
    with _locked(room) as path:
        stored = read(path, {})
        entry = stored.get(account)
        if entry is None:
            return Verdict.NO_CODE
        if not hmac.compare_digest(entry["hash"], _hash(code, bytes.fromhex(entry["salt"]))):
            return Verdict.WRONG
        if entry["used"]:
            return Verdict.USED
        entry["used"] = _now()
        write(path, stored)
    return Verdict.OK


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


SHEET_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #111; }
h1 { font-size: 1.3em; }
.slip { border: 1px dashed #555; padding: 0.8em 1.2em; margin: 0 0 1em;
        page-break-inside: avoid; break-inside: avoid; }
.slip h2 { margin: 0 0 0.2em; font-size: 1.2em; }
.who { color: #333; margin: 0 0 0.6em; }
.code { font-family: ui-monospace, monospace; font-size: 1.8em; letter-spacing: 0.08em;
        font-weight: bold; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; margin: 0; }
dt { font-weight: bold; }
dd { margin: 0; }
.note { font-size: 0.9em; color: #333; }
@media print {
  body { margin: 0; }
  .intro { display: none; }
  .slip { margin: 0 0 0.6cm; }
  .slip:nth-of-type(4n) { page-break-after: always; break-after: page; }
}
"""


def sheet(room: Room, issued: dict[str, str], url: str) -> Path:
    """Write the printable sheet of ``issued`` codes (offline HTML); return its path.

    One slip per person: name, department, e-mail, id, code and the room's
    address, four to a printed page, to cut apart and hand out.
    """
    accounts = room.accounts()
    slips = "\n".join(
        _slip(accounts[a], code, url) for a, code in sorted(issued.items()) if a in accounts
    )
    stamp = datetime.now(UTC)
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Room codes, {stamp:%Y-%m-%d %H:%M} UTC</title>\n"
        f"<style>{SHEET_STYLE}</style>\n</head>\n<body>\n"
        f'<div class="intro"><h1>Codes for the workshop room ({len(issued)})</h1>\n'
        "<p>Print this page, cut the slips apart and give each person their own: check the "
        "name and e-mail address before you hand it over. Each code works once.</p></div>\n"
        f"{slips}\n</body>\n</html>\n"
    )
    path = room.root / "sheets" / f"codes-{stamp:%Y%m%d-%H%M%S}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _slip(account: Account, code: str, url: str) -> str:
    e = html.escape
    return (
        '<section class="slip">\n'
        f"<h2>{e(account.name)}</h2>\n"
        f'<p class="who">{e(account.department)}'
        f"{' &middot; ' + e(account.email) if account.email else ''}</p>\n"
        "<dl>\n"
        f"<dt>Go to</dt><dd>{e(url)}</dd>\n"
        f"<dt>Your id</dt><dd><strong>{e(account.id)}</strong></dd>\n"
        f'<dt>Your code</dt><dd class="code">{e(code)}</dd>\n'
        "</dl>\n"
        '<p class="note">Type your id and code on the sign-in page. The code works once: '
        "after that this browser keeps you signed in. Keep it to yourself.</p>\n"
        "</section>"
    )
