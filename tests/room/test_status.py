"""cxkit room status from the room's folders, while the room is not running."""

from __future__ import annotations

from cxkit.room import codes
from cxkit.room.state import Room, accounts_from_roster
from cxkit.room.status import report, table


def test_status_reads_sign_ins_fetches_and_submissions_from_the_folders(course):
    """Without a hub: does the table show who signed in, fetched and submitted, and when?"""
    room = Room(course)
    room.prepare()
    room.save_accounts(accounts_from_roster(course, []))
    code = codes.issue(room, ["ana", "ben"])["ana"]
    assert codes.check(room, "ana", code) is codes.Verdict.OK
    outbound = room.root / "exchange" / course.course_id / "outbound" / "mini"
    outbound.mkdir(parents=True)
    (room.home("ana") / "mini").mkdir(parents=True)  # what nbgrader's Fetch makes
    inbound = room.root / "views" / "ana" / course.course_id / "inbound"
    (inbound / "ana+mini+2026-12-06 09:41:07.000000 UTC+x1").mkdir(parents=True)

    rows = table(course).set_index("id")
    assert list(rows.index) == ["ana", "ben"]
    assert rows.loc["ana", "logged in"] != "-" and rows.loc["ben", "logged in"] == "-"
    assert rows.loc["ana", "fetched"] == "mini" and rows.loc["ben", "fetched"] == "-"
    assert rows.loc["ana", "submitted"] == "mini 12-06 09:41"
    assert rows.loc["ben", "submitted"] == "-" and rows.loc["ana", "server"] == "-"
    assert rows.loc["ana", "feedback"] == "-"  # nothing returned yet
    shown = report(course)
    assert shown.startswith("The room is not running (cxkit room start opens it again)")
    assert "Ana Adams" in shown and "Ben Bakker" in shown
