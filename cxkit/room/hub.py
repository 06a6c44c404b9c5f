"""The room's JupyterHub: its configuration, started in the background and stopped again.

``cxkit room start`` writes ``hub/jupyterhub_config.py`` in the room folder (two
lines calling :func:`configure`, which reads ``room.json``), starts JupyterHub
with it as a background process (its pid and log in ``hub/``), and waits until
the hub answers through its proxy. JupyterHub starts the proxy
(configurable-http-proxy, from npm) and two services: ``cxkit-room``, a token
the room's commands use to read who is there, and the idle culler, which stops
servers nobody has used for a while (their files stay).

Everything the hub keeps is in the room folder: its database (accounts,
servers, the cookies that keep people logged in), its cookie secret, the
proxy's token. A hub killed in the middle of a workshop is started again with
the same command and finds everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxkit.errors import CxkitError
from cxkit.room.state import Room, Settings

SERVICE = "cxkit-room"
CONFIG = '''"""The room's JupyterHub settings: written by cxkit room start, from room.json."""

from cxkit.room.hub import configure

configure(get_config(), __file__)  # noqa: F821
'''


def configure(c: Any, config_file: str) -> None:
    """Set every JupyterHub setting of the room whose ``hub/jupyterhub_config.py`` this is."""
    from cxkit.course.directory import Course
    from cxkit.resources import node_tool
    from cxkit.room.auth import RoomAuthenticator
    from cxkit.room.spawner import RoomSpawner

    hub = Path(config_file).resolve().parent
    room = Room(Course(hub.parent.parent.parent))
    settings = room.settings()
    accounts = room.accounts()
    c.JupyterHub.ip = settings.ip
    c.JupyterHub.port = settings.port
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.JupyterHub.db_url = f"sqlite:///{hub / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(room.root / "secrets" / "cookie_secret")
    c.JupyterHub.template_paths = [str(hub / "templates")]
    c.JupyterHub.cleanup_servers = True  # a stopped room leaves no server running
    c.JupyterHub.implicit_spawn_seconds = 3  # a lab stopped (culled, restarted) starts on reload
    c.ConfigurableHTTPProxy.command = [_node(), str(node_tool("configurable-http-proxy", PROXY))]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.auth_token = room.secret("proxy_token")
    c.ConfigurableHTTPProxy.pid_file = str(hub / "proxy.pid")
    c.JupyterHub.authenticator_class = RoomAuthenticator
    c.RoomAuthenticator.room_dir = str(room.root)
    c.Authenticator.allowed_users = set(accounts)
    c.Authenticator.admin_users = {a for a, account in accounts.items() if account.admin}
    c.JupyterHub.spawner_class = RoomSpawner
    c.RoomSpawner.room_dir = str(room.root)
    c.RoomSpawner.course_root = str(room.course.root)
    c.RoomSpawner.course_id = settings.course_id
    c.RoomSpawner.db_url = room.course.gradebook_url
    c.RoomSpawner.processes = settings.processes
    c.Spawner.default_url = "/lab"
    c.Spawner.mem_limit = f"{settings.memory_mb}M"
    c.Spawner.cpu_limit = settings.cpus
    c.Spawner.start_timeout = 180  # many servers starting at once on a small machine
    c.Spawner.http_timeout = 120
    c.JupyterHub.services = [
        {"name": SERVICE, "api_token": room.secret("service_token")},
        {
            "name": "idle-culler",
            "command": [
                sys.executable,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={settings.cull_minutes * 60}",
            ],
        },
    ]
    c.JupyterHub.load_roles = [
        {
            "name": SERVICE,
            "scopes": [
                "list:users",
                "read:users",
                "read:servers",
                "admin:servers",
                "access:servers",  # the facilitator's tools may look into a server
            ],
            "services": [SERVICE],
        },
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        },
    ]


PROXY = "bin/configurable-http-proxy"


def _node() -> str:
    """Node.js, which runs the proxy."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise CxkitError(
            "Node.js is not installed, and the room's proxy (configurable-http-proxy) needs it. "
            "On Debian or Ubuntu: sudo apt install nodejs npm, then run make in cxkit's folder "
            "(it installs the proxy from npm)."
        )
    return node


def check_tools() -> None:
    """Refuse to start without Node.js, the proxy or bubblewrap, saying how to install each."""
    from cxkit.resources import node_tool
    from cxkit.room.sandbox import problem

    _node()
    node_tool("configurable-http-proxy", PROXY)
    why = problem()
    if why:
        raise CxkitError(
            f"Participants' servers cannot be isolated here: {why}. The room keeps each "
            "participant's lab in a bubblewrap sandbox; install it (sudo apt install "
            "bubblewrap) and start the room again."
        )


def free_port() -> int:
    """A port no one listens on, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def check_port(ip: str, port: int) -> None:
    """Refuse a port something else already listens on, naming it and how to choose another."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((ip, port))
        except OSError as err:
            raise CxkitError(
                f"Port {port} on {ip} is already in use ({err.strerror}): another program, or "
                f"another room, listens there. Choose another port, e.g. cxkit room start "
                f"--port {port + 10}, or stop what uses it."
            ) from None


@dataclass(frozen=True)
class Started:
    """A running room: where participants go, and the hub's process."""

    url: str
    pid: int
    log: Path


def pid(room: Room) -> int | None:
    """The running hub's process id, or None when the room is not running."""
    path = room.hub / "hub.pid"
    with contextlib.suppress(OSError, ValueError):
        found = int(path.read_text())
        if _is_hub(found, room):
            return found
    return None


def _is_hub(number: int, room: Room) -> bool:
    import psutil

    with contextlib.suppress(psutil.Error):
        process = psutil.Process(number)
        return process.status() != psutil.STATUS_ZOMBIE and str(room.hub) in " ".join(
            process.cmdline()
        )
    return False


def clear_leftovers(room: Room) -> None:
    """Stop what a killed hub left running: its proxy (holding the room's port), its culler."""
    import psutil

    path = room.hub / "proxy.pid"
    with contextlib.suppress(OSError, ValueError, psutil.Error):
        process = psutil.Process(int(path.read_text()))
        if "configurable-http-proxy" in " ".join(process.cmdline()):
            process.terminate()
            process.wait(10)
    path.unlink(missing_ok=True)
    for process in psutil.process_iter(["cmdline", "cwd"]):
        if process.info["cwd"] == str(room.hub) and "jupyterhub_idle_culler" in " ".join(
            process.info["cmdline"] or []
        ):
            with contextlib.suppress(psutil.Error):
                process.terminate()
                process.wait(10)


def launch(room: Room, settings: Settings) -> Started:
    """Start the hub in the background and wait until it answers; return where it is.

    Raises
    ------
    CxkitError
        When the hub stops or does not answer within two minutes: with the end
        of its log, which says why.
    """
    from cxkit.room.auth import write_login_page

    write_login_page(room)
    config = room.hub / "jupyterhub_config.py"
    config.write_text(CONFIG, encoding="utf-8")
    log = room.hub / "jupyterhub.log"
    here = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": os.pathsep.join([here, os.environ.get("PATH", "")])}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=room.hub,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # the room outlives this command
        )
    (room.hub / "hub.pid").write_text(str(process.pid), encoding="utf-8")
    local = "127.0.0.1" if settings.ip in ("0.0.0.0", "", "::") else settings.ip
    health = f"http://{local}:{settings.port}/hub/health"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CxkitError(f"The room's hub stopped at start-up:\n{_tail(log)}")
        with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2) as answer:
            if answer.status == 200:
                return Started(settings.url, process.pid, log)
        time.sleep(0.3)
    terminate(process.pid)
    raise CxkitError(f"The room's hub did not answer within two minutes:\n{_tail(log)}")


def _tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:]) + f"\n(the whole log: {log})"


def terminate(number: int, wait: float = 90) -> None:
    """Stop the hub: it stops every server and its proxy first; killed if it hangs."""
    import psutil

    with contextlib.suppress(psutil.Error):
        process = psutil.Process(number)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(wait)
        except psutil.TimeoutExpired:
            process.kill()
            process.wait(10)


def stop(room: Room) -> bool:
    """Stop the room's hub, its proxy and every server; nothing is deleted.

    Returns whether a hub was running.
    """
    running = pid(room)
    if running is not None:
        terminate(running)
    clear_leftovers(room)
    (room.hub / "hub.pid").unlink(missing_ok=True)
    return running is not None


def api(room: Room, path: str, method: str = "GET", body: Any = None) -> Any:
    """Call the running hub's REST API with the room's service token; the JSON answer."""
    settings = room.settings()
    url = f"http://127.0.0.1:{settings.hub_port}/hub/api/{path.lstrip('/')}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"token {room.secret('service_token')}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read()
    except urllib.error.HTTPError as err:
        said = err.read().decode(errors="replace")[:300]
        raise CxkitError(f"The room's hub refused {method} {path}: {err.code} {said}") from None
    except urllib.error.URLError as err:
        raise CxkitError(
            f"The room's hub does not answer ({err}). Is it running? cxkit room status"
        ) from None
    return json.loads(text) if text else None
