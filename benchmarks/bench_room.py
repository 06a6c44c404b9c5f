"""A room's capacity: N participants' labs started at once, each running workshop 00 in its kernel.

Opens a real room (JupyterHub, its proxy, sandboxed labs) for a course of N
participants (30 by default; ``CXKIT_BENCH_ROOM=10`` for fewer), starts every
lab at once through the hub's REST API, as when everyone signs in at nine, then
runs workshop 00 (the solved notebook, cell by cell) in a kernel of each lab,
all at the same time. Prints the seconds each lab took to be ready (median and
max), each participant's peak memory (their cgroup: server and kernel
together), the room's peak in total, and how many participants that makes fit
in this machine's memory. Asserts nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import nbformat

from cxkit.course.directory import Course
from cxkit.course.roster import import_roster
from cxkit.resources import CLONE as REPO_ROOT
from cxkit.room import hub, sandbox
from cxkit.room import run as room_run
from cxkit.room.state import Room

WORKSHOP = "00-foundations"
SIZE = int(os.environ.get("CXKIT_BENCH_ROOM", "30"))
MB = 1024 * 1024


def _course(root: Path, size: int) -> Course:
    shutil.copytree(REPO_ROOT / "source" / WORKSHOP, root / "source" / WORKSHOP)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    lines = ["id,name,email,department"]
    lines += [f"p{i:02d},Person {i},p{i:02d}@example.com,logistics" for i in range(size)]
    (root / "roster.csv").write_text("\n".join(lines) + "\n")
    course = Course(root)
    import_roster(course, root / "roster.csv")
    return course


def _request(room: Room, url: str, method: str = "GET", body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"token {room.secret('service_token')}")
    with urllib.request.urlopen(request, timeout=120) as answer:
        text = answer.read()
    return json.loads(text) if text else None


def _start_all(room: Room, users: list[str]) -> dict[str, float]:
    """Ask for every lab at once; the seconds from each one's request until it is ready."""
    from concurrent.futures import ThreadPoolExecutor

    asked: dict[str, float] = {}

    def ask(user: str) -> None:
        asked[user] = time.monotonic()
        hub.api(room, f"users/{user}/server", "POST")

    with ThreadPoolExecutor(len(users)) as pool:
        requests = [pool.submit(ask, user) for user in users]
        ready: dict[str, float] = {}
        deadline = time.monotonic() + 900
        while len(ready) < len(users) and time.monotonic() < deadline:
            for user in hub.api(room, "users"):
                name, server = user["name"], (user.get("servers") or {}).get("")
                if name in asked and name not in ready and server and server["ready"]:
                    ready[name] = time.monotonic() - asked[name]
            time.sleep(0.5)
        for request in requests:
            request.result()
    return ready


async def _run_notebook(base: str, room: Room, user: str, cells: list[str]) -> float:
    """Run ``cells`` in a new kernel of ``user``'s lab; the seconds it took.

    Raises
    ------
    RuntimeError
        When a cell fails (the solved notebook runs without error).
    """
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    kernel = await asyncio.to_thread(_request, room, f"{base}/user/{user}/api/kernels", "POST", {})
    headers = {"Authorization": f"token {room.secret('service_token')}"}
    ws = base.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel['id']}/channels"
    ask = HTTPRequest(ws, headers=headers, connect_timeout=300, request_timeout=300)
    socket = await websocket_connect(ask, max_message_size=1 << 28)
    started = time.monotonic()
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            header = {"msg_id": msg_id, "msg_type": "execute_request", "username": user}
            header |= {"session": uuid.uuid4().hex, "version": "5.3", "date": ""}
            content = {"code": code, "silent": False, "store_history": True}
            content |= {"user_expressions": {}, "allow_stdin": False}
            message = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
            await socket.write_message(json.dumps({**message, "channel": "shell", "buffers": []}))
            while True:
                raw = await socket.read_message()
                if raw is None:
                    raise RuntimeError(f"{user}'s kernel went away")
                reply = json.loads(raw)
                if reply.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if reply["msg_type"] == "error":
                    raise RuntimeError(f"{reply['content']['ename']} in cell {code[:40]!r}")
                if reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
                    break
    finally:
        socket.close()
    return time.monotonic() - started


def _watch_total(groups: list[list[Path]], stop: threading.Event, peak: list[float]) -> None:
    """Sample the room's memory in use (every lab's cgroup together) until ``stop``."""
    while not stop.is_set():
        total = 0.0
        for user_groups in groups:
            for group in user_groups:
                for name in ("memory.usage_in_bytes", "memory.current"):
                    path = group / name
                    if path.is_file():
                        total += int(path.read_text()) / MB
                        break
        peak[0] = max(peak[0], total)
        stop.wait(0.5)


def _hub_rss(room: Room) -> float:
    import psutil

    number = hub.pid(room)
    if number is None:
        return 0.0
    hub_process = psutil.Process(number)
    kids = [p for p in hub_process.children() if "bwrap" not in p.name()]
    return sum(p.memory_info().rss for p in [hub_process, *kids]) / MB


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-room-") as folder:
        course = _course(Path(folder), SIZE)
        opened = run_room(course)
        users = [f"p{i:02d}" for i in range(SIZE)]
        try:
            _measure(Room(course), opened, users)
        finally:
            room_run.stop(course)


def run_room(course: Course) -> room_run.Opened:
    return room_run.start(course, ip="127.0.0.1", port=hub.free_port(), cull_minutes=120)


def _measure(room: Room, opened: room_run.Opened, users: list[str]) -> None:
    notebook = nbformat.read(REPO_ROOT / "source" / WORKSHOP / "foundations.ipynb", as_version=4)
    cells = [c.source for c in notebook.cells if c.cell_type == "code"]
    print(f"{SIZE} participants; limits enforced: {', '.join(opened.enforced) or 'none'}")
    starts = _start_all(room, users)
    times = sorted(starts.values())
    if times:
        print(
            f"labs ready: {len(times)} of {SIZE}; seconds to ready, median "
            f"{statistics.median(times):.1f}, max {max(times):.1f}"
        )
    ready = [u for u in users if u in starts]
    groups = [sandbox.limit_groups(sandbox.group_name(str(room.root), u), None) for u in ready]
    stop, peak = threading.Event(), [0.0]
    watcher = threading.Thread(target=_watch_total, args=(groups, stop, peak), daemon=True)
    watcher.start()
    base = f"http://127.0.0.1:{opened.settings.port}"

    async def everyone() -> list[Any]:
        jobs = [_run_notebook(base, room, u, cells) for u in ready]
        return await asyncio.gather(*jobs, return_exceptions=True)

    results = asyncio.run(everyone())
    stop.set()
    watcher.join()
    ran = [r for r in results if isinstance(r, float)]
    failed = [f"{u}: {r}" for u, r in zip(ready, results, strict=True) if not isinstance(r, float)]
    if ran:
        print(
            f"workshop 00 in {len(ran)} kernels at once: median {statistics.median(ran):.1f} s, "
            f"max {max(ran):.1f} s"
        )
    for line in failed[:5]:
        print(f"  failed: {line}")
    peaks = [p for p in (sandbox.peak_memory_mb(g) for g in groups) if p is not None]
    overhead = _hub_rss(room)
    if peaks:
        per = max(peaks)
        print(
            f"peak memory per participant (lab and kernel): median {statistics.median(peaks):.0f} "
            f"MB, max {per:.0f} MB; all labs together at most {peak[0]:.0f} MB; hub, proxy "
            f"and culler {overhead:.0f} MB"
        )
        budget = 24 * 1024 - overhead
        print(
            f"fit in 24 GB: {int(budget // per)} participants at the largest peak "
            f"({int(budget // statistics.median(peaks))} at the median)"
        )


if __name__ == "__main__":
    run()
