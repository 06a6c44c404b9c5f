"""A warm kernel pool: fresh kernels forked from a template that has already imported everything.

Plain grading starts a new Python for every submission, then imports pandas,
matplotlib and cxkit again: about 2 s of overhead for about 0.2 s of
participants' code. Here one template process per grading worker
(:mod:`cxkit.course.forkserver`) does the imports once, and each kernel is a
``fork`` of it: a new process, in its own session, with nothing of the
previous participant's kernel in it.

:class:`WarmKernelManager` is a jupyter_client kernel manager that gets its
kernels from the template; nbgrader's executor uses it with
``Execute.kernel_manager_class``. Kernels of other languages, or on machines
without ``fork``, start the ordinary way.
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
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from cxkit.course.forkserver import TEMPLATE_ENV
from cxkit.errors import CxkitError

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
            [sys.executable, "-m", "cxkit.course.forkserver", self.socket],
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

    def __init__(self, template: Template, pid: int) -> None:
        self.template, self.pid = template, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                exit_code = self.template.ask({"op": "status", "pid": self.pid}).get("exit")
            except OSError:  # the template is gone, and its kernels with it
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


class WarmKernelManager(AsyncKernelManager):
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
