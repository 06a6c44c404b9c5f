"""A real room: JupyterHub and its proxy on 127.0.0.1, sign-ins by the page, sandboxed labs."""

from __future__ import annotations

import argparse
import ast
import os
import re
import signal
import socket
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from cxkit.errors import CxkitError
from cxkit.room import hub, run, sandbox
from cxkit.room.commands import add_commands
from cxkit.room.exchange import INSIDE_ROOT

pytestmark = pytest.mark.slow


def _cxkit(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_a_code_lets_its_participant_in_once(shared_room):
    """Does Ana's code sign her in, and the same code on another computer get a clear refusal?"""
    session, answer = shared_room.login("ana")
    assert answer.status_code == 302 and answer.headers["location"].endswith("/hub/spawn")
    assert session.get(f"{shared_room.url}/hub/home", timeout=30).url.endswith("/hub/home")
    _, again = shared_room.login("ana")
    assert again.status_code == 403
    assert shared_room.login_error(again.text) == (
        "The code for ana has already been used. If that was not you, or you are on another "
        "computer, ask the facilitator for a new code (cxkit room codes ana)."
    )


def test_nobody_off_the_roster_gets_in(shared_room):
    """Is someone not on the roster refused, with any code, and told what to do?"""
    _, answer = shared_room.login("zoe", shared_room.codes["ben"])
    assert answer.status_code == 403
    assert shared_room.login_error(answer.text).startswith('There is no participant "zoe" in this')
    _, wrong = shared_room.login("ben", "AAAA-AAAA-AAAA")
    assert "not the one for ben" in shared_room.login_error(wrong.text)
    names = {user["name"] for user in shared_room.api("users")}
    assert names == {"ana", "ben", "fac"}


def test_a_participants_lab_sees_only_their_own_home(shared_room):
    """From code in Ana's kernel: is Ben's home, the course's source/ and gradebook hidden?"""
    room, course = shared_room.room, shared_room.course
    room.home("ben").mkdir(parents=True, exist_ok=True)
    (room.home("ben") / "bens-answer.txt").write_text("Ben's work")
    seconds = shared_room.start_server("ana")
    kernel = shared_room.kernel("ana")
    secret_paths = [
        room.home("ben") / "bens-answer.txt",
        course.root / "source" / "mini" / "mini.ipynb",
        course.root / "gradebook.db",
        room.root / "secrets" / "service_token",
        Path.home(),
    ]
    assert all(p.exists() for p in secret_paths)  # they are there, on this machine
    probe = (
        "import os\n"
        f"for path in {[str(p) for p in secret_paths]!r}:\n"
        "    print(path, os.path.exists(path))\n"
        "print('home', os.getcwd(), os.environ['HOME'])\n"
        "print('root-only', os.access('/etc/shadow', os.R_OK), os.getuid() == 0)\n"
        f"exchange = {INSIDE_ROOT!r} + '/' + {course.course_id!r}\n"
        "print('inbound', os.access(exchange + '/inbound', os.W_OK))\n"
        "print('outbound', os.access(exchange + '/outbound', os.W_OK))\n"
        "open('mine.txt', 'w').write('Ana was here')\n"
        "import cxkit\n"
        "print('surveys', len(cxkit.load('surveys')) > 0)\n"
    )
    out = shared_room.run_code("ana", kernel, probe)
    for path in secret_paths[:-1]:
        assert f"{path} False" in out, out
    assert f"home {sandbox.HOME} {sandbox.HOME}" in out and "surveys True" in out
    assert "root-only False False" in out  # an unprivileged user, even when the hub is root
    assert "inbound True" in out and "outbound False" in out  # submit, never release
    assert (room.home("ana") / "mine.txt").read_text() == "Ana was here"
    home = str(Path.home())
    listing = shared_room.run_code("ana", kernel, f"import os; print(os.listdir({home!r}))")
    shown = {  # the interpreter, when it lives in the facilitator's home, is shown read-only
        p.relative_to(home).parts[0]
        for p in sandbox.shown_paths(course.root)
        if Path(home) in p.parents
    }
    assert set(ast.literal_eval(listing)) == shown
    assert len(os.listdir(home)) > len(shown)  # the home on this machine holds more
    shared_room.start_server("ben")
    reach = (  # Ben's lab, through the room's address, with everything Ana's lab holds
        "import os, urllib.request, urllib.error\n"
        f"url = 'http://127.0.0.1:{shared_room.opened.settings.port}/user/ben/api/contents'\n"
        "ask = urllib.request.Request(url, headers={'Authorization': "
        "'token ' + os.environ['JUPYTERHUB_API_TOKEN']})\n"
        "try:\n    print('ben', urllib.request.urlopen(ask).status)\n"
        "except urllib.error.HTTPError as err:\n    print('ben', err.code)\n"
    )
    assert shared_room.run_code("ana", kernel, reach).strip() == "ben 403"
    assert shared_room.server("ben", "api/contents").status_code == 200  # it is there
    shared_room.stop_server("ben")
    assert seconds < 150


def test_a_participants_lab_offers_the_kit_and_no_facilitator_tools(shared_room):
    """Does Ana's lab offer the cxkit kernel alone, and neither formgrader nor course list?"""
    shared_room.start_server("ana")
    specs = shared_room.server("ana", "api/kernelspecs").json()
    assert specs["default"] == "cxkit" and list(specs["kernelspecs"]) == ["cxkit"]
    assert shared_room.server("ana", "formgrader").status_code == 404
    assert shared_room.server("ana", "formgrader/api/assignments").status_code == 404
    assert shared_room.server("ana", "assignments").status_code != 404  # the Assignments tab
    page = (shared_room.room.lab_config("ana") / "labconfig" / "page_config.json").read_text()
    assert "@jupyter/nbgrader:create-assignment" in page and "formgrader" in page


def test_each_lab_runs_within_its_limits(shared_room):
    """Is Ana's server (and every kernel it starts) in a cgroup with her memory and CPU limits?"""
    shared_room.start_server("ana")
    settings = shared_room.opened.settings
    assert "memory" in shared_room.opened.enforced  # cgroups are writable on these machines
    groups = sandbox.limit_groups(sandbox.group_name(str(shared_room.room.root), "ana"), None)
    limits = [g / n for g in groups for n in ("memory.limit_in_bytes", "memory.max")]
    limit_file = next(f for f in limits if f.is_file())
    assert int(limit_file.read_text()) == settings.memory_mb * 1024 * 1024
    members = [int(p) for p in (limit_file.parent / "cgroup.procs").read_text().split()]
    names = " ".join(psutil.Process(p).name() for p in members)
    assert "jupyterhub-singleuser" in names or "python" in names, names


def test_a_kernel_over_the_memory_limit_is_stopped_and_the_lab_goes_on(shared_room):
    """Does a kernel filling more memory than Ana's limit die alone, her lab still answering?"""
    shared_room.start_server("ana")
    kernel = shared_room.kernel("ana")
    assert shared_room.run_code("ana", kernel, "print('alive')") == "alive\n"
    over = shared_room.opened.settings.memory_mb + 200
    out = shared_room.run_code("ana", kernel, f"x = b'1' * ({over} * 1024 * 1024)\nprint('kept')")
    assert "kept" not in out and ("KERNEL RESTARTING" in out or "MemoryError" in out), out
    assert shared_room.server("ana", "api/status").status_code == 200


def test_the_idle_culler_runs_beside_the_hub(shared_room):
    """Is jupyterhub-idle-culler running, started by the hub, with the room's idle time?"""
    hub_process = psutil.Process(hub.pid(shared_room.room))
    culler = [
        " ".join(p.cmdline())
        for p in hub_process.children()
        if "jupyterhub_idle_culler" in " ".join(p.cmdline())
    ]
    minutes = shared_room.opened.settings.cull_minutes
    assert len(culler) == 1 and f"--timeout={minutes * 60}" in culler[0]


def test_status_says_who_logged_in_and_whose_lab_runs(shared_room, capsys):
    """Does cxkit room status show Ana logged in with her lab running, and Ben not yet?"""
    shared_room.login("ana")  # refused if already used: either way, Ana has logged in once
    shared_room.start_server("ana")
    assert _cxkit(["room", "status", "--course", str(shared_room.course.root)]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"The room is running at {shared_room.opened.url}")
    lines = {line.split()[0]: line for line in shown.splitlines()[2:]}
    assert re.search(r"accounting \d\d-\d\d \d\d:\d\d running since", lines["ana"])
    assert "Ben Bakker" in lines["ben"] and "stopped" in lines["ben"]
    assert "running" not in lines["ben"]


def test_a_second_start_and_a_taken_port_are_refused(shared_room, course):
    """While a room runs, is starting it again refused? Is another room on its port refused?"""
    with pytest.raises(CxkitError, match="is already running.*cxkit room stop"):
        run.start(shared_room.course, ip="127.0.0.1", port=hub.free_port())
    port = shared_room.opened.settings.port
    with pytest.raises(CxkitError, match=rf"Port {port} on 127.0.0.1 is already in use"):
        run.start(course, ip="127.0.0.1", port=port)
    assert hub.pid(shared_room.room) is not None  # the running room is untouched


def test_a_hub_killed_mid_workshop_loses_nothing(open_room, course, read_sheet):
    """After a SIGKILL of the hub: does start find every account, home and cookie again?

    And after cxkit room stop: is every process gone and every file kept?
    """
    first = open_room(course, facilitators=["fac"])
    session, _ = first.login("ana")
    first.start_server("ana")
    notebook = {"type": "notebook", "content": nbformat.v4.new_notebook()}
    saved = first.server("ana", "api/contents/my-work.ipynb", "PUT", json=notebook)
    assert saved.status_code == 201
    hub_pid = hub.pid(first.room)
    os.kill(hub_pid, signal.SIGKILL)
    psutil.Process(hub_pid).wait(10)
    assert _wait_gone(first)  # the labs die with their hub: none is left unmanaged
    port = first.opened.settings.port
    again = run.start(course, ip="127.0.0.1", port=port)  # the killed hub's proxy held the port
    assert again.sheet is None and again.accounts == 3  # everyone already has a code
    assert (first.room.home("ana") / "my-work.ipynb").is_file()
    assert len(_cullers(first)) == 1  # the killed hub's culler was stopped, a new one runs
    home = session.get(f"{first.url}/hub/home", timeout=30)
    assert home.status_code == 200 and home.url.endswith("/hub/home")  # still logged in
    first.start_server("ana")
    listing = first.server("ana", "api/contents").json()
    assert "my-work.ipynb" in [item["name"] for item in listing["content"]]
    assert _cxkit(["room", "codes", "ben", "--course", str(course.root)]) == 0
    sheets = sorted((first.room.root / "sheets").glob("codes-*.html"))
    new = read_sheet(sheets[-1])
    assert list(new) == ["ben"] and new["ben"] != first.codes["ben"]
    _, answer = first.login("ben", new["ben"])
    assert answer.status_code == 302

    proxy = int((first.room.hub / "proxy.pid").read_text())
    assert _cxkit(["room", "stop", "--course", str(course.root)]) == 0
    assert hub.pid(first.room) is None and not psutil.pid_exists(proxy)
    assert _wait_gone(first)
    with socket.socket() as probe:  # the port is free again
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
    assert (first.room.home("ana") / "my-work.ipynb").is_file()
    assert sorted(first.room.accounts()) == ["ana", "ben", "fac"]
    assert sandbox.limit_groups(sandbox.group_name(str(first.room.root), "ana"), None) == []
    assert _cullers(first) == []


def _cullers(running) -> list[int]:
    """The idle cullers working for this room's hub."""
    return [
        p.pid
        for p in psutil.process_iter(["cmdline", "cwd"])
        if p.info["cwd"] == str(running.room.hub)
        and "jupyterhub_idle_culler" in " ".join(p.info["cmdline"] or [])
    ]


def _sandboxes(running) -> list[int]:
    """Processes of this room's participants' sandboxes still alive."""
    where = str(running.room.root)
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if cmdline.startswith(("bwrap", "/usr/bin/bwrap")) and where in cmdline:
            found.append(process.pid)
    return found


def _wait_gone(running, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while _sandboxes(running):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True
