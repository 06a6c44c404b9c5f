"""Where the files that travel with cxkit are: workshops, templates and course files.

In a clone they sit beside the package (``source/``, ``release/``, ``workshops/``,
``datasets/``, ``nbgrader_config.py``). An installed wheel carries the same files
in ``share/cxkit/`` under the environment's prefix, as Jupyter's own packages
carry theirs. :func:`shipped` finds them in either place; nothing else in cxkit
works out a path to them.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path

from cxkit.errors import CxkitError

CLONE = Path(__file__).resolve().parents[1]  # a checkout: the folder holding pyproject.toml
WHAT = (
    "source",
    "release",
    "workshops",
    "datasets",
    "nbgrader_config.py",
)
# How the browser tests and the Run All bench start Debian's Chromium (headless, driven
# by Playwright): without the background-networking flags it keeps dialling Google's
# hosts, which a machine with a closed network refuses many times a second.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def clone() -> Path | None:
    """The checkout cxkit runs from, or None for an installed wheel."""
    if (CLONE / "pyproject.toml").is_file() and (CLONE / "source").is_dir():
        return CLONE
    return None


def homes() -> list[Path]:
    """The folders searched for shipped files, in order: a clone first, then the prefixes.

    The prefixes are this environment's (a virtualenv or conda), then the base
    Python's, then the user's (``pip install --user`` puts the files in
    ``~/.local/share/cxkit``).
    """
    places = [home] if (home := clone()) is not None else []
    user = sysconfig.get_path("data", sysconfig.get_preferred_scheme("user"))
    for prefix in (sysconfig.get_path("data"), sys.prefix, sys.base_prefix, user):
        share = Path(prefix) / "share" / "cxkit"
        if share not in places:
            places.append(share)
    return places


def shipped(name: str) -> Path:
    """The shipped file or folder ``name``: one of :data:`WHAT`, or a path inside one.

    Examples
    --------
    >>> shipped("workshops/reports").name
    'reports'

    Raises
    ------
    CxkitError
        When cxkit was installed without its course files.
    """
    for home in homes():
        if (home / name).exists():
            return home / name
    raise CxkitError(
        f"cxkit's {name} is not where it should be (looked in "
        f"{', '.join(str(h) for h in homes())}). Reinstall cxkit (pip install cxkit) "
        "or run it from a clone of its repository."
    )


def tools_on_path() -> None:
    """Put this Python's ``bin`` folder first on PATH.

    nbgrader runs ``alembic`` by name when it creates a gradebook, and kernels
    are found through ``jupyter``; both fail when cxkit was started as
    ``.venv/bin/cxkit`` without activating the virtualenv.
    """
    here = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[:1] != [here]:
        os.environ["PATH"] = os.pathsep.join([here, *[p for p in parts if p != here]])


def node_tool(package: str, relative: str) -> Path:
    """A file of an npm package that ``make`` installed into ``<prefix>/node``.

    The workshop room's proxy (``configurable-http-proxy``) and the browser
    tests' accessibility engine (``axe-core``) come from the npm registry; the
    Makefile installs them beside the Python that runs cxkit.

    Parameters
    ----------
    package : str
        The npm package, e.g. ``"axe-core"``.
    relative : str
        A path inside it, e.g. ``"axe.min.js"``.

    Raises
    ------
    CxkitError
        When the package is not installed, naming the command that installs it.
    """
    found = Path(sys.prefix) / "node" / "node_modules" / package / relative
    if found.exists():
        return found
    raise CxkitError(
        f"The npm package {package} is not installed (looked for {found}). Run `make` in "
        "cxkit's folder (it needs Node.js and npm: on Debian, apt install nodejs npm), or "
        f"npm install --prefix {Path(sys.prefix) / 'node'} {package}."
    )
