"""Each participant's JupyterLab: ``jupyterhub-singleuser`` in their sandbox, with their limits.

:class:`RoomSpawner` is JupyterHub's local-process spawner without system
users: every server runs as the hub's user, each inside its own bubblewrap
sandbox (:mod:`cxkit.room.sandbox`) that sees the participant's home, their
part of the exchange and nothing of the course. Their work is their home on
the facilitator's machine (``<course>/.cxkit/room/homes/<id>``), so it outlives
the server, the hub and the machine's restart.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Integer, Unicode, default

from cxkit.participant.lab import participant_config, quiet_settings
from cxkit.room import sandbox

try:
    import resource
except ImportError:  # pragma: no cover - the room runs on Linux only
    resource = None  # type: ignore[assignment]


class RoomSpawner(SimpleLocalProcessSpawner):
    """A participant's server in a bubblewrap sandbox, limited by a cgroup of their own."""

    room_dir = Unicode(help="the room folder, <course>/.cxkit/room").tag(config=True)
    course_root = Unicode(help="the course folder, hidden from participants").tag(config=True)
    course_id = Unicode("cxkit", help="nbgrader's course id").tag(config=True)
    db_url = Unicode("", help="the course's gradebook, hidden from participants").tag(config=True)
    processes = Integer(256, help="processes and threads of one participant").tag(config=True)
    run_as = Unicode("nobody", help="the system user labs run as when the hub runs as root").tag(
        config=True
    )

    @default("home_dir")
    def _home_default(self) -> str:
        return str(Path(self.room_dir) / "homes" / self.user.name)

    @default("cmd")
    def _cmd_default(self) -> list[str]:
        return [str(Path(sys.executable).parent / "jupyterhub-singleuser")]

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        return sandbox.environment(env, self.user.name)

    def _limits(self) -> sandbox.Limits:
        memory = int(self.mem_limit or 0) // (1024 * 1024) or 2048
        return sandbox.Limits(memory, float(self.cpu_limit or 1.0), self.processes)

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        make_home = super().make_preexec_fn(name)
        groups = list(self._groups)

        def preexec() -> None:
            make_home()
            sandbox.join(groups)
            if resource is not None:
                resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        return preexec

    def _config_folder(self) -> Path:
        """Write this participant's Jupyter and nbgrader settings; return their folder."""
        from cxkit.room.exchange import participant_config as exchange_config

        folder = Path(self.room_dir) / "lab" / self.user.name
        inside = f"{sandbox.HOME}/.jupyter/lab"
        lab: dict[str, object] = {
            "user_settings_dir": f"{inside}/user-settings",
            "workspaces_dir": f"{inside}/workspaces",
        }
        participant_config(folder, {"LabApp": lab})
        # jupyter_core writes this marker on first start, and the folder is read-only inside
        (folder / "migrated").write_text("cxkit room\n", encoding="utf-8")
        (folder / "nbgrader_config.py").write_text(
            exchange_config(self.course_id, self.user.name), encoding="utf-8"
        )
        return folder

    async def start(self) -> Any:
        from cxkit.room.exchange import participant_mounts

        home = Path(self.home_dir)
        home.mkdir(parents=True, exist_ok=True)
        quiet_settings(home / ".jupyter" / "lab" / "user-settings")
        course = Path(self.course_root)
        self._groups = sandbox.limit_groups(self._group_name(), self._limits())
        mounts = participant_mounts(Path(self.room_dir), self.course_id, self.user.name)
        user = sandbox.run_as(self.run_as)
        if user is not None:
            sandbox.hand_over([home, *[host for host, _, writable in mounts if writable]], user)
        wrap = sandbox.argv(
            home,
            self._config_folder(),
            sandbox.hidden_paths(course, self.db_url),
            sandbox.shown_paths(course),
            mounts,
            user,
        )
        self.cmd = [*wrap, "--", *(sandbox.become(user) if user else []), *self._cmd_default()]
        return await super().start()

    async def stop(self, now: bool = False) -> None:
        await super().stop(now=now)
        # also the groups of a server started before the hub was restarted
        sandbox.release(self._groups or sandbox.limit_groups(self._group_name(), None))

    def _group_name(self) -> str:
        return sandbox.group_name(self.room_dir, self.user.name)

    _groups: list[Path] = []
