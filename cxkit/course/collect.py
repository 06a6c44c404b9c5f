"""Collect what participants hand in: zip files, folders or notebooks, in any mix.

Each notebook is placed at ``submitted/<participant>/<workshop>/<notebook>.ipynb``
with a ``timestamp.txt``, where nbgrader expects it. A file is placed by
nbgrader's zip naming (``<workshop>_<id>_attempt_<timestamp>_<notebook>.ipynb``,
which ``cxkit submit`` writes) or by the roster: a participant's id as a folder
or file name, or their e-mail address anywhere in the path. Every file that
cannot be placed is reported with the reason; nothing is silently dropped.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from cxkit.course.directory import Course
from cxkit.course.roster import roster
from cxkit.errors import CxkitError
from cxkit.participant.submit import NBGRADER_NAME

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


@dataclass
class Found:
    """One notebook found in what was handed in."""

    label: str  # where it came from, for messages: "hand-in/jo.zip:foundations.ipynb"
    parts: tuple[str, ...]  # path components used to recognise the participant
    data: bytes
    when: datetime


@dataclass
class Collected:
    """What ``collect`` did: the notebooks it placed and the files it could not place."""

    placed: list[tuple[str, str, str]] = field(default_factory=list)  # (id, notebook, label)
    unchanged: list[tuple[str, str, str]] = field(default_factory=list)
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (label, reason)

    def summary(self) -> str:
        lines = [
            f"Placed {len(self.placed)} notebook(s) "
            f"({len(self.unchanged)} already collected and unchanged)."
        ]
        if self.unplaced:
            lines.append(f"Could not place {len(self.unplaced)} file(s):")
            lines += [f"  {label}: {reason}" for label, reason in self.unplaced]
        return "\n".join(lines)


def _walk(path: Path, collected: Collected) -> list[Found]:
    """Every notebook under ``path``, opening zip files; other files go to ``unplaced``."""
    found: list[Found] = []
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        rel = file.relative_to(path.parent if path.is_file() else path)
        if file.suffix.lower() == ".zip":
            found += _unzip(file, rel, collected)
        elif file.suffix.lower() == ".ipynb":
            if ".ipynb_checkpoints" in rel.parts:
                collected.unplaced.append((str(rel), "a Jupyter checkpoint copy, not a hand-in"))
                continue
            when = datetime.fromtimestamp(file.stat().st_mtime, tz=UTC)
            found.append(Found(str(rel), rel.parts, file.read_bytes(), when))
        elif not file.name.startswith("."):
            collected.unplaced.append((str(rel), "not a notebook (.ipynb) or a zip file"))
    return found


def _unzip(file: Path, rel: Path, collected: Collected) -> list[Found]:
    found = []
    try:
        with zipfile.ZipFile(file) as archive:
            for info in archive.infolist():
                member = PurePosixPath(info.filename)
                label = f"{rel}:{info.filename}"
                if info.is_dir() or "__MACOSX" in member.parts or member.name.startswith("."):
                    continue
                if member.suffix.lower() != ".ipynb":
                    collected.unplaced.append((label, "not a notebook (.ipynb)"))
                    continue
                if ".ipynb_checkpoints" in member.parts:
                    collected.unplaced.append((label, "a Jupyter checkpoint copy, not a hand-in"))
                    continue
                when = datetime(*info.date_time, tzinfo=UTC)
                parts = (*rel.parts[:-1], rel.stem, *member.parts)
                found.append(Found(label, parts, archive.read(info), when))
    except (zipfile.BadZipFile, OSError) as err:
        collected.unplaced.append((str(rel), f"not a readable zip file ({err})"))
    return found


def _identify(
    item: Found, workshop: str, notebooks: list[str], ids: dict[str, str], emails: dict[str, str]
) -> tuple[str, str, datetime] | str:
    """Return (participant id, notebook, time) or the reason it cannot be placed."""
    name = item.parts[-1]
    match = NBGRADER_NAME.match(name)
    when = item.when
    if match:
        if match["workshop"] != workshop:
            return f"handed in for workshop {match['workshop']!r}, not {workshop!r}"
        stamp = datetime.strptime(match["timestamp"], "%Y-%m-%d-%H-%M-%S")
        when = stamp.replace(tzinfo=UTC)
        if ids and match["id"].lower() not in ids:
            return f"participant {match['id']!r} is not on the roster (cxkit roster import)"
        who = {ids.get(match["id"].lower(), match["id"])}
        stem = match["notebook"]
    else:
        stem = Path(name).stem
        tokens = {t.lower() for part in item.parts for t in re.split(r"[\s_]+", Path(part).stem)}
        tokens |= {Path(part).stem.lower() for part in item.parts}
        who = {ids[t] for t in tokens if t in ids}
        text = "/".join(item.parts).lower()
        who |= {pid for email, pid in emails.items() if email in text}
        if not who:
            if not ids:
                return "no roster imported, and the name is not nbgrader's zip naming"
            return "no participant id or e-mail from the roster in its file or folder name"
        if len(who) > 1:
            return f"matches several participants: {', '.join(sorted(who))}"
    notebook = _notebook(stem, notebooks)
    if notebook is None:
        expected = ", ".join(f"{n}.ipynb" for n in notebooks)
        return f"not a notebook of workshop {workshop} (expected {expected})"
    return next(iter(who)), notebook, when


def _notebook(stem: str, notebooks: list[str]) -> str | None:
    if stem in notebooks:
        return stem
    # Browsers save a second download as "foundations (1).ipynb".
    cleaned = re.sub(r"\s*\(\d+\)$", "", stem)
    if cleaned in notebooks:
        return cleaned
    return notebooks[0] if len(notebooks) == 1 and stem.lower().startswith(notebooks[0]) else None


def collect(course: Course, workshop: str, path: str | Path) -> Collected:
    """Place every notebook found under ``path`` in the course's ``submitted/`` folder.

    A newer hand-in from the same participant replaces an older one; an older or
    identical one is reported and left alone.
    """
    source = Path(path)
    if not source.exists():
        raise CxkitError(f"Cannot find {source}. Give the folder or zip file to collect.")
    notebooks = course.notebooks(workshop)
    people = roster(course)
    ids = {i.lower(): i for i in people["id"]}
    emails = {e.lower(): i for e, i in zip(people["email"], people["id"], strict=True) if e}
    collected = Collected()
    chosen: dict[tuple[str, str], tuple[Found, datetime]] = {}
    for item in _walk(source, collected):
        result = _identify(item, workshop, notebooks, ids, emails)
        if isinstance(result, str):
            collected.unplaced.append((item.label, result))
            continue
        pid, notebook, when = result
        key = (pid, notebook)
        if key in chosen:
            older, newer = sorted([chosen[key], (item, when)], key=lambda pair: pair[1])
            collected.unplaced.append(
                (older[0].label, f"an older hand-in of {pid}; kept {newer[0].label}")
            )
            chosen[key] = newer
        else:
            chosen[key] = (item, when)
    for (pid, notebook), (item, when) in sorted(chosen.items()):
        _place(course, workshop, pid, notebook, item, when, collected)
    return collected


def _place(
    course: Course,
    workshop: str,
    pid: str,
    notebook: str,
    item: Found,
    when: datetime,
    collected: Collected,
) -> None:
    folder = course.folder("submitted") / pid / workshop
    target = folder / f"{notebook}.ipynb"
    stamp_file = folder / "timestamp.txt"
    if target.is_file() and target.read_bytes() == item.data:
        collected.unchanged.append((pid, notebook, item.label))
        return
    if stamp_file.is_file():
        previous = datetime.strptime(
            stamp_file.read_text().strip().replace(" UTC", ""), "%Y-%m-%d %H:%M:%S.%f"
        ).replace(tzinfo=UTC)
        if previous > when:
            collected.unplaced.append(
                (item.label, f"older than the hand-in of {pid} already collected")
            )
            return
    folder.mkdir(parents=True, exist_ok=True)
    target.write_bytes(item.data)
    stamp_file.write_text(when.strftime(TIMESTAMP_FORMAT) + "\n")
    collected.placed.append((pid, notebook, item.label))
