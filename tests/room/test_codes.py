"""One-time codes and the sheet: without a hub."""

from __future__ import annotations

import re
import threading

import pytest

from cxkit.room import codes
from cxkit.room.state import Room, accounts_from_roster


@pytest.fixture
def room(course):
    room = Room(course)
    room.prepare()
    room.save_accounts(accounts_from_roster(room.course, ["fac"]))
    return room


def test_a_code_is_three_readable_groups():
    """Is a code three groups of four letters, none of them easily misread?"""
    for _ in range(200):
        code = codes.new_code()
        assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}-[A-Z]{4}", code)
        assert not set(code) & set("ILOQBSZ0125")


def test_a_code_works_once_and_only_for_its_account(room):
    """Does a code let its own account in once, typed in any case, and never another?"""
    issued = codes.issue(room, ["ana", "ben"])
    assert codes.check(room, "ben", issued["ana"]) is codes.Verdict.WRONG
    assert (
        codes.check(room, "ana", f" {issued['ana'].lower().replace('-', ' ')} ") is codes.Verdict.OK
    )
    assert codes.check(room, "ana", issued["ana"]) is codes.Verdict.USED
    assert codes.check(room, "zoe", issued["ana"]) is codes.Verdict.UNKNOWN
    assert codes.check(room, "fac", "AAAA-AAAA-AAAA") is codes.Verdict.NO_CODE
    assert codes.used(room)["ana"] is not None and codes.used(room)["ben"] is None


def test_only_a_hash_of_the_code_is_kept(room):
    """Is the code itself nowhere in the room's files?"""
    code = codes.issue(room, ["ana"])["ana"]
    stored = (room.root / "codes.json").read_text()
    assert code not in stored and code.replace("-", "") not in stored


def test_a_new_code_replaces_the_old_one(room):
    """After cxkit room codes ana, does the old code stop working and the new one work?"""
    old = codes.issue(room, ["ana"])["ana"]
    new = codes.issue(room, ["ana"])["ana"]
    assert codes.check(room, "ana", old) is codes.Verdict.WRONG
    assert codes.check(room, "ana", new) is codes.Verdict.OK


def test_two_logins_at_once_use_a_code_once(room):
    """Do two sign-ins racing with the same code let exactly one in?"""
    code = codes.issue(room, ["ben"])["ben"]
    verdicts: list[codes.Verdict] = []
    threads = [
        threading.Thread(target=lambda: verdicts.append(codes.check(room, "ben", code)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(verdicts) == sorted([codes.Verdict.OK] + [codes.Verdict.USED] * 3)


def test_the_sheet_is_one_printable_offline_slip_per_person(room, read_sheet):
    """Does the sheet give each person's name, department, e-mail, id, code and address, offline?"""
    issued = codes.issue(room, ["ana", "ben"])
    page = codes.sheet(room, issued, "http://room.example.org:8000/")
    html = page.read_text()
    assert read_sheet(page) == issued
    assert html.count('class="slip"') == 2
    for text in ("Ana Adams", "accounting", "ana@example.com", "Ben Bakker", "logistics"):
        assert text in html
    assert html.count("http://room.example.org:8000/") == 2
    assert "@media print" in html and "break-inside: avoid" in html
    assert not re.search(r"(src|href)=|@import|url\(", html)  # nothing loads from anywhere
