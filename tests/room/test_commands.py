"""The ``cxkit room`` commands as a facilitator types them (without a hub)."""

from __future__ import annotations

import argparse

import pytest

from cxkit.errors import CxkitError
from cxkit.room.commands import add_commands


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxkit")
    add_commands(parser.add_subparsers(dest="command"))
    return parser


def test_start_takes_the_port_address_and_facilitators():
    """Does room start read --port, --ip, --course and repeated --facilitator, with defaults?"""
    args = _parser().parse_args(
        [
            "room",
            "start",
            "--port",
            "8010",
            "--course",
            "c",
            "--facilitator",
            "kim",
            "--facilitator",
            "lee",
        ]
    )
    assert (args.port, args.ip, str(args.course)) == (8010, "0.0.0.0", "c")
    assert args.facilitator == ["kim", "lee"] and args.memory is None
    default = _parser().parse_args(["room", "start"])
    assert (default.port, default.facilitator, default.course) == (8000, None, None)


def test_codes_before_any_room_says_how_to_start_one(course):
    """Does asking for codes in a course without a room say to start one?"""
    args = _parser().parse_args(["room", "codes", "ana", "--course", str(course.root)])
    with pytest.raises(CxkitError, match="has no room yet.*cxkit room start"):
        args.func(args)


def test_codes_for_someone_not_in_the_room_is_refused(course):
    """Is a code for an id that is no account refused, with a did-you-mean?"""
    from cxkit.room.state import Room, accounts_from_roster

    room = Room(course)
    room.prepare()
    room.save_accounts(accounts_from_roster(course, []))
    args = _parser().parse_args(["room", "codes", "anna", "--course", str(course.root)])
    with pytest.raises(CxkitError, match='No account "anna" in the room. Did you mean "ana"'):
        args.func(args)


def test_status_and_stop_of_a_room_never_started(course, capsys):
    """Do status and stop of a course without a room say so, and change nothing?"""
    for step in ("status", "stop"):
        args = _parser().parse_args(["room", step, "--course", str(course.root)])
        assert args.func(args) == 0
    shown = capsys.readouterr().out
    assert "has no room yet. Start one: cxkit room start" in shown
    assert "was not running (nothing to stop)" in shown
