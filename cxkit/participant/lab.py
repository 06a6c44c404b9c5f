"""A participant's workspace: their own copy of the released notebooks, opened in JupyterLab.

``cxkit lab`` (and ``make lab``) copies ``release/<workshop>/`` into a folder of
the participant's own, never touching ``release/`` itself, then starts
JupyterLab there with the kit's kernel and nbgrader's Validate button. Work
already in the workspace is kept: a workshop folder that exists is never
overwritten, so starting the lab again is always safe.

The workspace holds an ``nbgrader_config.py`` that points nbgrader's exchange
at ``.exchange/`` inside it; without one, JupyterLab logs a critical
"Unwritable directory" at start-up on machines where the default exchange
(/srv/nbgrader/exchange) is not writable.

A participant sees what participants need: the Assignments tab and Validate,
the ``Python 3 (cxkit)`` kernel alone, and none of the facilitator's tools
(nbgrader's formgrader, course list and *Create Assignment* panel), which
:func:`participant_config` switches off. The workshop room's servers use it too.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cxkit.errors import CxkitError
from cxkit.resources import shipped, tools_on_path

KERNEL = "cxkit"
SETTINGS = Path(".jupyter", "lab", "user-settings")  # JupyterLab settings of this workspace
WORKSPACES = Path(".jupyter", "lab", "workspaces")  # its open tabs and layout
JUPYTER_CONFIG = Path(".jupyter", "config")  # the Jupyter configuration cxkit lab writes
# nbgrader's facilitator tools, which a participant never needs
HIDDEN_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:create-assignment",
)
HIDDEN_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)
CONFIG = '''"""nbgrader settings of a cxkit participant workspace (written by cxkit lab)."""

c = get_config()  # noqa: F821
c.Exchange.root = {exchange!r}
c.CourseDirectory.course_id = "cxkit"
'''


@dataclass
class Workspace:
    """What ``prepare`` did: the workshops copied now and those kept from before."""

    root: Path
    copied: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"Workspace: {self.root}"]
        if self.copied:
            lines.append(f"  copied from release/: {', '.join(self.copied)}")
        if self.kept:
            lines.append(f"  kept your work in: {', '.join(self.kept)} (never overwritten)")
        return "\n".join(lines)


def released(release: Path) -> list[str]:
    """The workshops in a release folder: its subfolders holding notebooks, in order."""
    if not release.is_dir():
        raise CxkitError(
            f"There is no release folder at {release}. Generate it with: cxkit release"
        )
    return sorted(p.name for p in release.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def prepare(
    workspace: Path, workshops: list[str] | None = None, release: Path | None = None
) -> Workspace:
    """Copy released workshops into ``workspace``, keeping any that are already there.

    Parameters
    ----------
    workspace : Path
        The participant's own folder; created if missing. It must not be, or be
        inside, the release folder.
    workshops : list of str, optional
        Which workshops to copy (default: every released one).
    release : Path, optional
        The release folder (default: this repository's ``release/``).

    Returns
    -------
    Workspace
        The folder, with what was copied and what was kept.
    """
    import shutil

    release = (release or shipped("release")).resolve()
    root = Path(workspace).resolve()
    if root == release or release in root.parents:
        raise CxkitError(
            f"The workspace {root} is inside release/, which nbgrader regenerates: work "
            "there would be lost. Choose a folder of your own, e.g. cxkit lab workspace"
        )
    available = released(release)
    wanted = workshops or available
    unknown = [w for w in wanted if w not in available]
    if unknown:
        raise CxkitError(
            f"No released workshop called {', '.join(unknown)}. Released: "
            f"{', '.join(available) or 'none (run cxkit release)'}."
        )
    done = Workspace(root)
    root.mkdir(parents=True, exist_ok=True)
    for workshop in wanted:
        if (root / workshop).exists():
            done.kept.append(workshop)
        else:
            shutil.copytree(release / workshop, root / workshop)
            done.copied.append(workshop)
    (root / ".exchange").mkdir(exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        CONFIG.format(exchange=str(root / ".exchange")), encoding="utf-8"
    )
    quiet_settings(root / SETTINGS)
    participant_config(root / JUPYTER_CONFIG)
    return done


def quiet_settings(user_settings: Path) -> None:
    """No pop-up asking to fetch Jupyter news: the room is offline, and it distracts."""
    settings = user_settings / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    quiet = {"fetchNews": "false", "checkForUpdates": False}
    (settings / "notification.jupyterlab-settings").write_text(json.dumps(quiet), "utf-8")


def participant_config(folder: Path, server: dict[str, dict[str, object]] | None = None) -> Path:
    """Write the Jupyter configuration of a participant's server into ``folder``.

    The server offers the kit's kernel alone, and neither nbgrader's
    facilitator tools (formgrader, course list) nor their JupyterLab panels
    (*Create Assignment*, *Formgrader*, *Courses*); the Assignments tab and
    Validate stay. Jupyter reads the folder as a configuration directory
    (``JUPYTER_CONFIG_DIR``, as in the room), or its two files from the command
    line (``--config`` and ``--LabApp.app_settings_dir``, as :func:`command`).

    Parameters
    ----------
    folder : Path
        Where to write ``jupyter_server_config.json`` and
        ``labconfig/page_config.json``; created if missing.
    server : dict, optional
        More server settings by class (``{"LabApp": {"user_settings_dir": ...}}``).

    Returns
    -------
    Path
        ``folder``.
    """
    config: dict[str, dict[str, object]] = {
        "ServerApp": {"jpserver_extensions": dict.fromkeys(HIDDEN_SERVER_EXTENSIONS, False)},
        "KernelSpecManager": {"allowed_kernelspecs": [KERNEL]},
        "MappingKernelManager": {"default_kernel_name": KERNEL},
    }
    for section, values in (server or {}).items():
        config.setdefault(section, {}).update(values)
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "jupyter_server_config.json").write_text(json.dumps(config, indent=1), "utf-8")
    page = {"disabledExtensions": dict.fromkeys(HIDDEN_PLUGINS, True)}
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=1), "utf-8")
    return folder


def command(
    workspace: Path, port: int = 8888, token: str | None = None, browser: bool = True
) -> list[str]:
    """The command that starts JupyterLab in ``workspace`` with the kit's kernel.

    Examples
    --------
    >>> cmd = command(Path("ws"), port=9999, token="t", browser=False)
    >>> cmd[1:3], "--ServerApp.port=9999" in cmd, "--IdentityProvider.token=t" in cmd
    (['-m', 'jupyterlab'], True, True)
    """
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={Path(workspace).resolve()}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--MappingKernelManager.default_kernel_name={KERNEL}",
        f"--LabApp.user_settings_dir={Path(workspace).resolve() / SETTINGS}",
        # its own open tabs and layout: never those another workspace left behind
        f"--LabApp.workspaces_dir={Path(workspace).resolve() / WORKSPACES}",
        # what participant_config wrote: the kit's kernel alone, no facilitator tools
        f"--config={Path(workspace).resolve() / JUPYTER_CONFIG / 'jupyter_server_config.json'}",
        f"--LabApp.app_settings_dir={Path(workspace).resolve() / JUPYTER_CONFIG / 'labconfig'}",
    ]
    if token is not None:
        argv.append(f"--IdentityProvider.token={token}")
    if not browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # containers and CI machines often run as root
    return argv


def start(workspace: Path, port: int = 8888) -> int:
    """Start JupyterLab in ``workspace`` (in its folder, replacing this process)."""
    tools_on_path()
    argv = command(workspace, port)
    os.chdir(workspace)  # nbgrader reads nbgrader_config.py from the folder it starts in
    os.execv(argv[0], argv)
    return 0  # pragma: no cover
