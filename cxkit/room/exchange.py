"""nbgrader's exchange in a workshop room: each participant sees only their own part of it.

Every participant's server runs as the same system user, in its own sandbox, so
file permissions cannot keep one participant's submissions from another inside
one shared exchange. Each participant gets their own exchange root instead,
assembled from bind mounts (:func:`participant_mounts`), laid out as nbgrader's
participant side expects it (``<root>/<course_id>/{outbound,inbound,feedback}``)::

    <course>/.cxkit/room/
        exchange/<course_id>/outbound/<workshop>/   the released workshops (shared, read-only)
        views/<participant>/                        that participant's exchange root (writable)
            <course_id>/inbound/                    their submissions (writable)
            <course_id>/outbound/, feedback/        where the read-only folders are mounted
        returned/<participant>/<course_id>/feedback/  their feedback pages (read-only)

Everything a participant may write is under ``views/<participant>`` (a room
that runs labs as an unprivileged user hands that folder to it); their
feedback stays the facilitator's.

That is all nbgrader's participant side (0.9.6) needs. Every step first checks
that the root is a writable folder. *Fetch* reads ``<course_id>/outbound/<workshop>``
and copies it into the server's folder. *Submit* checks the inbound is writable,
writes ``inbound/<id>+<workshop>+<time>+<random>/`` with ``timestamp.txt`` and a
``submission_secret.txt``, and the same into the participant's cache
(``~/.local/share/jupyter/nbgrader_cache``, in their home). *Fetch Feedback* looks,
for each cached submission, for ``feedback/<hash of its secret and notebook>.html``
(the folder only has to be searchable). The list reads ``outbound`` and the cache.
The participant's id comes from their server's configuration
(:func:`participant_config`), not from the system user every server shares.

The facilitator's side runs nbgrader's own exchange classes on these folders:
``ExchangeReleaseAssignment`` into the shared outbound (:func:`release_to_room`),
``ExchangeCollect`` from each participant's inbound, so nbgrader's timestamps
decide lateness and the newest submission wins (:func:`collect_from_room`), and
``ExchangeReleaseFeedback`` into each participant's feedback folder, named by
the hash nbgrader's "fetch feedback" looks for (:func:`return_feedback`).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from cxkit.course.collect import Collected
from cxkit.course.directory import Course, nbgrader_config
from cxkit.course.roster import roster
from cxkit.errors import CxkitError

INSIDE_ROOT = "/srv/nbgrader/exchange"
"""The exchange root inside a participant's sandbox (``c.Exchange.root`` of their server)."""

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # the roster's rule: no '+', '/' or '*'
_LOG = logging.getLogger("cxkit.room.exchange")


def room_folder(course: Course) -> Path:
    """The course's room folder, ``<course>/.cxkit/room`` (it may not exist yet)."""
    return course.state / "room"


def has_room(course: Course) -> bool:
    """Whether a room has been set up for this course (its folder exists)."""
    return room_folder(course).is_dir()


def participant_root(room_dir: Path, participant: str) -> Path:
    """A participant's exchange root on this machine: ``<room>/views/<participant>``."""
    if not _SAFE_ID.match(participant):
        raise CxkitError(
            f"{participant!r} cannot name a participant's exchange: an id is letters, digits, "
            "'.', '_' or '-', starting with a letter or digit (as in the roster)."
        )
    return Path(room_dir) / "views" / participant


def participant_mounts(
    room_dir: Path, course_id: str, participant: str
) -> list[tuple[Path, str, bool]]:
    """The bind mounts that make one participant's view of the exchange, in order.

    Each is ``(folder on this machine, path inside the sandbox, writable)``; a
    later mount lies over an earlier one. The folders on this machine are
    created if missing. Inside, nbgrader finds ``INSIDE_ROOT`` writable (it
    insists), ``<course_id>/outbound`` read-only and shared by everyone,
    ``<course_id>/inbound`` writable and ``<course_id>/feedback`` read-only,
    both the participant's own: no path leads to another participant's.

    Examples
    --------
    >>> import tempfile
    >>> room = Path(tempfile.mkdtemp())
    >>> for host, inside, writable in participant_mounts(room, "cxkit", "ana"):
    ...     print(host.relative_to(room), inside, writable)
    views/ana /srv/nbgrader/exchange True
    exchange/cxkit/outbound /srv/nbgrader/exchange/cxkit/outbound False
    views/ana/cxkit/inbound /srv/nbgrader/exchange/cxkit/inbound True
    returned/ana/cxkit/feedback /srv/nbgrader/exchange/cxkit/feedback False
    """
    if not _SAFE_ID.match(course_id):
        raise CxkitError(
            f"The course id {course_id!r} cannot name an exchange folder: set "
            "c.CourseDirectory.course_id in nbgrader_config.py to letters, digits, '.', '_' or '-'."
        )
    own = participant_root(room_dir, participant)
    shared = Path(room_dir) / "exchange" / course_id / "outbound"
    mounts = [
        (own, INSIDE_ROOT, True),
        (shared, f"{INSIDE_ROOT}/{course_id}/outbound", False),
        (own / course_id / "inbound", f"{INSIDE_ROOT}/{course_id}/inbound", True),
        (
            feedback_folder(room_dir, course_id, participant),
            f"{INSIDE_ROOT}/{course_id}/feedback",
            False,
        ),
    ]
    for host, _, _ in mounts:
        host.mkdir(parents=True, exist_ok=True)
    for point in ("outbound", "feedback"):  # where the read-only ones are mounted
        (own / course_id / point).mkdir(exist_ok=True)
    return mounts


def feedback_folder(room_dir: Path, course_id: str, participant: str) -> Path:
    """Where a participant's returned feedback pages are kept on this machine.

    ``<room>/returned/<participant>/<course_id>/feedback``: nbgrader's layout
    under an exchange root of the facilitator's own, apart from the folder the
    participant may write to.
    """
    participant_root(room_dir, participant)  # raises for an unusable id
    return Path(room_dir) / "returned" / participant / course_id / "feedback"


def participant_config(course_id: str, participant: str) -> str:
    """The lines of ``nbgrader_config.py`` a participant's server needs for the exchange.

    The student id is set, not read from the system user (one user serves every
    participant), so submissions are named for the participant. Beside the files
    nbgrader leaves out of a submission by default, so are JupyterLab's
    temporary copies of a notebook being saved (``.~name.ipynb``).

    Examples
    --------
    >>> print(participant_config("cxkit", "ana"))
    c = get_config()  # noqa
    c.Exchange.root = '/srv/nbgrader/exchange'
    c.CourseDirectory.course_id = 'cxkit'
    c.CourseDirectory.student_id = 'ana'
    c.CourseDirectory.ignore = ['.ipynb_checkpoints', '*.pyc', '__pycache__', 'feedback', '.~*']
    <BLANKLINE>
    """
    from nbgrader.coursedir import CourseDirectory

    participant_root(Path(), participant)  # raises for an unusable id
    ignore = [*CourseDirectory.class_traits()["ignore"].default(), ".~*"]
    return (
        "c = get_config()  # noqa\n"
        f"c.Exchange.root = {INSIDE_ROOT!r}\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.CourseDirectory.student_id = {participant!r}\n"
        f"c.CourseDirectory.ignore = {ignore!r}\n"
    )


def _exchange(kind: Any, course: Course, root: Path, workshop: str, **traits: Any) -> Any:
    """One of nbgrader's exchange steps for this course, on exchange root ``root``."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    config = nbgrader_config(course.root)
    config.CourseDirectory.root = str(course.root)
    config.CourseDirectory.db_url = course.gradebook_url
    config.CourseDirectory.assignment_id = workshop
    config.Exchange.root = str(root)
    for name, value in traits.items():
        setattr(config[kind.__name__], name, value)
    coursedir = CourseDirectory(config=config)
    return kind(
        coursedir=coursedir, authenticator=Authenticator(config=config), config=config, log=_LOG
    )


def _run(step: Any, what: str) -> None:
    from nbgrader.exchange import ExchangeError

    try:
        step.start()
    except ExchangeError as err:
        raise CxkitError(f"Could not {what}: {err}") from None


def release_to_room(course: Course, workshop: str) -> Path:
    """Put ``release/<workshop>/`` in the room's shared outbound; return the folder there.

    Participants then see the workshop in their Assignments tab. Releasing again
    replaces the room's copy; copies participants have fetched stay as they are.

    Raises
    ------
    CxkitError
        When the course has no room, or the workshop has not been released.
    """
    from nbgrader.exchange.default import ExchangeReleaseAssignment

    room = _room(course)
    if not (course.folder("release") / workshop).is_dir():
        raise CxkitError(f"{workshop} has not been released: run `cxkit release {workshop}` first.")
    step = _exchange(ExchangeReleaseAssignment, course, room / "exchange", workshop, force=True)
    _run(step, f"put {workshop} in the room's exchange")
    return room / "exchange" / course.course_id / "outbound" / workshop


def _room(course: Course) -> Path:
    room = room_folder(course)
    if not room.is_dir():
        raise CxkitError(
            f"The course in {course.root} has no workshop room (no {room}): start one with "
            "`cxkit room start`, or give the folder of hand-ins to collect."
        )
    return room


def _views(course: Course) -> list[tuple[str, Path]]:
    """Each participant with an exchange in the room, and their ``<course_id>`` folder there."""
    views = _room(course) / "views"
    found = sorted(p for p in views.iterdir() if p.is_dir()) if views.is_dir() else []
    return [(p.name, p / course.course_id) for p in found]


def _submissions(inbound: Path, workshop: str) -> list[tuple[str, Path]]:
    """Every submission of ``workshop`` in an inbound folder, as (named participant, folder)."""
    if not inbound.is_dir():
        return []
    found = []
    for entry in sorted(inbound.iterdir()):
        parts = entry.name.rsplit("+", 3)
        if len(parts) >= 3 and parts[1] == workshop:
            found.append((parts[0], entry))
    return found


def _unsafe(folder: Path) -> str | None:
    """Why a copied submission cannot be collected (a link or special file), or None."""
    for current, dirs, files in os.walk(folder):
        for name in dirs + files:
            mode = os.lstat(Path(current) / name).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                return f"{Path(current, name).relative_to(folder)} is a link or special file"
    return None


def _stage(entry: Path, inbound: Path, limit_kb: int) -> str | None:
    """Copy one submission into ``inbound`` without following links; why it cannot be, or None."""
    if not entry.is_dir() or entry.is_symlink():
        return "not a folder as nbgrader's submit writes one"
    size = sum(os.lstat(Path(d, f)).st_size for d, _, files in os.walk(entry) for f in files)
    if size > 1000 * limit_kb:
        return (
            f"{size / 1000:,.0f} kB, more than the {limit_kb:,} kB a submission may hold "
            "(c.CourseDirectory.max_dir_size in nbgrader_config.py)"
        )
    target = inbound / entry.name
    try:
        shutil.copytree(entry, target, symlinks=True)
        why = _unsafe(target)
    except (OSError, shutil.Error) as err:
        why = str(err.args[0] if err.args else err)
    if why is not None:
        shutil.rmtree(target, ignore_errors=True)
    return why


def _stamp(folder: Path) -> str | None:
    stamp = folder / "timestamp.txt"
    return stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else None


def collect_from_room(
    course: Course, workshop: str, participants: Collection[str] | None = None
) -> Collected:
    """Take each participant's newest submission of ``workshop`` from the room.

    ``participants``, if given, limits it to them (the ones whose inbound
    changed, as the watch knows); by default everyone in the room.

    Each participant's submissions are copied from their inbound (links are not
    followed: one that holds a link, or more than nbgrader's size limit, is
    reported, not collected) and handed to
    nbgrader's ``ExchangeCollect``, which places the newest in
    ``submitted/<participant>/<workshop>/`` with its ``timestamp.txt``: a
    re-submission replaces an earlier one, an older one never replaces a newer.
    Nothing is removed from the room, so collecting again changes nothing.
    Submissions from a participant not on the roster, or named for someone else,
    are reported and left alone.
    """
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeCollect

    ids = set(roster(course)["id"])
    notebooks = course.notebooks(workshop)
    limit_kb = CourseDirectory(config=nbgrader_config(course.root)).max_dir_size
    collected = Collected()
    for pid, own in _views(course):
        if participants is not None and pid not in participants:
            continue
        mine = []
        for named, entry in _submissions(own / "inbound", workshop):
            label = f"room: {pid}/{entry.name}"
            if named != pid:
                collected.unplaced.append((label, f"named for {named!r} but handed in by {pid}"))
            elif ids and pid not in ids:
                collected.unplaced.append(
                    (label, f"participant {pid!r} is not on the roster (cxkit roster import)")
                )
            else:
                mine.append((entry, label))
        if not mine:
            continue
        submitted = course.folder("submitted") / pid / workshop
        before = _stamp(submitted)
        with tempfile.TemporaryDirectory(prefix="cxkit-collect-") as staging:
            inbound = Path(staging) / course.course_id / "inbound"
            inbound.mkdir(parents=True)
            for entry, label in mine:
                why = _stage(entry, inbound, limit_kb)
                if why is not None:
                    where = f"it stays in {entry.parent}"
                    collected.unplaced.append((label, f"not collected: {why}; {where}"))
            if not any(inbound.iterdir()):
                continue
            step = _exchange(
                ExchangeCollect,
                course,
                Path(staging),
                workshop,
                update=True,
                check_owner=False,  # one system user serves everyone; the inbound says who
            )
            step.coursedir.student_id = pid
            _run(step, f"collect {pid}'s submission of {workshop}")
        after = _stamp(submitted)
        done = collected.placed if after != before else collected.unchanged
        label = f"room: {pid}, handed in {after}"
        done += [(pid, nb, label) for nb in notebooks if (submitted / f"{nb}.ipynb").is_file()]
    return collected


@dataclass
class Returned:
    """What ``return_feedback`` did: the pages placed in the room, the ones left to hand out."""

    pages: list[Path] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (participant, why)

    def summary(self) -> str:
        lines = [
            f"Returned {len(self.pages)} page(s) through the workshop room: each participant "
            "clicks Fetch Feedback in their Assignments tab."
        ]
        lines += [f"  {pid}: {why}" for pid, why in self.kept]
        return "\n".join(lines)


def return_feedback(
    course: Course, workshop: str, participants: Collection[str] | None = None
) -> Returned:
    """Put each participant's feedback pages in their part of the room's exchange.

    Run after ``cxkit feedback``. nbgrader's ``ExchangeReleaseFeedback`` names
    each page by the secret of the submission it grades, so the participant's
    "Fetch Feedback" finds it. Only submissions collected from the room carry
    that secret; the pages of a hand-in collected from a file are listed in
    ``kept``, to be handed out as before. Returning again replaces the pages.
    ``participants``, if given, limits it to them (the watch returns each
    participant's page as it is written); by default everyone with feedback.
    """
    from nbgrader.exchange.default import ExchangeReleaseFeedback

    room = _room(course)
    done = Returned()
    feedback = course.folder("feedback")
    if participants is None:
        folders = sorted(feedback.glob(f"*/{workshop}"))
    else:
        folders = [feedback / pid / workshop for pid in sorted(participants)]
    for pages in folders:
        pid, names = pages.parent.name, sorted(p.stem for p in pages.glob("*.html"))
        graded = _secret_folder(course, pid, workshop)
        if not names:
            continue
        if graded is None:
            done.kept.append((pid, f"handed in as a file, not in the room: give them {pages}"))
            continue
        for name in ("timestamp.txt", "submission_secret.txt"):
            shutil.copy(graded / name, pages / name)
        folder = feedback_folder(room, course.course_id, pid)
        folder.mkdir(parents=True, exist_ok=True)
        step = _exchange(ExchangeReleaseFeedback, course, folder.parent.parent, workshop)
        step.coursedir.student_id = pid
        _run(step, f"return {pid}'s feedback on {workshop}")
        done.pages += [folder / f"{_page_name(graded, nb)}.html" for nb in names]
    return done


def _secret_folder(course: Course, pid: str, workshop: str) -> Path | None:
    """The graded submission's folder holding nbgrader's secret and timestamp, if any."""
    for step in ("autograded", "submitted"):
        folder = course.folder(step) / pid / workshop
        if (folder / "submission_secret.txt").is_file() and (folder / "timestamp.txt").is_file():
            return folder
    return None


def _page_name(folder: Path, notebook: str) -> str:
    from nbgrader.utils import notebook_hash

    secret = (folder / "submission_secret.txt").read_text(encoding="utf-8")
    return str(notebook_hash(secret=secret, notebook_id=notebook))


def _when(stamp: str) -> datetime:
    from nbgrader.utils import parse_utc

    return parse_utc(stamp).replace(tzinfo=UTC)


def progress(course: Course) -> pd.DataFrame:
    """Per participant and workshop in the room: fetched, submitted when, feedback returned when.

    Read from the room's folders (nothing else is recorded): a workshop is
    fetched when its folder is in the participant's home (``<room>/homes/<id>``);
    ``submitted`` is the newest submission's time (UTC), ``submissions`` how
    many; ``late`` compares it with the workshop's due date in the gradebook;
    ``feedback`` is when the page for the newest submission was returned.
    """
    room = _room(course)
    outbound = room / "exchange" / course.course_id / "outbound"
    workshops = sorted(p.name for p in outbound.iterdir()) if outbound.is_dir() else []
    due = _due_dates(course, workshops)
    people = sorted(set(roster(course)["id"]) | {pid for pid, _ in _views(course)})
    rows = []
    for pid in people:
        for workshop in workshops:
            rows.append(_progress_row(room, course.course_id, pid, workshop, due.get(workshop)))
    columns = ["participant", "workshop", "fetched", "submissions", "submitted", "late", "feedback"]
    return pd.DataFrame(rows, columns=columns)


def _progress_row(
    room: Path, course_id: str, pid: str, workshop: str, due: datetime | None
) -> dict[str, Any]:
    inbound = participant_root(room, pid) / course_id / "inbound"
    submissions = [e for named, e in _submissions(inbound, workshop) if named == pid]
    times = [_when(e.name.rsplit("+", 3)[2]) for e in submissions]
    newest = max(zip(times, submissions, strict=True), default=None)
    feedback = None
    if newest is not None and (newest[1] / "submission_secret.txt").is_file():
        pages = [
            feedback_folder(room, course_id, pid) / f"{_page_name(newest[1], nb.stem)}.html"
            for nb in newest[1].glob("*.ipynb")
        ]
        if pages and all(p.is_file() for p in pages):
            stamp = max(p.stat().st_mtime for p in pages)
            feedback = datetime.fromtimestamp(stamp, tz=UTC)
    return {
        "participant": pid,
        "workshop": workshop,
        "fetched": (room / "homes" / pid / workshop).is_dir(),
        "submissions": len(submissions),
        "submitted": newest[0] if newest else None,
        "late": bool(newest and due and newest[0] > due),
        "feedback": feedback,
    }


def _due_dates(course: Course, workshops: list[str]) -> dict[str, datetime]:
    with course.gradebook() as gradebook:
        found = {a.name: a.duedate for a in gradebook.assignments if a.name in workshops}
    return {name: when.replace(tzinfo=UTC) for name, when in found.items() if when}
