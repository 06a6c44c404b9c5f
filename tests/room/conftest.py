"""A real workshop room for the tests: JupyterHub and its proxy on 127.0.0.1, always stopped.

``open_room(course)`` starts a room for a course (``cxkit room start`` on a
free port) and returns a :class:`RunningRoom`: its address, everyone's codes
from the printed sheet, and helpers to log in by the sign-in page, call the
hub's REST API, start a participant's server and run code in their kernel.
Every room a test opened is stopped when it ends, passed or failed.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import minicourse as mc
import pytest
import requests

from cxkit.course.directory import Course
from cxkit.course.roster import import_roster
from cxkit.room import hub, run
from cxkit.room.state import Room

ROSTER = (
    "id,name,email,department\n"
    "ana,Ana Adams,ana@example.com,accounting\n"
    "ben,Ben Bakker,ben@example.com,logistics\n"
)
MEMORY_MB = 800  # the shared room's limit per participant: a lab and a kernel fit well within
SLIP = re.compile(
    r"<strong>(?P<id>[^<]+)</strong></dd>\s*<dt>Your code</dt><dd class=\"code\">(?P<code>[^<]+)<"
)


def codes_on(sheet: Path) -> dict[str, str]:
    """Each id and code printed on a sheet, as a participant reads them off their slip."""
    return {m["id"]: m["code"] for m in SLIP.finditer(sheet.read_text(encoding="utf-8"))}


@dataclass
class RunningRoom:
    """A room started by a test."""

    course: Course
    opened: run.Opened
    codes: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def login_error(page: str) -> str:
        """The message the sign-in page shows after a refused login."""
        import html

        found = re.search(r'class="login_error">([^<]*)<', page)
        return html.unescape(found.group(1)) if found else ""

    @property
    def room(self) -> Room:
        return Room(self.course)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.opened.settings.port}"

    def login(
        self, user: str, code: str | None = None
    ) -> tuple[requests.Session, requests.Response]:
        """Sign in on the page as a participant would; the session and the answer (not followed)."""
        session = requests.Session()
        session.get(f"{self.url}/hub/login", timeout=30)
        answer = session.post(
            f"{self.url}/hub/login",
            data={
                "username": user,
                "password": self.codes.get(user, "") if code is None else code,
                "_xsrf": session.cookies.get("_xsrf", ""),
            },
            allow_redirects=False,
            timeout=60,
        )
        return session, answer

    def api(self, path: str, method: str = "GET", body: Any = None) -> Any:
        return hub.api(self.room, path, method, body)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.room.secret('service_token')}"}

    def start_server(self, user: str, timeout: float = 150) -> float:
        """Start a participant's server through the REST API; the seconds until it is ready."""
        started = time.monotonic()
        if not (self.api(f"users/{user}")["servers"].get("") or {}).get("ready"):
            self.api(f"users/{user}/server", "POST")
        while time.monotonic() - started < timeout:
            server = self.api(f"users/{user}")["servers"].get("")
            if server and server["ready"]:
                return time.monotonic() - started
            time.sleep(0.5)
        raise AssertionError(f"{user}'s server was not ready within {timeout} s")

    def stop_server(self, user: str, timeout: float = 60) -> None:
        """Stop a participant's server through the REST API and wait until it is gone."""
        self.api(f"users/{user}/server", "DELETE")
        deadline = time.monotonic() + timeout
        while self.api(f"users/{user}")["servers"]:
            assert time.monotonic() < deadline, f"{user}'s server did not stop"
            time.sleep(0.3)

    def server(self, user: str, path: str, method: str = "GET", **kw: Any) -> requests.Response:
        """A request to a participant's server (its REST API), with the room's token."""
        return requests.request(
            method, f"{self.url}/user/{user}/{path}", headers=self.headers(), timeout=60, **kw
        )

    def kernel(self, user: str) -> str:
        """Start a kernel (the default one) in a participant's server; its id."""
        answer = self.server(user, "api/kernels", "POST", json={})
        answer.raise_for_status()
        return str(answer.json()["id"])

    def run_code(self, user: str, kernel: str, code: str, timeout: float = 120) -> str:
        """Run ``code`` in a participant's kernel; its printout, errors as ``ERROR name: value``.

        A kernel that dies ends the printout with ``KERNEL RESTARTING`` (or ``DEAD``).
        """
        return asyncio.run(self._run(user, kernel, code, timeout))

    async def _run(self, user: str, kernel: str, code: str, timeout: float) -> str:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        ws_url = (
            f"ws://127.0.0.1:{self.opened.settings.port}/user/{user}/api/kernels/{kernel}/channels"
        )
        socket = await websocket_connect(HTTPRequest(ws_url, headers=self.headers()))
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": "execute_request", "username": user}
        header |= {"session": uuid.uuid4().hex, "version": "5.3", "date": ""}
        content = {"code": code, "silent": False, "store_history": False}
        content |= {"user_expressions": {}, "allow_stdin": False}
        message = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
        await socket.write_message(json.dumps({**message, "channel": "shell", "buffers": []}))
        out: list[str] = []
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                raw = await asyncio.wait_for(socket.read_message(), deadline - time.monotonic())
                if raw is None:
                    raise AssertionError("the kernel's connection closed")
                reply = json.loads(raw)
                state = reply["content"].get("execution_state")
                if reply["msg_type"] == "status" and state in ("restarting", "dead"):
                    return "".join(out) + f"KERNEL {state.upper()}\n"
                if reply.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, body = reply["msg_type"], reply["content"]
                if kind == "stream":
                    out.append(body["text"])
                elif kind == "error":
                    out.append(f"ERROR {body['ename']}: {body['evalue']}\n")
                elif kind == "status" and body["execution_state"] == "idle":
                    return "".join(out)
        finally:
            socket.close()
        raise AssertionError(f"the code did not finish within {timeout} s")


def room_course(folder: Path) -> Course:
    """A small course (workshop ``mini``) with Ana and Ben on its roster."""
    root = mc.make_course(folder / "course")
    (folder / "roster.csv").write_text(ROSTER)
    course = Course(root)
    import_roster(course, folder / "roster.csv")
    return course


def free_port() -> int:
    return hub.free_port()


@pytest.fixture
def course(tmp_path: Path) -> Course:
    """A small course with Ana and Ben on its roster, and no room yet."""
    return room_course(tmp_path)


@pytest.fixture
def read_sheet() -> Callable[[Path], dict[str, str]]:
    """Read each id and code off a printed sheet."""
    return codes_on


@pytest.fixture
def open_room() -> Iterator[Callable[..., RunningRoom]]:
    """Start rooms (``open_room(course, facilitators=[...])``); each is stopped at the end."""
    opened: list[Course] = []

    def start(course: Course, facilitators: list[str] | None = None, **kw: Any) -> RunningRoom:
        opened.append(course)
        result = run.start(
            course, ip="127.0.0.1", port=free_port(), facilitators=facilitators or [], **kw
        )
        codes = codes_on(result.sheet) if result.sheet is not None else {}
        return RunningRoom(course, result, codes)

    yield start
    for course in opened:
        run.stop(course)


@pytest.fixture(scope="module")
def shared_room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRoom]:
    """One room for a module's tests (Ana, Ben and the facilitator "fac"); stopped at its end."""
    course = room_course(tmp_path_factory.mktemp("room"))
    result = run.start(
        course, ip="127.0.0.1", port=free_port(), facilitators=["fac"], memory_mb=MEMORY_MB
    )
    try:
        assert result.sheet is not None
        yield RunningRoom(course, result, codes_on(result.sheet))
    finally:
        run.stop(course)
