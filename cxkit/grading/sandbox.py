"""Participants' code runs in a sandbox while it is graded.

Every kernel that nbgrader's executor starts during ``cxkit grade`` is started
by :class:`SandboxedKernelManager`, wired into nbgrader through its ``Execute``
preprocessor (:func:`configure`), so no facilitator can forget it. On Linux
with bubblewrap (Debian package ``bubblewrap``) the kernel:

- has no network (its own network namespace: not even the host's 127.0.0.1);
- has a private ``/tmp``, its own process namespace and session, and dies with
  the grader (``--die-with-parent``);
- sees the system read-only, and only its own work folder
  (``autograded/<participant>/<workshop>/``) writable;
- cannot see the course folder (``source/``, the gradebook, ``submitted/``,
  ``autograded/``, ``feedback/``) nor the facilitator's home: empty read-only
  folders hide them; the interpreter, the virtualenv, the cxkit package and the
  shipped datasets are shown again, read-only;
- talks to the grader over Unix sockets (jupyter's ``ipc`` transport) in a
  folder of its own, since it cannot reach the grader's TCP ports;
- has limits on memory, CPU time, processes and file size, and its output is
  capped per cell and per notebook by the grader (:class:`SandboxedExecute`).

Without bubblewrap (macOS, Windows, or a machine that refuses user namespaces)
grading still runs, with the resource limits only, and says once, loudly, that
participants' code is not isolated. ``cxkit grade --no-sandbox`` does the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async, run_sync
from nbgrader.preprocessors import Execute
from traitlets import Bool, Dict, List, Type, Unicode, default

from cxkit.grading.outcomes import Limits
from cxkit.patches import look_again, shorter_waits

try:
    import resource
except ImportError:  # Windows: no resource limits at all
    resource = None  # type: ignore[assignment]

UNSANDBOXED = (
    "WARNING: participants' code is NOT isolated while it is graded ({why}). It runs with "
    "your rights: it can read the hidden tests and the gradebook, and reach the network. "
    "Only resource limits apply. Install bubblewrap (apt-get install bubblewrap) on Linux."
)
_ENV_KEEP = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "NBGRADER_EXECUTION", "MPLBACKEND")
_ENV_PREFIXES = ("LC_", "JPY_", "PYDEVD_", "OMP_", "OPENBLAS_", "MKL_")


@functools.lru_cache(maxsize=1)
def bwrap_problem() -> str:
    """Why bubblewrap cannot sandbox kernels here, or "" when it can (checked once)."""
    if sys.platform != "linux":
        return f"bubblewrap only exists on Linux, this is {sys.platform}"
    path = shutil.which("bwrap")
    if path is None:
        return "bubblewrap (bwrap) is not installed"
    probe = subprocess.run(
        [path, *_base_argv(), "--", "true"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        first = (probe.stderr.strip().splitlines() or ["no message"])[0]
        return f"bubblewrap cannot start a sandbox here: {first}"
    return ""


_warned: set[str] = set()


def warn_unsandboxed(why: str) -> None:
    """Say once per process, on stderr, that participants' code is not isolated."""
    if why in _warned:
        return
    _warned.add(why)
    bar = "!" * 78
    print(f"{bar}\n{UNSANDBOXED.format(why=why)}\n{bar}", file=sys.stderr, flush=True)


def _base_argv() -> list[str]:
    return [
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
    ]


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def readable_paths(course_root: Path) -> list[Path]:
    """What a kernel needs to read: the interpreter, the virtualenv, cxkit and the datasets.

    The sample company is wherever cxkit's shipped files are (a clone, or an
    installed ``share/cxkit/``, even one under a hidden home folder).
    """
    import cxkit
    from cxkit.resources import homes

    package = Path(cxkit.__file__).resolve().parent
    paths = [Path(sys.base_prefix), Path(sys.prefix), package]
    paths += [home / "datasets" for home in homes()]
    paths.append(course_root / "datasets")
    return list(dict.fromkeys(p.resolve() for p in paths if p.exists()))


def bwrap_argv(
    work: Path,
    channel: Path,
    hidden: list[Path],
    readable: list[Path],
    limits: Limits,
) -> list[str]:
    """The bubblewrap arguments that sandbox one kernel working in ``work``.

    ``hidden`` folders are replaced by empty read-only folders; ``readable``
    ones inside them are shown again, read-only; ``channel`` (the kernel's
    connection file and sockets) and ``work`` stay writable.
    """
    bwrap = shutil.which("bwrap") or "bwrap"
    argv = [bwrap, *_base_argv(), "--tmpfs", "/tmp"]
    argv[-2:-2] = ["--size", str(limits.tmp_mb * 1024 * 1024)]
    covers = [Path("/tmp")]
    for folder in sorted({h.resolve() for h in hidden}, key=lambda p: len(p.parts)):
        if folder == Path("/") or _inside(folder, covers[1:]) or not folder.is_dir():
            continue
        argv += ["--tmpfs", str(folder)]
        covers.append(folder)
    for path in readable:
        if _inside(path, covers):
            argv += ["--ro-bind", str(path), str(path)]
    argv += ["--bind", str(channel), str(channel), "--bind", str(work), str(work)]
    for notebook in sorted(work.glob("*.ipynb")):
        # nbgrader's copy of the notebook being graded holds the hidden tests
        argv += ["--ro-bind", "/dev/null", str(notebook)]
    argv += ["--dir", "/tmp/home", "--chdir", str(work)]
    # ipykernel exits when its parent looks gone (ppid 1): inside a process namespace its
    # parent is bubblewrap's init, pid 1. --die-with-parent does that job instead.
    argv += ["--unsetenv", "JPY_PARENT_PID"]
    for folder in covers[1:]:
        argv += ["--remount-ro", str(folder)]
    return argv


def preexec(limits: Limits, cgroup: Path | None) -> Callable[[], None]:
    """A function run in the kernel's process before it starts: join the cgroup, set limits."""

    def apply() -> None:
        if cgroup is not None:
            with contextlib.suppress(OSError):
                (cgroup / "cgroup.procs").write_text(str(os.getpid()))
        if resource is None:
            return
        mb = 1024 * 1024
        for name, value in (
            ("RLIMIT_AS", limits.memory_mb * mb),
            ("RLIMIT_CPU", limits.cpu_seconds),
            ("RLIMIT_FSIZE", limits.file_mb * mb),
            ("RLIMIT_NPROC", limits.processes),
            ("RLIMIT_CORE", 0),
        ):
            if hasattr(resource, name):
                with contextlib.suppress(ValueError, OSError):
                    resource.setrlimit(getattr(resource, name), (value, value))

    return apply


def pids_cgroup(limit: int) -> Path | None:
    """A fresh cgroup limiting its processes to ``limit``, when this process may make one.

    RLIMIT_NPROC does not bind root, and counts every process of the user:
    a pids cgroup (cgroup v2, or v1's ``pids`` hierarchy) limits one kernel
    and its forks, whoever runs the grader. None when cgroups are not writable.
    """
    for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        if not (base / "cgroup.procs").is_file() or not os.access(base, os.W_OK):
            continue
        for stale in base.glob(f"{PREFIX}*"):  # left by a grader that was killed
            with contextlib.suppress(OSError):  # (not one another grader just made)
                if time.time() - stale.stat().st_mtime > 3600:
                    stale.rmdir()
        group = base / f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
        try:
            group.mkdir()
            (group / "pids.max").write_text(str(limit))
            return group
        except OSError:
            with contextlib.suppress(OSError):
                group.rmdir()
    return None


def remove_traces(owner: int) -> None:
    """Remove what the kernels of grading process ``owner`` left: processes, cgroups, sockets.

    A grading worker stopped by the time budget never cleans up after its kernel.
    """
    for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        for group in base.glob(f"{PREFIX}{owner}-*"):
            kill_group(group)
    for channel in Path(tempfile.gettempdir()).glob(f"{PREFIX}{owner}-*"):
        shutil.rmtree(channel, ignore_errors=True)


def kill_group(group: Path | None) -> None:
    """Kill every process left in a kernel's cgroup (None: the kernel had none)."""
    if group is None:
        return
    import signal

    with contextlib.suppress(OSError):
        for pid in (group / "cgroup.procs").read_text().split():
            with contextlib.suppress(OSError):
                os.kill(int(pid), signal.SIGKILL)
    with contextlib.suppress(OSError):
        group.rmdir()


def kernel_env(env: dict[str, str]) -> dict[str, str]:
    """The environment a sandboxed kernel gets: no facilitator secrets, a private home."""
    kept = {k: v for k, v in env.items() if k in _ENV_KEEP or k.startswith(_ENV_PREFIXES)}
    kept.update(HOME="/tmp/home", MPLCONFIGDIR="/tmp/home/.matplotlib", PYTHONNOUSERSITE="1")
    return kept


# How long the grader waits on a kernel at a time, where jupyter_client waits
# 0.1 or 0.2 s: a forked kernel starts, answers and exits in milliseconds.
LOOK_EVERY = 0.01


class QuickKernelClient(AsyncKernelClient):
    """jupyter_client's async client, without its waits for nothing.

    - Its sockets try again to reach a kernel that is still starting every
      :data:`LOOK_EVERY` seconds, not ZeroMQ's default 0.1 s.
    - Its ready check reads IOPub with waits of :data:`LOOK_EVERY`.
      jupyter_client's check ends by reading IOPub until nothing has come for
      0.2 s; a kernel has sent all it will send well within that, so every
      kernel start waited 0.2 s doing nothing. The check is the same and reads
      the same messages; one that came later would be one an executor skips
      anyway, since it reads only the replies to its own requests.
    """

    @default("context")
    def _context_default(self) -> Any:
        import zmq
        import zmq.asyncio

        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, int(LOOK_EVERY * 1000))  # for its sockets
        return context

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        with shorter_waits(self.iopub_channel, LOOK_EVERY):
            await super()._async_wait_for_ready(timeout)


class QuickKernelManager(AsyncKernelManager):
    """jupyter_client's async kernel manager, without its waits for nothing.

    Its clients are :class:`QuickKernelClient`, and a kernel asked to shut
    down is looked at every :data:`LOOK_EVERY` seconds until it is gone, not
    every 0.1 s.
    """

    client_factory = Type(QuickKernelClient, klass=AsyncKernelClient, config=True)

    async def _async_finish_shutdown(
        self, waittime: float | None = None, pollinterval: float = 0.1, restart: bool = False
    ) -> None:
        await super()._async_finish_shutdown(waittime, min(pollinterval, LOOK_EVERY), restart)


class SandboxedKernelManager(QuickKernelManager):
    """A kernel manager that starts each kernel in a bubblewrap sandbox with limits."""

    sandbox = Bool(True, help="isolate the kernel with bubblewrap (limits apply always)").tag(
        config=True
    )
    hidden = List(Unicode(), help="folders the kernel must not see").tag(config=True)
    readable = List(Unicode(), help="folders inside hidden ones it may read").tag(config=True)
    limits = Dict(help="Limits fields that differ from the defaults").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._channel = self._new_channel()
        self.connection_file = str(self._channel / "kernel.json")
        if self.sandbox and not bwrap_problem():
            self.transport = "ipc"  # the sandbox has no network, Unix sockets are files
            self.ip = str(self._channel / "kernel")
        self._cgroup: Path | None = None

    def _new_channel(self) -> Path:
        """The folder for this kernel's connection file and sockets."""
        return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))

    @property
    def sandbox_limits(self) -> Limits:
        return Limits(**self.limits)

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        if self.kernel_spec is not None:
            # a sandboxed kernel is in its own session: signals to its process group
            # would only reach bubblewrap, so interrupts go as messages
            self.kernel_spec.interrupt_mode = "message"
        return cmd, kw

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        limits = self.sandbox_limits
        problem = bwrap_problem() if self.sandbox else "cxkit grade --no-sandbox"
        work = Path(kw.get("cwd") or os.getcwd()).resolve()
        if problem:
            warn_unsandboxed(problem)
        else:
            argv = bwrap_argv(
                work,
                self._channel,
                [Path(h) for h in self.hidden],
                [Path(r) for r in self.readable],
                limits,
            )
            kernel_cmd = [*argv, "--", *kernel_cmd]
            kw["env"] = kernel_env(kw.get("env") or dict(os.environ))
        self._cgroup = pids_cgroup(limits.processes) if sys.platform == "linux" else None
        if resource is not None:
            kw["preexec_fn"] = preexec(limits, self._cgroup)
        await super()._async_launch_kernel(kernel_cmd, **kw)

    def hit_process_limit(self) -> bool:
        """Whether the kernel and its forks ever reached the process limit (cgroup only)."""
        if self._cgroup is None:
            return False
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self._cgroup / "pids.events").read_text().split()[-1]) > 0
        return False

    def stop_all(self) -> None:
        """Kill the kernel and every process it started (a fork bomb's copies included)."""
        group = self._cgroup
        for _ in range(50):  # copies may still be forking while we stop them
            try:
                pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]  # type: ignore[operator]
            except (OSError, TypeError, ValueError):
                return
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, 9)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.remove_traces()

    def remove_traces(self) -> None:
        """Kill what is left of the kernel and remove its cgroup and socket folder."""
        kill_group(self._cgroup)
        self._cgroup = None
        shutil.rmtree(self._channel, ignore_errors=True)


class SandboxedExecute(Execute):
    """nbgrader's executor with sandboxed kernels and output capped per cell and notebook."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)
        self._reset()

    progress_path = ""  # where to note progress; else the file named by CXKIT_PROGRESS
    figures = True  # draw charts; False: each shows as a line naming it (pristine.without_figures)

    def _reset(self) -> None:
        self._cell_bytes: dict[int, int] = {}
        self._notebook_bytes = 0
        self._capped: set[int] = set()
        self._place = "the first cells"
        self._facts: list[str] = []
        self._managers: list[SandboxedKernelManager] = []
        self._captured = False
        self._restore = ""

    def progress(self) -> tuple[str, list[str]]:
        """Where the kernel is (or was last), and what it ran into there."""
        return self._place, list(self._facts)

    def halt(self) -> None:
        """Kill the running kernel and all its processes, from another thread (a time budget)."""
        for manager in self._managers:
            manager.stop_all()
            process = getattr(manager.provisioner, "process", None)
            if process is not None:
                with contextlib.suppress(OSError):
                    process.kill()  # bubblewrap: its sandbox dies with it

    def preprocess(self, nb: Any, resources: Any = None, km: Any = None) -> Any:
        self._reset()
        try:
            return super().preprocess(nb, resources, km)
        finally:  # also when the kernel died or hung: nothing may outlive the notebook
            for manager in self._managers:
                manager.remove_traces()

    async def async_execute_cell(
        self,
        cell: Any,
        cell_index: int,
        execution_count: int | None = None,
        store_history: bool = True,
    ) -> Any:
        if isinstance(self.km, SandboxedKernelManager) and self.km not in self._managers:
            self._managers.append(self.km)
        if cell.cell_type == "code":
            from cxkit.course.cells import where

            self._place = where(self.nb.cells, cell_index)
            self._note_progress()
        if cell.cell_type == "code" and self.kc is not None:
            await self._clean_state(cell)
        watch = asyncio.ensure_future(self._watch())
        try:
            cell = await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
        finally:
            watch.cancel()
        if any(o.get("ename") == "MemoryError" for o in cell.get("outputs", [])):
            limit = Limits(**self.config.SandboxedKernelManager.get("limits", {})).memory_mb
            self._note_progress(f"it ran out of memory in {self._place} (the limit is {limit} MB)")
        return cell

    async def _clean_state(self, cell: Any) -> None:
        """Before the first cell, remember the kernel (and, unless charts are drawn, have
        them named instead); before a check, put it back.

        Code sent by the grading process, not the notebook (:mod:`cxkit.grading.pristine`).
        """
        code = ""
        if not self._captured:
            self._captured = True
            code = CAPTURE if self.figures else CAPTURE + WITHOUT_FIGURES
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            if not self._restore:
                self._restore = restore_code(self.nb.cells)
            code += self._restore
        if code and self.kc is not None:
            await ensure_async(
                self.kc.execute_interactive(
                    code, silent=True, store_history=False, timeout=self.timeout
                )
            )

    async def _watch(self) -> None:
        """Stop the whole kernel the moment it reaches the process limit (a fork bomb).

        Its copies would hold every slot: the kernel could not even start the
        thread it needs to answer, and would hang until the budget runs out.
        """
        km = self.km
        if not isinstance(km, SandboxedKernelManager):
            return
        while True:
            await asyncio.sleep(0.1)
            if km.hit_process_limit():
                limit = km.sandbox_limits.processes
                self._note_progress(f"it hit the process limit ({limit}) in {self._place}")
                km.stop_all()
                return

    def _note_progress(self, fact: str = "") -> None:
        """Keep the grader told where the kernel is, in case it dies or hangs there."""
        if fact and fact not in self._facts:
            self._facts.append(fact)
        path = self.progress_path or os.environ.get(PROGRESS_ENV)
        if path:
            with contextlib.suppress(OSError):
                Path(path).write_text("\n".join([self._place, *self._facts]), encoding="utf-8")

    execute_cell = run_sync(async_execute_cell)  # nbclient binds the base one otherwise

    async def async_start_new_kernel_client(self) -> Any:
        client = await super().async_start_new_kernel_client()
        for channel in (client.shell_channel, client.iopub_channel):
            look_again(channel)
        return client

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def _caps(self) -> tuple[int, int]:
        limits = Limits(**self.config.SandboxedKernelManager.get("limits", {}))
        return limits.output_cell_kb * 1024, limits.output_notebook_kb * 1024

    def output(
        self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int
    ) -> Any:
        if msg["msg_type"] == "error":
            return super().output(outs, msg, display_id, cell_index)
        size = len(str(msg.get("content", "")))
        cell_cap, notebook_cap = self._caps()
        used = self._cell_bytes.get(cell_index, 0)
        if used + size > cell_cap or self._notebook_bytes + size > notebook_cap:
            if cell_index not in self._capped:
                self._capped.add(cell_index)
                outs.append(
                    _note(
                        f"{OUTPUT_CAPPED}: a cell may print {cell_cap // 1024} KB and a "
                        f"notebook {notebook_cap // 1024} KB"
                    )
                )
            self._cell_bytes[cell_index] = cell_cap + 1
            return None
        self._cell_bytes[cell_index] = used + size
        self._notebook_bytes += size
        return super().output(outs, msg, display_id, cell_index)


PREFIX = "cxkit-kernel-"  # its socket folders and cgroups: PREFIX<grader pid>-<random>
OUTPUT_CAPPED = "cxkit: output cut here"
PROGRESS_ENV = "CXKIT_PROGRESS"  # a file where the grader notes the cell it runs
# Run silently before a notebook's first cell, and (restore_code) before each check.
CAPTURE = "import cxkit.grading.pristine as _cx\n_cx.capture()\ndel _cx\n"
# Run silently after CAPTURE when charts are not drawn (Grading.figures = False).
WITHOUT_FIGURES = "import cxkit.grading.pristine as _cx\n_cx.without_figures()\ndel _cx\n"


def restore_code(cells: list[Any]) -> str:
    """The code that puts the kernel back before a check (:func:`cxkit.grading.pristine.restore`).

    The names the notebook's locked cells import are bound again (``checks`` to a
    fresh ``cxkit.checks``: from disk, or in a warm kernel from its template's
    compiled code, forkserver.COMPILED_ONCE); the kit's short messages for
    failed checks come back when a locked cell calls ``checks.start()``.
    """
    bindings, friendly = _locked_imports(cells)
    return (
        f"import cxkit.grading.pristine as _cx\n_cx.restore({bindings!r}, {friendly!r})\ndel _cx\n"
    )


def _locked_imports(cells: list[Any]) -> tuple[dict[str, tuple[str, str]], bool]:
    """What the locked cells import, by the name they bind, and whether they call start()."""
    import ast

    bindings: dict[str, tuple[str, str]] = {}
    friendly = False
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not meta.get("locked") or meta.get("solution"):
            continue
        friendly = friendly or "checks.start(" in cell.get("source", "")
        try:
            tree = ast.parse(cell.get("source", ""))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bindings[alias.asname] = (alias.name, "")
                    else:
                        top = alias.name.split(".")[0]
                        bindings[top] = (top, "")
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    bindings[alias.asname or alias.name] = (node.module, alias.name)
    return bindings, friendly


def _note(text: str) -> Any:
    """A note from the grader in a cell's outputs, read back by cxkit.grading.incidents."""
    from nbformat.v4 import new_output

    # display data, not a stream: nbgrader's LimitOutput trims streams only, never this note
    return new_output("display_data", data={"text/plain": f"... {text} ..."})


def configure(cfg: Any, course_root: Path, db_url: str, sandbox: bool = True) -> None:
    """Make nbgrader's autograde run every kernel sandboxed: set on a traitlets Config."""
    from nbgrader.converters.autograde import Autograde

    steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    cfg.Autograde.autograde_preprocessors = [
        SandboxedExecute if step is Execute else step for step in steps
    ]
    configure_kernels(cfg, course_root, db_url, sandbox)


def sandboxed_api(course: Any, sandbox: bool = True, **config: Any) -> Any:
    """nbgrader's API for ``course`` whose autograde runs every kernel in the sandbox.

    ``sandbox=False`` keeps the resource limits only (and the grader says so, loudly).
    """

    def prepare(cfg: Any) -> None:
        configure(cfg, course.root, course.gradebook_url, sandbox=sandbox)

    return course.api(prepare=prepare, **config)


def configure_kernels(cfg: Any, course_root: Path, db_url: str, sandbox: bool = True) -> None:
    """What a sandboxed kernel hides and may read, for the course at ``course_root``.

    On a machine without that course (a Dask worker elsewhere), folders that do
    not exist are simply not there to hide.
    """
    hidden = [course_root, Path.home()]
    if db_url.startswith("sqlite:///"):
        hidden.append(Path(db_url.removeprefix("sqlite:///")).parent)
    cfg.SandboxedKernelManager.sandbox = sandbox
    cfg.SandboxedKernelManager.hidden = [str(h) for h in hidden]
    cfg.SandboxedKernelManager.readable = [str(p) for p in readable_paths(course_root)]
    if not set(cfg.SandboxedKernelManager.get("limits", {})) <= set(asdict(Limits())):
        raise ValueError(f"unknown sandbox limits; known are {', '.join(asdict(Limits()))}")
