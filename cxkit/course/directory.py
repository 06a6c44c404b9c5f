"""A course directory: nbgrader's folders, its gradebook, and cxkit's own records.

Every ``cxkit`` course command works on this repository (the default) or, given
``--course-dir``, on any nbgrader course directory. nbgrader stays the system
of record; cxkit keeps the few things nbgrader has no place for (departments,
grading outcomes such as "failed: kernel died") in ``.cxkit/`` beside it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxkit.errors import CxkitError
from cxkit.patches import schema_version_in_process
from cxkit.resources import clone, tools_on_path

try:
    import fcntl
except ImportError:  # Windows: one cxkit process at a time per course folder
    fcntl = None  # type: ignore[assignment]

ADVISORY_LOCK = 0x6378_6B69  # "cxki": the key of cxkit's PostgreSQL advisory lock
_HELD: dict[str, int] = {}  # gradebook URL -> how deep this process holds its lock


DEFAULT_COURSE_ID = "cxkit"  # nbgrader's default, "", breaks PostgreSQL's foreign keys


def nbgrader_config(course_root: Path) -> Any:
    """A course's ``nbgrader_config.py`` as a traitlets Config, with a course id always set."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    if (course_root / "nbgrader_config.py").is_file():
        config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config())
    if not config.CourseDirectory.get("course_id"):
        config.CourseDirectory.course_id = DEFAULT_COURSE_ID
    return config


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def _safe(url: str) -> str:
    """A database URL without its password, for messages.

    Examples
    --------
    >>> _safe("postgresql://grader:s3cret@db.example.org/course")
    'postgresql://grader:***@db.example.org/course'
    """
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: show it, it holds no parsed password
        return url


def default_root() -> Path:
    """The course a command works on without ``--course-dir``.

    The current folder if it is a course (it has ``source/``), else the clone
    cxkit runs from; an installed cxkit has no course of its own.
    """
    here = Path.cwd()
    if (here / "source").is_dir():
        return here
    home = clone()
    if home is None:
        raise CxkitError(
            f"{here} is not a course folder (it has no source/). Lay one out with "
            "`cxkit quickstart my-course`, then run this in my-course or pass "
            "--course-dir my-course."
        )
    return home


def find_workshop(name: str, names: list[str]) -> str:
    """The workshop among ``names`` that ``name`` means: its full name, number or ending.

    Examples
    --------
    >>> find_workshop("00", ["00-foundations", "04-legal"])
    '00-foundations'
    >>> find_workshop("legal", ["00-foundations", "04-legal"])
    '04-legal'

    Raises
    ------
    CxkitError
        When no workshop, or more than one, fits: with a did-you-mean and the list.
    """
    if name in names:
        return name
    prefixed = [n for n in names if n.split("-", 1)[0] == name or n.endswith(name)]
    if len(prefixed) == 1:
        return prefixed[0]
    from cxkit.errors import close_match

    raise CxkitError(
        f'There is no workshop "{name}".{close_match(name, names)} '
        f"The workshops are: {', '.join(names)}."
    )


@dataclass
class Course:
    """An nbgrader course directory, with an optional SQLAlchemy gradebook URL."""

    root: Path
    db_url: str | None = None

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        if not self.root.is_dir():
            raise CxkitError(
                f"The course folder {self.root} does not exist. Pass --course-dir with the "
                "folder that holds source/ (and nbgrader_config.py)."
            )
        tools_on_path()

    @property
    def gradebook_url(self) -> str:
        """The gradebook: SQLite in the course folder unless --db-url says otherwise."""
        return self.db_url or f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def course_id(self) -> str:
        """nbgrader's course id, from nbgrader_config.py (default "cxkit")."""
        return str(nbgrader_config(self.root).CourseDirectory.course_id)

    def folder(self, step: str) -> Path:
        """One of nbgrader's step folders: source, release, submitted, autograded, feedback."""
        return self.root / step

    @property
    def state(self) -> Path:
        """cxkit's own records for this course."""
        path = self.root / ".cxkit"
        path.mkdir(exist_ok=True)
        return path

    def workshops(self) -> list[str]:
        """The workshops (nbgrader assignments) in source/, in order."""
        source = self.folder("source")
        if not source.is_dir():
            raise CxkitError(f"{self.root} has no source/ folder: is it an nbgrader course?")
        return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def workshop(self, name: str | None) -> str:
        """Resolve a workshop name; None means the only (or first) one."""
        names = self.workshops()
        if not names:
            raise CxkitError(f"{self.folder('source')} holds no workshop notebooks.")
        if name is None:
            return names[0]
        return find_workshop(name, names)

    def notebooks(self, workshop: str) -> list[str]:
        """The notebook names (without .ipynb) of a workshop."""
        return sorted(p.stem for p in (self.folder("source") / workshop).glob("*.ipynb"))

    def api(self, prepare: Callable[[Any], None] | None = None, **config: Any) -> Any:
        """nbgrader's API for this course, with cxkit's quiet defaults and extra config.

        ``config`` sets dotted traits (``{"Execute.timeout": 60}``); ``prepare``, if
        given, may change the whole traitlets Config before the API is built (the
        grading engine uses it to run every kernel in its sandbox).
        """
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        schema_version_in_process()  # a new gradebook costs no alembic process
        cfg = nbgrader_config(self.root)
        cfg.CourseDirectory.root = str(self.root)
        cfg.CourseDirectory.db_url = self.gradebook_url
        exchange = self.state / "exchange"  # unused by cxkit; avoids nbgrader's critical log
        exchange.mkdir(exist_ok=True)
        cfg.Exchange.root = str(exchange)
        for dotted, value in config.items():
            section, key = dotted.rsplit(".", 1)
            setattr(cfg[section], key, value)
        if prepare is not None:
            prepare(cfg)
        coursedir = CourseDirectory(config=cfg)
        return NbGraderAPI(coursedir=coursedir, config=cfg)

    def gradebook(self) -> Any:
        """An open nbgrader Gradebook; use it as a context manager."""
        from nbgrader.api import Gradebook

        schema_version_in_process()  # a new gradebook costs no alembic process
        with self.exclusive():  # the first opening creates the tables: one process at a time
            return Gradebook(self.gradebook_url, self.course_id)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the course's lock: one ``cxkit`` process at a time changes the gradebook's shape.

        With a PostgreSQL gradebook the lock is a PostgreSQL advisory lock, so it
        holds across machines; otherwise it is a lock file in ``.cxkit/``. Taking
        it again while holding it (in this process) is fine.
        """
        from sqlalchemy.exc import OperationalError

        key = self.gradebook_url
        if _HELD.get(key):
            _HELD[key] += 1
            try:
                yield
            finally:
                _HELD[key] -= 1
            return
        try:
            with self._lock():
                _HELD[key] = 1
                try:
                    yield
                finally:
                    _HELD[key] = 0
        except OperationalError as err:
            first = (str(err.orig or err).strip().splitlines() or [type(err).__name__])[0]
            raise CxkitError(
                f"Could not reach the gradebook at {_safe(key)}: {first}. Check --db-url "
                "(host, port, user, database name) and that the database server is running "
                "and reachable from this machine."
            ) from err

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        if not self.gradebook_url.startswith("postgresql"):
            with (self.state / "gradebook.lock").open("a") as lock:
                if fcntl is not None:
                    fcntl.flock(lock, fcntl.LOCK_EX)
                yield
            return
        from sqlalchemy import create_engine, text

        engine = create_engine(self.gradebook_url, poolclass=_null_pool())
        try:
            with engine.connect() as connection:
                connection.execute(text(f"SELECT pg_advisory_lock({ADVISORY_LOCK})"))
                try:
                    yield
                finally:
                    connection.execute(text(f"SELECT pg_advisory_unlock({ADVISORY_LOCK})"))
        finally:
            engine.dispose()

    # --- cxkit's own records ---------------------------------------------------------
    def read_json(self, name: str, default: Any) -> Any:
        path = self.state / name
        if not path.is_file():
            return default
        return json.loads(path.read_text(encoding="utf-8"))

    def write_json(self, name: str, value: Any) -> None:
        """Write atomically, so an interrupt never leaves half a file."""
        path = self.state / name
        tmp = path.with_suffix(f"{path.suffix}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)

    def update_json(self, name: str, default: Any, change: Callable[[Any], None]) -> None:
        """Read, change and write a record under a lock.

        Two ``cxkit`` processes (grading two workshops at once, say) never lose
        each other's changes.
        """
        with (self.state / f"{name}.lock").open("a") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            value = self.read_json(name, default)
            change(value)
            self.write_json(name, value)
