"""A throw-away PostgreSQL server for the tests, started with initdb and pg_ctl on 127.0.0.1.

Debian keeps the server programs in /usr/lib/postgresql/<version>/bin, off PATH;
both places are searched. PostgreSQL refuses to run as root, so as root the
cluster is created and run as the ``postgres`` user that Debian's package adds.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _program(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        pytest.fail(
            f"PostgreSQL's {name} was not found on PATH or in /usr/lib/postgresql: install "
            "Debian's postgresql package (apt-get install postgresql; .ci/run does it)."
        )
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(database: str = "cxkit_course") -> Iterator[str]:
    """Start a PostgreSQL cluster in a temporary folder; yield an SQLAlchemy URL to ``database``."""
    initdb, pg_ctl, createdb = (_program(n) for n in ("initdb", "pg_ctl", "createdb"))
    folder = Path(tempfile.mkdtemp(prefix="cxkit-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"

    def run(*argv: str) -> None:
        done = subprocess.run([*as_user, *argv], capture_output=True, text=True, check=False)
        if done.returncode:
            pytest.fail(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")

    try:
        run(initdb, "-D", str(data), "-U", "cxkit", "--auth=trust", "-E", "UTF8", "--no-sync")
        run(pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
        run(createdb, "-h", "127.0.0.1", "-p", str(port), "-U", "cxkit", database)
        yield f"postgresql://cxkit@127.0.0.1:{port}/{database}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)
