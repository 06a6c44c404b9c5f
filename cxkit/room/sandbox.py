"""Each participant's server in a bubblewrap sandbox, with limits on memory, CPU and processes.

Every participant's JupyterLab runs as the same system user as the hub, so
file permissions cannot keep participants apart; the sandbox does. Inside it
(:func:`argv`):

- the system and the Python environment are read-only;
- the participant's home (``<room>/homes/<id>``) is the only writable folder
  that lasts, at :data:`HOME`; ``/tmp`` is private and ``/run`` empty;
- the course folder (``source/``, the gradebook, the room folder with every
  other home), the facilitator's home and every other home on the machine are
  hidden under empty folders; the interpreter, cxkit and the sample company are
  shown again, read-only (what the grading sandbox shows a kernel);
- the exchange folders of this participant are bound in as
  :func:`cxkit.room.exchange.participant_mounts` says;
- its own process namespace (no other process is visible, none can be
  signalled), no capabilities, and it dies with the hub;
- when the hub runs as root, the server runs as an unprivileged system user
  (``nobody`` by default), so that no root-only file of the machine that is
  not hidden (``/etc/shadow``, SSH keys) can be read either.

The network is shared: the server must reach the hub on 127.0.0.1.

Limits (:func:`limit_groups`) are a cgroup per participant holding their
server and every kernel it starts: memory, CPU share and processes, under the
hub's own cgroup (version 2, or version 1's controllers), where the hub may
create one. Where it may not, nothing limits memory or CPU, and ``cxkit room
start`` says so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from cxkit.errors import CxkitError
from cxkit.grading.sandbox import bwrap_problem, readable_paths

HOME = "/home/participant"  # the participant's home inside the sandbox
CONFIG = "/run/cxkit"  # their Jupyter configuration inside (read-only)
COVERED = (Path("/home"), Path("/root"), Path("/mnt"), Path("/media"))  # hidden always
SYSTEM = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "proc", "sbin", "sys", "usr"}
GROUP_PREFIX = "cxkit-room-"


def problem() -> str:
    """Why participants' servers cannot be sandboxed here, or "" when they can."""
    return bwrap_problem()


def argv(
    home: Path,
    config: Path,
    hidden: list[Path],
    readable: list[Path],
    mounts: list[tuple[Path, str, bool]],
    user: tuple[int, int] | None = None,
) -> list[str]:
    """The bubblewrap command line (up to ``--``) for one participant's server.

    Parameters
    ----------
    home, config : Path
        The participant's home and Jupyter configuration on this machine.
    hidden : list of Path
        Folders to hide under empty ones (the course, the facilitator's home).
    readable : list of Path
        Folders inside hidden ones to show again, read-only.
    mounts : list of (Path, str, bool)
        More folders to bind: on this machine, inside, writable.
    user : (int, int), optional
        The user and group the server will run as (:func:`run_as`), when the
        hub runs as root: the sandbox then keeps only the right to become them.
    """
    cmd = [shutil.which("bwrap") or "bwrap", "--ro-bind", "/", "/", "--dev", "/dev"]
    cmd += ["--proc", "/proc", "--die-with-parent", "--cap-drop", "ALL"]
    if user is None:  # an unprivileged hub: bubblewrap needs a user namespace
        cmd += ["--unshare-all", "--share-net"]
    else:  # root's own namespace, so that the server can become an unprivileged user
        cmd += ["--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"]
        cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    cmd += ["--tmpfs", "/tmp", "--tmpfs", "/run"]
    tops = {Path("/", Path(inside).parts[1]) for _, inside, _ in mounts}
    covers = _hide([*hidden, *COVERED, *tops], sorted(readable, key=_depth), cmd)
    cmd += ["--bind", str(home), HOME, "--ro-bind", str(config), CONFIG]
    for host, inside, writable in mounts:
        top = Path("/", Path(inside).parts[1])
        cmd += [*_open_way(top, Path(inside)), "--bind" if writable else "--ro-bind"]
        cmd += [str(host), inside]
    for folder in covers:
        cmd += ["--remount-ro", str(folder)]
    return [*cmd, "--chdir", HOME]


def _hide(hidden: list[Path], readable: list[Path], cmd: list[str]) -> list[Path]:
    """Add to ``cmd`` an empty folder over each hidden one, and show the readable ones again.

    A hidden folder inside one shown again (the shipped workshops inside the
    Python environment) is hidden in its turn. Returns the empty folders made.
    """
    covers: list[Path] = []
    shown: list[Path] = []
    for folder in sorted({h.resolve() for h in hidden}, key=_depth):
        if folder == Path("/") or not folder.is_dir():
            continue
        if _under(folder, covers) and not _under(folder, shown):
            continue  # already out of sight
        if len(folder.parts) == 2 and folder.name in SYSTEM:
            raise CxkitError(f"A participant's sandbox cannot hide the system folder {folder}.")
        cmd += ["--tmpfs", str(folder)]
        covers.append(folder)
        for path in readable:
            if _under(path, [folder]) and path != folder:
                cmd += [*_open_way(folder, path), "--ro-bind", str(path), str(path)]
                shown.append(path)
    return covers


def run_as(name: str) -> tuple[int, int] | None:
    """The user and group a server runs as: ``name``'s when the hub is root, else None.

    Inside the sandbox root would still own every root-only file of the system
    that is not hidden (``/etc/shadow``, the machine's SSH keys); an
    unprivileged user owns none. Raises CxkitError when that user does not exist.
    """
    import pwd

    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise CxkitError(
            f'The room runs participants\' labs as the system user "{name}", which does not '
            f"exist here. Create it (sudo useradd --system {name}) or choose another."
        ) from None
    return entry.pw_uid, entry.pw_gid


def become(user: tuple[int, int]) -> list[str]:
    """The command that starts a server as ``user`` inside the sandbox, without groups."""
    uid, gid = user
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]


def hand_over(folders: list[Path], user: tuple[int, int]) -> None:
    """Give ``user`` the folders a participant writes to (their home, their submissions)."""
    uid, gid = user
    for folder in folders:
        for current, dirs, files in os.walk(folder):
            for name in [".", *dirs, *files]:
                with contextlib.suppress(OSError):
                    os.chown(Path(current, name), uid, gid, follow_symlinks=False)


def _open_way(cover: Path, path: Path) -> list[str]:
    """Make the folders between ``cover`` and ``path`` open to all (bubblewrap makes them 0700)."""
    way = []
    for parent in reversed(path.relative_to(cover).parents[:-1]):
        way += ["--perms", "0755", "--dir", str(cover / parent)]
    return way


def _depth(path: Path) -> int:
    return len(path.parts)


def _under(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def hidden_paths(course_root: Path, db_url: str) -> list[Path]:
    """What a participant must not see: the course, the gradebook, the facilitator's home.

    Also cxkit's shipped course files (a clone, or ``share/cxkit`` of an
    installed cxkit), whose ``source/`` holds every workshop's solutions.
    """
    from cxkit.resources import homes

    hidden = [course_root, Path.home(), *homes()]
    if db_url.startswith("sqlite:///"):
        hidden.append(Path(db_url.removeprefix("sqlite:///")).parent)
    return hidden


def shown_paths(course_root: Path) -> list[Path]:
    """What a participant's server needs to read: the interpreter, its packages, cxkit, data."""
    from cxkit.data.load import sample_dir

    return list(dict.fromkeys([*readable_paths(course_root), sample_dir().resolve()]))


def environment(env: dict[str, str], user: str) -> dict[str, str]:
    """The server's environment: the hub's variables, a home inside, this Python first.

    ``CXKIT_DATA`` names the sample company, which cxkit otherwise finds beside
    the shipped workshops (hidden in the sandbox).
    """
    from cxkit.data.load import sample_dir

    here = str(Path(sys.executable).parent)
    path = os.pathsep.join([here, "/usr/local/bin", "/usr/bin", "/bin"])
    return {
        **env,
        "USER": user,
        "HOME": HOME,
        "SHELL": "/bin/bash",
        "PATH": path,
        "JUPYTER_CONFIG_DIR": CONFIG,
        "PYTHONNOUSERSITE": "1",
        "MPLCONFIGDIR": f"{HOME}/.config/matplotlib",
        "CXKIT_DATA": str(sample_dir()),
    }


@dataclass(frozen=True)
class Limits:
    """What one participant's server and kernels may use together."""

    memory_mb: int
    cpus: float
    processes: int


def group_name(room_dir: str, user: str) -> str:
    """The name of a participant's cgroups: unique to the room, the same after a hub restart."""
    import hashlib

    return f"{hashlib.sha1(room_dir.encode()).hexdigest()[:8]}-{user}"


CGROUPS = Path("/sys/fs/cgroup")


def own_groups(listing: str, root: Path = CGROUPS) -> dict[str, Path]:
    """Where a process's cgroups are, from its ``/proc/<pid>/cgroup`` ``listing``.

    One folder per version 1 controller (``memory``, ``cpu``, ``pids`` ...) and
    ``unified`` for version 2.
    """
    found: dict[str, Path] = {}
    for line in listing.splitlines():
        _, controllers, where = line.split(":", 2)
        for name in controllers.split(",") if controllers else ["unified"]:
            base = root / (name if name != "unified" else "")
            if name == "unified" and not (base / "cgroup.controllers").is_file():
                base = root / "unified"  # version 1 beside an empty version 2
            found[name] = base / where.lstrip("/")
    return found


def v2_parent(own: Path, root: Path = CGROUPS, create: bool = True) -> Path:
    """The version 2 cgroup under which participants' groups can have limits.

    The hub's own group when the machine delegated the controllers to it; else,
    for a hub run by root, ``cxkit-room`` at the top of the hierarchy, with the
    memory, cpu and pids controllers switched on for its children (a command
    started from a shell on a systemd machine has them in no group of its own).
    """

    def delegated(group: Path) -> bool:
        with contextlib.suppress(OSError):
            return "memory" in (group / "cgroup.subtree_control").read_text().split()
        return False

    if delegated(own) or os.geteuid() != 0 or not delegated(root):
        return own
    parent = root / "cxkit-room"
    if create:
        with contextlib.suppress(OSError):
            parent.mkdir(exist_ok=True)
            (parent / "cgroup.subtree_control").write_text("+memory +cpu +pids")
    return parent


def limit_groups(user: str, limits: Limits | None, root: Path = CGROUPS) -> list[Path]:
    """Make the cgroups that hold one participant's server, with its limits set.

    With ``limits`` None, find the participant's groups that exist, make none.
    With cgroup version 1, each is a child of the hub's own group for a
    controller (memory, cpu, pids), so the room stays within whatever limits
    the machine gives the hub; with version 2, one group under
    :func:`v2_parent`. A controller whose folder is not writable is skipped:
    :func:`enforced` says which limits hold.
    """
    groups: list[Path] = []
    listing = ""
    with contextlib.suppress(OSError):
        listing = Path("/proc/self/cgroup").read_text()
    own = own_groups(listing, root)
    if "unified" in own and (root / "cgroup.controllers").is_file():
        own["unified"] = v2_parent(own["unified"], root, create=limits is not None)
    mb = 1024 * 1024
    wanted = limits or Limits(0, 0.0, 0)
    settings = {
        "memory": {"memory.limit_in_bytes": str(wanted.memory_mb * mb)},
        "cpu": {
            "cpu.cfs_period_us": "100000",
            "cpu.cfs_quota_us": str(int(wanted.cpus * 100000)),
        },
        "pids": {"pids.max": str(wanted.processes)},
        "unified": {
            "memory.max": str(wanted.memory_mb * mb),
            "cpu.max": f"{int(wanted.cpus * 100000)} 100000",
            "pids.max": str(wanted.processes),
        },
    }
    for controller, values in settings.items():
        parent = own.get(controller)
        if parent is None or not os.access(parent, os.W_OK):
            continue
        group = parent / f"{GROUP_PREFIX}{user}"
        if limits is None:
            groups += [group] if group.is_dir() else []
            continue
        with contextlib.suppress(OSError):
            group.mkdir(exist_ok=True)
            written = 0
            for name, value in values.items():
                with contextlib.suppress(OSError):
                    (group / name).write_text(value)
                    written += 1
            if written:
                groups.append(group)
            else:
                group.rmdir()
    return groups


def enforced(groups: list[Path]) -> list[str]:
    """Which limits the cgroups ``groups`` set: some of "memory", "cpu", "processes"."""
    files = {
        "memory": ("memory.limit_in_bytes", "memory.max"),
        "cpu": ("cpu.cfs_quota_us", "cpu.max"),
        "processes": ("pids.max",),
    }
    return [what for what, names in files.items() if any(_set(g, names) for g in groups)]


def _set(group: Path, names: tuple[str, ...]) -> bool:
    """Whether one of the limit files ``names`` in ``group`` holds a limit."""
    for name in names:
        with contextlib.suppress(OSError):
            value = (group / name).read_text().strip()
            if value and not value.startswith(("max", "-1", "9223372036854")):
                return True
    return False


def join(groups: list[Path]) -> None:
    """Put the calling process into ``groups`` (run in the server's process before it starts)."""
    for group in groups:
        with contextlib.suppress(OSError):
            (group / "cgroup.procs").write_text(str(os.getpid()))


def peak_memory_mb(groups: list[Path]) -> float | None:
    """The most memory the group's processes used together so far, in MB (None: unknown)."""
    for group in groups:
        for name in ("memory.max_usage_in_bytes", "memory.peak"):
            with contextlib.suppress(OSError, ValueError):
                return int((group / name).read_text()) / 1024 / 1024
    return None


def release(groups: list[Path]) -> None:
    """Kill whatever is left in a participant's cgroups and remove them."""
    import time

    for group in groups:
        for _ in range(50):  # processes leave a group a moment after they are killed
            try:
                pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
            except (OSError, ValueError):
                break
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
        with contextlib.suppress(OSError):
            group.rmdir()
