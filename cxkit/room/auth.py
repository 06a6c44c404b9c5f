"""The room's login: a participant id and a one-time code, checked against the room folder.

:class:`RoomAuthenticator` is JupyterHub's authenticator for a room. Only the
accounts in the room's ``accounts.json`` (the roster, and the facilitators) get
in; each with the code printed for them on the sheet, once. Every refusal says
why and what to do, on the sign-in page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyterhub.auth import Authenticator
from tornado import web
from traitlets import Unicode

from cxkit.room import codes
from cxkit.room.state import Room

NOT_ON_ROSTER = (
    'There is no participant "{name}" in this room. Type the id printed on your slip '
    "(for example jo.smith), or ask the facilitator to add you to the roster."
)
WRONG = "That code is not the one for {name}. Check the code on your slip and type it again."
USED = (
    "The code for {name} has already been used. If that was not you, or you are on another "
    "computer, ask the facilitator for a new code (cxkit room codes {name})."
)
NO_CODE = "{name} has no code yet. Ask the facilitator for one (cxkit room codes {name})."

LOGIN_PAGE = """{% extends "templates/login.html" %}
{% block username_input %}
<label for="username_input">Your id (on your slip):</label>
<input id="username_input" type="text" autocapitalize="off" autocorrect="off"
       autocomplete="username" class="form-control" name="username"
       value="{{ username }}" autofocus="autofocus" />
{% endblock username_input %}
{% block password_input %}
<label for="password_input">Your code (on your slip):</label>
<input id="password_input" type="text" autocapitalize="characters" autocorrect="off"
       autocomplete="one-time-code" spellcheck="false" class="form-control"
       name="password" />
{% endblock password_input %}
"""


class RoomAuthenticator(Authenticator):
    """Sign in with a participant id and the one-time code printed on the sheet."""

    room_dir = Unicode(help="the room folder, <course>/.cxkit/room").tag(config=True)

    def _room_accounts(self) -> dict[str, str]:
        """Each account's id by its lower-case form (ids are typed in any case)."""
        from cxkit.room.state import read

        accounts = read(Path(self.room_dir) / "accounts.json", {})
        return {name.lower(): name for name in accounts}

    def normalize_username(self, username: str) -> str:
        """The account id as the roster writes it, whatever case was typed."""
        name = username.strip()
        return self._room_accounts().get(name.lower(), name)

    def check_allowed(self, username: str, authentication: Any = None) -> bool:
        """Only the room's accounts, read afresh (a code issued to a late joiner works)."""
        return username in self._room_accounts().values()

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:
        """The account id when the code lets it in; else a 403 whose message says why."""
        name = self.normalize_username(data.get("username", ""))
        verdict = codes.check(_room(Path(self.room_dir)), name, data.get("password", ""))
        if verdict is codes.Verdict.OK:
            return name
        shown = name[:40]
        message = {
            codes.Verdict.UNKNOWN: NOT_ON_ROSTER,
            codes.Verdict.WRONG: WRONG,
            codes.Verdict.USED: USED,
            codes.Verdict.NO_CODE: NO_CODE,
        }[verdict].format(name=shown)
        self.log.warning("Refused %r: %s", shown, verdict.value)
        raise web.HTTPError(403, message)


def _room(root: Path) -> Room:
    """The room whose folder is ``root`` (``<course>/.cxkit/room``)."""
    from cxkit.course.directory import Course

    return Room(Course(root.parent.parent))


def write_login_page(room: Room) -> Path:
    """Write the sign-in page's template for the hub; return its folder."""
    folder = room.hub / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "login.html").write_text(LOGIN_PAGE, encoding="utf-8")
    return folder
