"""The ``cxkit`` command (also ``python -m cxkit``): the entry point for everyone.

The facilitator's commands are defined here, but for the room's
(:mod:`cxkit.room.commands`) and the review of held points
(:mod:`cxkit.course.review`); the participant's two live in
:mod:`cxkit.participant.commands` and the analyst's scorecard in
:mod:`cxkit.scorecard.commands`.

One command for a whole workshop cycle::

    cxkit release 00                   participant notebooks, checked for leaks
    cxkit roster import roster.csv     who takes part, and their departments
    cxkit collect hand-ins/            place zips, folders and notebooks
    cxkit collect 00                   or take what was submitted in the workshop room
    cxkit grade 00                     grade in parallel, safely
    cxkit feedback 00                  one HTML page per participant
    cxkit report 00                    the facilitator report (offline HTML)
    cxkit status 00                    who handed in, who was graded, who failed and why
    cxkit accept 00 jo.smith           count points held for a look (or: cxkit reject)
    cxkit room start                   a workshop room: JupyterHub for the roster
    cxkit quickstart my-course         a new course folder from the shipped workshops
    cxkit demo                         all of the above on a simulated cohort
    cxkit scorecard --data export/ --mapping m.toml --out card/
                                       the organisation CX scorecard on your own data

and two for participants::

    cxkit lab                          your own copy of the notebooks, in JupyterLab
    cxkit submit 00 --id jo.smith      one zip to hand in, named for cxkit collect

Every course command takes ``--course-dir`` (any nbgrader course directory; by
default the current folder if it has a source/ folder, else the clone cxkit runs
from; an installed cxkit has none: start one with ``cxkit quickstart``)
and ``--db-url`` (any SQLAlchemy URL nbgrader accepts; by default SQLite in the
course folder).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from cxkit.patches import skip_iri_grammar

skip_iri_grammar()  # before anything imports jsonschema: a second saved on every command

from cxkit.course.directory import Course  # noqa: E402
from cxkit.course.programme_commands import add_commands as programme_commands  # noqa: E402
from cxkit.errors import CxkitError  # noqa: E402
from cxkit.participant.commands import add_commands as participant_commands  # noqa: E402
from cxkit.room.commands import add_commands as room_commands  # noqa: E402
from cxkit.scorecard.commands import add_commands as scorecard_commands  # noqa: E402


def _course(args: argparse.Namespace) -> Course:
    from cxkit.course.directory import default_root

    return Course(args.course_dir or default_root(), args.db_url)


def _generate(args: argparse.Namespace) -> int:
    from cxkit.data.generate import generate

    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if args.size != "sample":
            print(f"  {done:,} of {total:,} customers", file=sys.stderr, flush=True)

    rows = generate(args.out, size=args.size, seed=args.seed, progress=progress)
    width = max(len(t) for t in rows)
    for table, count in rows.items():
        print(f"  {table:<{width}}  {count:>12,} rows")
    seconds = time.perf_counter() - started
    print(f"Wrote {len(rows)} tables to {args.out} in {seconds:.1f} s.")
    if args.after:
        from cxkit.data.generate import generate_after

        generate_after(args.out, size=args.size, seed=args.seed, progress=progress)
        print(
            "Wrote the six months after the workshops (surveys_2026-07.csv to "
            f"surveys_2026-12.csv) and workshops.csv to {args.out}."
        )
    return 0


def _headline(args: argparse.Namespace) -> int:
    from cxkit.scorecard.headline import headline

    if args.data is not None:
        print(headline(args.data))
        return 0
    from cxkit.data.generate import generate

    with tempfile.TemporaryDirectory(prefix="cxkit-headline-") as folder:
        generate(folder)
        print("Generated the sample company into a temporary folder.\n")
        print(headline(folder))
    return 0


def _release(args: argparse.Namespace) -> int:
    from cxkit.course.release import release

    course = _course(args)
    names = [course.workshop(w) for w in args.workshops] or course.workshops()
    for name in names:
        written = release(name, course.root)
        print(f"Released {name}: {', '.join(str(p) for p in written)}")
    if args.due:
        _set_due(course, names, args.due)
    _release_to_room(course, names)
    return 0


def _release_to_room(course: Course, names: list[str]) -> None:
    """When the course has a workshop room, put the released workshops in its exchange."""
    from cxkit.room.exchange import has_room, release_to_room

    if not has_room(course):
        return
    for name in names:
        release_to_room(course, name)
    print(
        f"In the workshop room: {', '.join(names)}. Participants fetch it from the "
        "Assignments tab of their lab."
    )


def _set_due(course: Course, names: list[str], due: str) -> None:
    from datetime import datetime

    try:
        when = datetime.strptime(due, "%Y-%m-%d %H:%M")
    except ValueError:
        raise CxkitError(
            f'--due "{due}" is not a date and time written YYYY-MM-DD HH:MM (UTC).'
        ) from None
    with course.gradebook() as gradebook:
        for name in names:
            gradebook.update_or_create_assignment(name, duedate=when)
    print(f"Due date for {', '.join(names)}: {when:%Y-%m-%d %H:%M} UTC.")


def _roster_import(args: argparse.Namespace) -> int:
    from cxkit.course.roster import import_roster

    stored = import_roster(_course(args), args.file)
    departments = stored["department"].value_counts()
    print(
        f"The roster now has {len(stored)} participants: "
        + ", ".join(f"{n} {d}" for d, n in departments.items())
        + "."
    )
    return 0


def _collect(args: argparse.Namespace) -> int:
    from cxkit.course.collect import collect

    course = _course(args)
    path, name = args.path, args.workshop
    if path is not None and name is None and not path.exists() and _is_workshop(course, path):
        path, name = None, str(path)  # `cxkit collect 00`: the workshop, from the room
    workshop = course.workshop(name)
    if args.room or path is None:
        return _collect_from_room(course, workshop, path)
    result = collect(course, workshop, path)
    print(result.summary())
    return 0


def _is_workshop(course: Course, path: Path) -> bool:
    try:
        course.workshop(str(path))
    except CxkitError:
        return False
    return True


def _collect_from_room(course: Course, workshop: str, path: Path | None) -> int:
    from cxkit.room.exchange import collect_from_room, has_room

    if path is not None:
        raise CxkitError(
            f"Give either --room or a folder of hand-ins ({path}), not both: run "
            "`cxkit collect` once for each."
        )
    if not has_room(course):
        raise CxkitError(
            f"The course in {course.root} has no workshop room: give the folder, zip file or "
            "notebook to collect, e.g. `cxkit collect hand-ins/`."
        )
    print(f"From the workshop room: {collect_from_room(course, workshop).summary()}")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from cxkit.course.grade import grade
    from cxkit.course.status import status_text
    from cxkit.grading.settings import grading_settings

    course = _course(args)
    settings = grading_settings(course, _grading_overrides(args), "on the command line")
    workshop = course.workshop(args.workshop)
    if args.due:
        _set_due(course, [workshop], args.due)
    if args.watch:
        from cxkit.course.watch import watch

        if args.force:
            raise CxkitError(
                "--force regrades everything once; the watch grades what is new. Run "
                f"`cxkit grade {workshop} --force` first, then `cxkit grade {workshop} --watch`."
            )
        watch(course, workshop, settings, hand_ins=args.hand_ins, scheduler=args.scheduler)
        return 0
    if args.hand_ins is not None:
        raise CxkitError(
            f"--hand-ins is for --watch. To grade a folder of hand-ins once, run "
            f"`cxkit collect {args.hand_ins}`, then `cxkit grade {workshop}`."
        )
    grade(
        course,
        workshop,
        settings,
        force=args.force,
        show_progress=not args.quiet,
        scheduler=args.scheduler,
    )
    print(status_text(course, workshop))
    return 0


# The short flags of `cxkit grade` and the grading setting each one sets.
_SHORT_FLAGS = {"workers": "--workers", "cell_timeout": "--cell-timeout", "budget": "--budget"}


def _grading_overrides(args: argparse.Namespace) -> dict[str, object]:
    """The grading settings given for this run: --Grading.<name>=<value> and the short flags."""
    from cxkit.grading.settings import from_text, names

    for option in getattr(args, "unknown_settings", []):  # raises: not a setting
        name, _, value = option.removeprefix("--Grading.").partition("=")
        from_text(name, value)
    given = {
        name: from_text(name, getattr(args, f"Grading.{name}"))
        for name in names()
        if getattr(args, f"Grading.{name}", None) is not None
    }
    short = {name: getattr(args, name) for name in _SHORT_FLAGS}
    short["sandbox"] = False if args.no_sandbox else None
    for name, value in short.items():
        if value is None:
            continue
        if name in given and given[name] != value:
            flag = _SHORT_FLAGS.get(name, "--no-sandbox")
            raise CxkitError(
                f"{flag} and --Grading.{name}={given[name]} disagree: give only one of them."
            )
        given[name] = value
    return given


def _feedback(args: argparse.Namespace) -> int:
    from cxkit.course.feedback import write_feedback

    course = _course(args)
    workshop = course.workshop(args.workshop)
    files = write_feedback(course, workshop)
    print(f"Wrote {len(files)} feedback page(s) in {course.folder('feedback')}.")
    _feedback_to_room(course, workshop)
    return 0


def _feedback_to_room(course: Course, workshop: str) -> None:
    """When the course has a workshop room, return the pages through its exchange."""
    from cxkit.room.exchange import has_room, return_feedback

    if not has_room(course):
        return
    print(return_feedback(course, workshop).summary())


def _report(args: argparse.Namespace) -> int:
    from cxkit.course.report import report

    course = _course(args)
    workshop = course.workshop(args.workshop)
    print(f"Facilitator report: {report(course, workshop)}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from cxkit.course.status import status_text

    course = _course(args)
    print(status_text(course, course.workshop(args.workshop)))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from cxkit.course.demo import run_demo

    run_demo(args.out, size=args.size, workers=args.workers)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command line, one sub-command per step of a workshop cycle."""
    parser = argparse.ArgumentParser(
        prog="cxkit",
        description="Customer-experience workshops for every department: data, grading, reports.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    course_options = argparse.ArgumentParser(add_help=False)
    course_options.add_argument(
        "--course-dir",
        type=Path,
        default=None,
        help="nbgrader course folder (default: here if it has source/, else cxkit's clone)",
    )
    course_options.add_argument(
        "--db-url",
        default=None,
        help="gradebook as an SQLAlchemy URL, e.g. postgresql://user@host/course "
        "(default: sqlite in the course folder)",
    )

    data = commands.add_parser("data", help="the sample company's data")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    gen = data_commands.add_parser(
        "generate", help="generate the sample company as CSV files (defaults = datasets/)"
    )
    gen.add_argument("--size", choices=["sample", "large"], default="sample")
    gen.add_argument("--seed", type=int, default=None, help="random seed (default: the sample's)")
    gen.add_argument("--out", required=True, type=Path, help="folder to write the CSV files to")
    gen.add_argument(
        "--after",
        action="store_true",
        help="also the six months after the workshops, one survey export a month, and "
        "workshops.csv (for cxkit pulse)",
    )
    gen.set_defaults(func=_generate)
    head = data_commands.add_parser("headline", help="print a company's headline CX numbers")
    head.add_argument("--data", type=Path, default=None, help="folder of CSV files")
    head.set_defaults(func=_headline)

    release = commands.add_parser(
        "release", parents=[course_options], help="generate participant notebooks from source/"
    )
    release.add_argument("workshops", nargs="*", metavar="WORKSHOP", help="default: all")
    release.add_argument("--due", help='due date, "YYYY-MM-DD HH:MM" in UTC')
    release.set_defaults(func=_release)

    roster = commands.add_parser("roster", help="participants and their departments")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True, metavar="ACTION")
    imp = roster_commands.add_parser(
        "import",
        parents=[course_options],
        help="add participants from a CSV file with id, name, email, department",
    )
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=_roster_import)

    coll = commands.add_parser(
        "collect", parents=[course_options], help="place handed-in zips, folders and notebooks"
    )
    coll.add_argument(
        "path",
        type=Path,
        nargs="?",
        help="a folder, zip file or notebook; or a workshop (e.g. 00): what was submitted in "
        "the workshop room (the default, for the first workshop)",
    )
    coll.add_argument(
        "--room", action="store_true", help="collect what participants submitted in the room"
    )
    coll.add_argument("--workshop", default=None, help="default: the first workshop")
    coll.set_defaults(func=_collect)

    grade = commands.add_parser(
        "grade", parents=[course_options], help="grade submissions in parallel"
    )
    grade.add_argument("workshop", nargs="?", default=None)
    grade.add_argument(
        "--workers",
        type=int,
        default=None,
        help="notebooks run at once (default: one more than this machine's cores, at most 8); "
        "--Grading.workers",
    )
    grade.add_argument(
        "--cell-timeout",
        type=int,
        default=None,
        help="seconds per cell (30); --Grading.cell_timeout",
    )
    grade.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds per submission before it is stopped (180); --Grading.budget",
    )
    grade.add_argument("--force", action="store_true", help="regrade what is already graded")
    grade.add_argument("--due", help='set the due date first, "YYYY-MM-DD HH:MM" in UTC')
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.add_argument(
        "--watch",
        action="store_true",
        help="keep grading as participants hand in (from the workshop room if the course has "
        "one, --hand-ins, and submitted/): each one's feedback at once, the report kept up to "
        "date; stop with Ctrl-C",
    )
    grade.add_argument(
        "--hand-ins",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="with --watch: a folder where hand-ins arrive (zips of cxkit submit, folders, "
        "notebooks), collected as cxkit collect does",
    )
    grade.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="execute on a Dask cluster (pip install 'cxkit[scale]'); the gradebook stays here",
    )
    grade.add_argument(
        "--no-sandbox",
        action="store_true",
        help="for debugging: run participants' code without isolation (limits only); "
        "--Grading.sandbox=False",
    )
    _grading_options(grade)
    grade.set_defaults(func=_grade)

    for name, func, text in (
        ("feedback", _feedback, "write one feedback page per participant"),
        ("report", _report, "write the facilitator report"),
        ("status", _status, "who handed in, who was graded, who failed and why"),
    ):
        sub = commands.add_parser(name, parents=[course_options], help=text)
        sub.add_argument("workshop", nargs="?", default=None)
        sub.set_defaults(func=func)

    demo = commands.add_parser("demo", help="run a whole workshop cycle on a simulated cohort")
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("demo"),
        help="course folder for the demo (default: ./demo)",
    )
    demo.add_argument("--size", type=int, default=36, help="participants (36)")
    demo.add_argument(
        "--workers", type=int, default=None, help="as for grade: one more than the cores"
    )
    demo.set_defaults(func=_demo)
    _review_commands(commands, course_options)
    room_commands(commands)
    participant_commands(commands)
    scorecard_commands(commands)
    programme_commands(commands)
    _quickstart_command(commands)
    return parser


def _grading_options(grade: argparse.ArgumentParser) -> None:
    """One --Grading.<name>=<value> option per grading setting, with its help and default."""
    from cxkit.grading.settings import metavar, names, trait

    group = grade.add_argument_group(
        "grading settings",
        "Each is also read from the course's nbgrader_config.py, as c.Grading.<name> = "
        "<value>; the command line wins.",
    )
    for name in names():
        setting = trait(name)
        text = f"{setting.help} (default: {setting.default()})".replace("%", "%%")
        group.add_argument(
            f"--Grading.{name}",
            dest=f"Grading.{name}",
            metavar=metavar(name),
            default=None,
            help=text,
        )


def _quickstart(args: argparse.Namespace) -> int:
    from cxkit.course.quickstart import quickstart

    print(quickstart(args.folder, args.workshops, force=args.force).summary())
    return 0


def _quickstart_command(commands: argparse._SubParsersAction) -> None:
    quick = commands.add_parser(
        "quickstart", help="lay out a new course folder from the shipped workshops"
    )
    quick.add_argument("folder", type=Path, help="the new course folder (created if missing)")
    quick.add_argument(
        "--workshops", nargs="+", metavar="WORKSHOP", help="e.g. --workshops 00 01 (default: all)"
    )
    quick.add_argument(
        "--force",
        action="store_true",
        help="lay out into a folder that is not empty, replacing files of the same name",
    )
    quick.set_defaults(func=_quickstart)


def _decide(args: argparse.Namespace) -> int:
    from cxkit.course.review import decide

    course = _course(args)
    outcome = decide(
        course, course.workshop(args.workshop), args.participant, args.decision, args.by
    )
    print(f"{outcome.participant}: {outcome.facts[-1].text}; score now {outcome.score:g}.")
    return 0


def _review_commands(
    commands: argparse._SubParsersAction, course_options: argparse.ArgumentParser
) -> None:
    """``accept`` and ``reject``: the decision on held points (cxkit.course.review)."""
    for name, decision, text in (
        ("accept", "accepted", "count a participant's held points (the code was harmless)"),
        ("reject", "rejected", "score 0 for a participant's held checks"),
    ):
        sub = commands.add_parser(name, parents=[course_options], help=f"facilitators: {text}")
        sub.add_argument("workshop", help='the workshop, or its number such as "00"')
        sub.add_argument("participant", help="the participant's id, as cxkit status shows it")
        sub.add_argument("--by", default=None, help="who decides (default: your account name)")
        sub.set_defaults(func=_decide, decision=decision)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``cxkit`` command; return its exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # a misspelt grading setting is named by cxkit grade, with the settings there are
    args.unknown_settings = [a for a in extra if a.startswith("--Grading.")]
    if len(args.unknown_settings) < len(extra) or (extra and args.command != "grade"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if getattr(args, "seed", 0) is None:
        from cxkit.data.story import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    try:
        return int(args.func(args))
    except CxkitError as err:
        print(f"cxkit: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\ncxkit: interrupted. Nothing recorded is lost; run the same command again "
            "to continue.",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
