"""The facilitator's commands after a workshop: ``commitments``, ``refresher`` and ``programme``.

::

    cxkit commitments 01                      collect the commitments of workshop 01
    cxkit commitments 01 --kept jo.smith yes  record one as kept (yes, no or partly)
    cxkit refresher make accounting           a 10-minute refresher on the sample
    cxkit refresher make accounting --data exports/ --questions 5
    cxkit refresher make accounting --workshop 10-refunds-revenue
    cxkit programme                           the programme report (offline HTML)

``cxkit.cli`` adds them with :func:`add_commands`.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from cxkit.course.directory import Course
from cxkit.errors import CxkitError


def _course(args: argparse.Namespace) -> Course:
    from cxkit.course.directory import default_root

    return Course(args.course_dir or default_root(), args.db_url)


def _commitments(args: argparse.Namespace) -> int:
    from cxkit.course.commitments import collect_commitments, record_kept

    course = _course(args)
    if args.kept:
        participant, answer = args.kept
        row = record_kept(course, args.workshop, participant, answer)
        print(
            f"{participant}'s commitment in {row['workshop']} "
            f"({row['change'] or 'no change written'}): kept = {row['kept']}."
        )
        return 0
    print(collect_commitments(course, args.workshop).summary())
    return 0


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CxkitError(f'--date "{text}" is not a date written YYYY-MM-DD.') from None


def _refresher_make(args: argparse.Namespace) -> int:
    from cxkit.course.refresher import make

    made = make(
        _course(args),
        args.department,
        data=args.data,
        count=args.questions,
        day=_day(args.date),
        seed=args.seed,
        workshop=args.workshop,
    )
    print(made.summary())
    return 0


def _programme(args: argparse.Namespace) -> int:
    from cxkit.course.programme import render

    print(f"Wrote {render(_course(args), args.out)}")
    return 0


def _course_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--course-dir",
        type=Path,
        default=None,
        help="nbgrader course folder (default: here if it has source/, else cxkit's clone)",
    )
    options.add_argument(
        "--db-url",
        default=None,
        help="gradebook as an SQLAlchemy URL (default: sqlite in the course folder)",
    )
    return options


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``commitments``, ``refresher make`` and ``programme`` to the ``cxkit`` command."""
    course = _course_options()
    found = commands.add_parser(
        "commitments",
        parents=[course],
        help="facilitators: collect the commitments of a workshop into commitments.csv",
    )
    found.add_argument("workshop", help='the workshop, or its number such as "01"')
    found.add_argument(
        "--kept",
        nargs=2,
        metavar=("PARTICIPANT", "ANSWER"),
        help="record whether a participant kept their commitment: yes, no or partly",
    )
    found.set_defaults(func=_commitments)

    refresher = commands.add_parser("refresher", help="facilitators: short graded refreshers")
    steps = refresher.add_subparsers(dest="refresher_step", required=True, metavar="STEP")
    make = steps.add_parser(
        "make",
        parents=[course],
        help="write source/refresher-<department>-<date>/ from the department's questions",
    )
    make.add_argument("department", help="e.g. accounting, logistics, it, legal, marketing ...")
    make.add_argument(
        "--data", type=Path, default=None, help="the newest data, a folder of CSV files (sample)"
    )
    make.add_argument("--questions", type=int, default=4, help="how many, 3 to 5 (4)")
    make.add_argument("--date", default=None, help="the refresher's date, YYYY-MM-DD (today)")
    make.add_argument("--seed", default=None, help="draws other questions (default: the date)")
    make.add_argument(
        "--workshop",
        default=None,
        help="the workshop the questions are on, where a department has two "
        "(accounting: 10-refunds-revenue; default: its first)",
    )
    make.set_defaults(func=_refresher_make)

    report = commands.add_parser(
        "programme",
        parents=[course],
        help="facilitators: the programme report, per department over time (offline HTML)",
    )
    report.add_argument(
        "--out", type=Path, default=None, help="the page (reports/programme.html in the course)"
    )
    report.set_defaults(func=_programme)
