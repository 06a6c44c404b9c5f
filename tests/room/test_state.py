"""The room's accounts from the roster, and what the room refuses before it starts."""

from __future__ import annotations

import socket
import sys

import pytest

from cxkit.errors import CxkitError
from cxkit.room import hub
from cxkit.room.state import Room, accounts_from_roster


def _roster(course, text: str) -> None:
    (course.root / ".cxkit" / "roster.csv").write_text(text)


def test_one_account_per_participant_and_facilitator(course):
    """Does each roster line become an account, and each facilitator an admin account?"""
    accounts = accounts_from_roster(course, ["fac"])
    assert sorted(accounts) == ["ana", "ben", "fac"]
    assert accounts["ana"].email == "ana@example.com" and not accounts["ana"].admin
    assert accounts["fac"].admin


def test_a_roster_with_a_repeated_id_is_refused(course):
    """Is a roster that gives two people the same id refused, naming the id and the fix?"""
    _roster(
        course,
        "id,name,email,department\nana,Ana Adams,ana@example.com,accounting\n"
        "ana,Ana Other,other@example.com,legal\n",
    )
    with pytest.raises(CxkitError, match=r"the id ana appears more than once.*roster import"):
        accounts_from_roster(course, [])


def test_a_participant_without_an_email_is_refused(course):
    """Is a participant without an e-mail address refused, saying why the sheet needs it?"""
    _roster(
        course,
        "id,name,email,department\nana,Ana Adams,ana@example.com,accounting\n"
        "ben,Ben Bakker,,logistics\n",
    )
    with pytest.raises(CxkitError, match=r"ben has no e-mail address.*right person"):
        accounts_from_roster(course, [])


def test_an_empty_roster_and_a_facilitator_named_like_a_participant_are_refused(course):
    """Is a room without participants, or with a facilitator called ana, refused?"""
    with pytest.raises(CxkitError, match="has the id of a participant"):
        accounts_from_roster(course, ["ana"])
    _roster(course, "id,name,email,department\n")
    with pytest.raises(CxkitError, match="is empty.*cxkit roster import"):
        accounts_from_roster(course, [])


def test_a_port_in_use_is_named_with_how_to_choose_another():
    """Does a port something already listens on stop the start, saying which and what to do?"""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(
            CxkitError, match=rf"Port {port} on 127.0.0.1 is already in use.*--port"
        ):
            hub.check_port("127.0.0.1", port)


def test_no_node_is_named_with_how_to_install_it(monkeypatch, tmp_path):
    """Without Node.js on the PATH, does the start say how to install it?"""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CxkitError, match="Node.js is not installed.*apt install nodejs npm"):
        hub.check_tools()


def test_a_missing_proxy_is_named_with_how_to_install_it(monkeypatch, tmp_path):
    """Without configurable-http-proxy, does the start name the command that installs it?"""
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    with pytest.raises(CxkitError, match="configurable-http-proxy is not installed.*make"):
        hub.check_tools()


def test_a_secret_is_made_once_and_kept_private(course):
    """Is a room secret the same at every read, in a file only its owner may read?"""
    room = Room(course)
    first = room.secret("service_token")
    assert room.secret("service_token") == first and len(first) == 64
    assert (room.root / "secrets" / "service_token").stat().st_mode & 0o077 == 0


def test_no_bubblewrap_is_named_with_how_to_install_it(monkeypatch):
    """Where labs cannot be sandboxed, does the start refuse, saying how to install bubblewrap?"""
    from cxkit.room import sandbox

    monkeypatch.setattr(sandbox, "problem", lambda: "bubblewrap (bwrap) is not installed")
    with pytest.raises(CxkitError, match=r"cannot be isolated here.*apt install bubblewrap"):
        hub.check_tools()
