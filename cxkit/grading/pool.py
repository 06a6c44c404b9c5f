"""A warm kernel pool: fresh kernels forked from a template that has already imported everything.

Plain grading starts a new Python for every submission, then imports pandas,
matplotlib and cxkit again: about 2 s of overhead for well under a second of
participants' code. Here a template process (:mod:`cxkit.grading.forkserver`)
does the imports once, and each kernel is a ``fork`` of it: a new process, in
its own session, with nothing of the previous participant's kernel in it.

Grading uses :class:`WarmSandbox` and :class:`WarmSandboxedKernelManager`: one
template per grading worker, inside the grading sandbox. :class:`WarmKernelManager`
is the same pool without a sandbox, a jupyter_client kernel manager for any
executor (``Execute.kernel_manager_class``); kernels of other languages, or on
machines without ``fork``, start the ordinary way.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from cxkit.errors import CxkitError
from cxkit.grading.forkserver import TEMPLATE_ENV
from cxkit.grading.sandbox import QuickKernelManager, SandboxedKernelManager

START_TIMEOUT = 60.0  # seconds for the template to import everything


def available() -> bool:
    """Whether kernels can be forked here (Linux and other systems with fork)."""
    return hasattr(os, "fork") and sys.platform.startswith("linux")


class Template:
    """The template process, started on first use and restarted once if it dies."""

    _lock = threading.Lock()
    _current: Template | None = None

    def __init__(self) -> None:
        # An abstract Unix socket (Linux): nothing on disk to leave behind when the
        # grader is killed; the log is an unnamed file, read only if start-up fails.
        self.socket = f"cxkit-pool-{os.getpid()}-{uuid.uuid4().hex}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - open while the template lives
        # Set before Python starts: running the module imports cxkit, and so NumPy,
        # before any of its own code could set them (see forkserver.TEMPLATE_ENV).
        env = dict(os.environ, **TEMPLATE_ENV)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cxkit.grading.forkserver", self.socket],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        if ready.strip() != b"ready":
            self.process.wait()
            self.log.seek(0)
            log = self.log.read().decode(errors="replace")[-2000:]
            self.log.close()
            raise CxkitError(f"The warm kernel template did not start:\n{log}")

    @classmethod
    def get(cls) -> Template:
        """The running template, started if there is none or it died."""
        with cls._lock:
            if cls._current is None or cls._current.process.poll() is not None:
                cls._current = cls()
            return cls._current

    @classmethod
    def stop(cls) -> None:
        """Stop the template (its kernels die with it)."""
        with cls._lock:
            if cls._current is not None:
                cls._current.close()
                cls._current = None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self.log.close()

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect("\0" + self.socket)
            conn.sendall((json.dumps(request) + "\n").encode())
            answer: dict[str, Any] = json.loads(conn.makefile("r").readline())
            return answer


atexit.register(Template.stop)


class ForkedKernel:
    """A kernel forked by the template: just enough of ``subprocess.Popen`` for jupyter_client."""

    stdin = stdout = stderr = None

    def __init__(self, template: Template | WarmSandbox, pid: int) -> None:
        self.template, self.pid = template, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                exit_code = self.template.ask({"op": "status", "pid": self.pid}).get("exit")
            except (OSError, ValueError):  # the template is gone, and its kernels with it
                exit_code = -signal.SIGKILL
            if exit_code is not None:
                self.returncode = int(exit_code)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signum)  # the kernel and anything it started

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class WarmProvisioner(LocalProvisioner):
    """Launch ipykernel kernels by forking the template; anything else the ordinary way."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        argv = _ipykernel_arguments(cmd)
        if not available() or argv is None:
            return await super().launch_kernel(cmd, **kwargs)
        request = {
            "argv": argv,
            "cwd": str(kwargs.get("cwd") or os.getcwd()),
            "env": dict(kwargs.get("env") or os.environ),
            "client": os.getpid(),
        }
        try:
            template = Template.get()
            pid = int(template.ask(request)["pid"])
        except OSError:  # the template died between kernels: start a new one, once
            Template.stop()
            template = Template.get()
            pid = int(template.ask(request)["pid"])
        self.process = ForkedKernel(template, pid)  # type: ignore[assignment]
        self.pid = self.pgid = pid  # the kernel leads its own session
        self.cwd = request["cwd"]
        return self.connection_info


class WarmKernelManager(QuickKernelManager):
    """An async kernel manager whose kernels come from the warm template."""

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or _new_id()
            self.provisioner = WarmProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)


def _ipykernel_arguments(cmd: list[str]) -> list[str] | None:
    """The arguments after ``-m ipykernel_launcher`` in a kernel command, or None if it is not one.

    Examples
    --------
    >>> _ipykernel_arguments(["python", "-m", "ipykernel_launcher", "-f", "c.json"])
    ['-f', 'c.json']
    >>> _ipykernel_arguments(["R", "--slave"]) is None
    True
    """
    for i in range(len(cmd) - 1):
        if cmd[i : i + 2] == ["-m", "ipykernel_launcher"]:
            return cmd[i + 2 :]
    return None


def _new_id() -> str:
    return str(uuid.uuid4())


# --- Warm kernels inside the grading sandbox ---------------------------------------------


class WarmSandbox:
    """One grading worker's template, inside a bubblewrap sandbox of its own.

    The sandbox is the one a cold kernel gets (:func:`cxkit.grading.sandbox.bwrap_argv`):
    no network, the course folder and home hidden, limits set, and one writable
    work folder, at a fixed path, that the grader empties and refills for every
    submission. The template forks one kernel at a time in it; between two
    kernels it kills whatever the last one left running and empties ``/tmp``.
    The pids cgroup holds the template and the kernel: a fork bomb is stopped
    the moment it reaches the limit, and the template is restarted if it went too.
    """

    _local = threading.local()  # one per grading thread (a Dask worker may run several)

    def __init__(self, workshop: str, hidden: list[str], readable: list[str], limits: Any) -> None:
        from cxkit.grading.sandbox import PREFIX

        self.key = (workshop, tuple(hidden), tuple(readable), limits)
        self.box = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-warm-"))
        slot = self.box / "slot"
        # laid out as nbgrader lays out a course: relative paths climb to a read-only folder
        self.work = slot / "autograded" / "submission" / workshop
        self.work.mkdir(parents=True)
        self.channel = self.box / "channel"
        self.channel.mkdir()
        self.hidden, self.readable, self.limits = [*hidden, str(slot)], readable, limits
        self._lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.cgroup: Path | None = None
        self.forked: list[int] = []  # the kernels forked since the last reset_work()
        self._start()

    def _start(self) -> None:
        from cxkit.grading.sandbox import bwrap_argv, kernel_env, pids_cgroup, preexec

        mine, theirs = socket.socketpair()
        argv = bwrap_argv(
            self.work,
            self.channel,
            [Path(h) for h in self.hidden],
            [Path(r) for r in self.readable],
            self.limits,
        )
        argv += ["--", sys.executable, "-m", "cxkit.grading.forkserver"]
        argv += ["--fd", str(theirs.fileno()), str(self.box)]
        # the template, the sandbox's init and bubblewrap itself, beside the kernel's share
        self.cgroup = pids_cgroup(self.limits.processes + 3)
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - open while the template lives
        self.process = subprocess.Popen(
            argv,
            env=kernel_env(dict(os.environ, **TEMPLATE_ENV)),
            pass_fds=[theirs.fileno()],
            preexec_fn=preexec(self.limits, self.cgroup),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
        )
        theirs.close()
        mine.settimeout(START_TIMEOUT)
        self.socket = mine
        self.requests, self.answers = mine.makefile("w"), mine.makefile("r")
        try:
            ready = self.answers.readline()
        except OSError:
            ready = ""
        if ready.strip() != "ready":
            self.close()
            self.log.seek(0)
            raise CxkitError(
                "The sandboxed kernel template did not start:\n"
                + self.log.read().decode(errors="replace")[-2000:]
            )
        mine.settimeout(30.0)

    @classmethod
    def for_job(
        cls, workshop: str, hidden: list[str], readable: list[str], limits: Any
    ) -> WarmSandbox:
        """This thread's sandbox for ``workshop``, started (or restarted) if need be."""
        box: WarmSandbox | None = getattr(cls._local, "box", None)
        key = (workshop, tuple(hidden), tuple(readable), limits)
        if box is not None and (box.key != key or not box.alive()):
            box.close()
            box = None
        if box is None:
            box = cls(workshop, hidden, readable, limits)
            cls._local.box = box
            atexit.register(box.close)
        return box

    @classmethod
    def current(cls) -> WarmSandbox:
        box: WarmSandbox | None = getattr(cls._local, "box", None)
        if box is None:
            raise CxkitError("no warm sandbox for this thread; run_job starts one")
        return box

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def reset_work(self) -> None:
        """Empty the work folder for the next submission (the folder itself stays: it is bound)."""
        import shutil

        self.forked = []
        for path in self.work.iterdir():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.requests.write(json.dumps(request) + "\n")
            self.requests.flush()
            line = self.answers.readline()
        if not line:
            raise OSError("the sandboxed template is gone")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def fork(self, request: dict[str, Any]) -> int:
        """A new kernel; the template is restarted once if it died in between."""
        try:
            pid = int(self.ask(request)["pid"])
        except (OSError, ValueError):
            self.close_template()
            self._start()
            pid = int(self.ask(request)["pid"])
        self.forked.append(pid)
        return pid

    def kernel_cpu(self) -> float | None:
        """CPU seconds the kernels forked since :meth:`reset_work` used (None: not all ended).

        The template reaps each kernel as it ends, and keeps what it used then.
        """
        total = 0.0
        for pid in self.forked:
            try:
                used = self.ask({"op": "status", "pid": pid}).get("cpu")
            except (OSError, ValueError):
                return None
            if used is None:
                return None
            total += float(used)
        return total

    def clean(self) -> None:
        """Kill what the last kernel left and empty /tmp; stop the template if it cannot."""
        try:
            self.ask({"op": "clean"})
        except (OSError, ValueError):
            self.close_template()

    def process_limit_hits(self) -> int:
        """How often the cgroup refused a new process, so far (cgroup v2 ``pids.events``)."""
        if self.cgroup is None:
            return 0
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.cgroup / "pids.events").read_text().split()[-1])
        return 0

    def close_template(self) -> None:
        from cxkit.grading.sandbox import kill_group

        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait()
        kill_group(self.cgroup)
        self.cgroup = None
        with contextlib.suppress(OSError):
            self.socket.close()
            self.log.close()

    def close(self) -> None:
        import shutil

        self.close_template()
        shutil.rmtree(self.box, ignore_errors=True)


class SandboxForked(ForkedKernel):
    """A kernel forked in a sandbox: its pid is the sandbox's own, so signals go through
    the template, as status questions do."""

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                self.template.ask({"op": "signal", "pid": self.pid, "signum": int(signum)})


class SandboxedWarmProvisioner(LocalProvisioner):
    """Ask this thread's sandboxed template for the kernel instead of starting a process."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        from cxkit.grading.sandbox import kernel_env

        argv = _ipykernel_arguments(cmd)
        if argv is None:
            raise CxkitError("the warm sandbox runs Python kernels only")
        box = WarmSandbox.current()
        env = kernel_env(dict(kwargs.get("env") or os.environ))
        env.pop("JPY_PARENT_PID", None)  # a pid from outside: the kernel would think it orphaned
        request = {"op": "fork", "argv": argv, "cwd": str(box.work), "env": env}
        pid = box.fork(request)
        self.process = SandboxForked(box, pid)  # type: ignore[assignment]
        self.pid, self.pgid = pid, None  # the sandbox's own numbers: never signal them here
        self.cwd = str(box.work)
        return self.connection_info


class WarmSandboxedKernelManager(SandboxedKernelManager):
    """A sandboxed kernel forked from this thread's :class:`WarmSandbox` template.

    Everything else is :class:`cxkit.grading.sandbox.SandboxedKernelManager`'s:
    interrupts as messages, the process limit watched, traces removed. Its
    connection file and sockets live in the template's channel folder, the one
    folder besides the work folder that the sandbox shares with the grader.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._box = WarmSandbox.current()
        super().__init__(**kwargs)  # the sandbox is there: transport ipc, in _new_channel()
        self._hits_before = 0

    def _new_channel(self) -> Path:
        channel = self._box.channel / uuid.uuid4().hex[:12]
        channel.mkdir()
        return channel

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or _new_id()
            self.provisioner = SandboxedWarmProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        self._hits_before = self._box.process_limit_hits()
        await AsyncKernelManager._async_launch_kernel(self, kernel_cmd, **kw)

    def hit_process_limit(self) -> bool:
        return self._box.process_limit_hits() > self._hits_before

    def stop_all(self) -> None:
        """Kill the kernel and everything it started; the template too if it cannot do it."""
        self._box.clean()

    def remove_traces(self) -> None:
        import shutil

        if self._box.alive():
            self._box.clean()
        shutil.rmtree(self._channel, ignore_errors=True)
