"""The template process of the warm kernel pool: imports once, forks a fresh kernel on request.

Started by :mod:`cxkit.grading.pool` as ``python -m cxkit.grading.forkserver NAME``.
It imports ipykernel, NumPy, pandas, matplotlib and cxkit once (about 1.5 s),
then listens on an abstract Unix socket of that name (nothing on disk). Each
request, one JSON line, asks for one kernel: the template forks, and the child
becomes an ordinary ipykernel for that connection file, in its own session (so
its process group can be signalled and killed as a whole), with the request's
working folder and environment, a fresh random state, and its output sent where
the request says. Nothing of one participant's kernel survives into the next:
each is a new process, forked from a template that never runs participants' code.

Inside the grading sandbox (``--fd N``), the template runs in a bubblewrap
sandbox of its own and talks over an inherited socket instead, since the sandbox
has no network namespace in common with the grader. There it also signals its
kernels for the grader (their process ids are the sandbox's own) and, between two
kernels, kills whatever the last one left running and empties ``/tmp``, so the
next participant finds nothing of the previous one. Its kernels keep no history
database (:data:`GRADING_KERNEL`).

Linux only (fork, ``prctl``); elsewhere the pool is not used.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.abc
import importlib.util
import json
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

# Read at import time by the libraries below, so set in the template's environment
# before Python starts: one BLAS thread (a thread does not survive fork, and a lock
# it held would hang the kernel), and the inline backend by name, without importing
# matplotlib_inline here (importing it early loses plots).
TEMPLATE_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
PRELOAD = (
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib.backends.backend_agg",
    "cxkit",
    "cxkit.grading.pristine",  # grading puts the kernel back with it before every check
    "ipywidgets",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.history",
    "IPython.core.logger",
    "IPython.core.magic_arguments",
    "IPython.core.magics",
    "IPython.core.magics.ast_mod",
    "IPython.core.magics.execution",
    "IPython.core.oinspect",
    "IPython.core.pylabtools",
    "IPython.extensions.storemagic",
    "IPython.utils.module_paths",
    "pandas.io.formats.html",  # a DataFrame's first display
    "pandas.io.formats.string",
    "psutil",  # the kernel's shutdown looks for its children with it
    "resource",
    "tornado.platform.asyncio",
    "faulthandler",
    "sqlite3",
    "pdb",
)
# Imported afresh by grading before every check (participants' code may have rewired
# them: cxkit.grading.pristine.restore); kernels get them from code compiled here.
COMPILED_ONCE = ("cxkit.checks",)
# What a grading kernel does without: IPython's history database, which it would
# create afresh in its empty home and write after every cell from a thread of its own
# (``In``, ``Out`` and ``%history`` of the session keep working, from memory).
GRADING_KERNEL = ("--HistoryManager.enabled=False",)
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36
_exits: dict[int, int] = {}  # forked pid -> exit status, once reaped
_cpu: dict[int, float] = {}  # forked pid -> CPU seconds it used (and the children it waited for)


def _prctl(option: int, value: int) -> None:
    # Not glibc Linux: no prctl, and the watch threads alone end orphaned kernels.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(option, value, 0, 0, 0)


def _die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies."""
    _prctl(PR_SET_PDEATHSIG, sig)


def _reap(*_: Any) -> None:
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _exits[pid] = os.waitstatus_to_exitcode(status)
        _cpu[pid] = usage.ru_utime + usage.ru_stime


def _watch(pid: int) -> None:
    """End this kernel when the process that asked for it is gone (it is not our parent)."""

    def loop() -> None:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os.killpg(os.getpgrp(), signal.SIGKILL)
            except PermissionError:
                pass
            time.sleep(1.0)

    threading.Thread(target=loop, name="cxkit-watch-client", daemon=True).start()


def _child(request: dict[str, Any], *channels: socket.socket) -> None:
    """Become the kernel asked for; never returns."""
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _die_with_parent()
        _prctl(PR_SET_DUMPABLE, 1)  # an ordinary process again (the template is not)
        for channel in channels:
            channel.close()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        out = os.open(request.get("output") or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        sys.stdout = os.fdopen(1, "w", buffering=1)
        sys.stderr = os.fdopen(2, "w", buffering=1)
        import random

        import numpy

        random.seed()
        numpy.random.seed()
        if request.get("client"):  # in a sandbox, the sandbox itself dies with the grader
            _watch(int(request["client"]))
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(request["argv"])
        # matplotlib was imported before this kernel's shell existed, so wire its
        # inline backend to the shell now, as the kernel would on first import.
        if app.shell is not None:
            app.shell.enable_matplotlib("inline")
            # likewise ipywidgets, imported with no shell: its comm target, as on import
            import ipywidgets

            ipywidgets.load_ipython_extension(app.shell)
        app.start()
    except BaseException as err:  # report, then go: the client sees the kernel die
        print(f"cxkit kernel could not start: {type(err).__name__}: {err}", file=sys.stderr)
        os._exit(1)
    os._exit(0)  # skip tearing down a thousand modules: the process is done


class _CompiledOnce(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the modules in ``names`` for an import, with code the template compiled.

    Grading imports ``cxkit.checks`` afresh before each check. From disk, that
    is a compilation of its source each time wherever no bytecode can be
    cached (the sandbox is read-only; some set PYTHONDONTWRITEBYTECODE): about
    5 ms of a kernel's CPU per check. Here each module is compiled once, in the
    template; an import still makes a new module object and runs the code in
    it, as an import from disk does, with the same file name for tracebacks.
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        self._code: dict[str, tuple[str, Any]] = {}
        for name in names:
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin and spec.loader is not None:
                self._code[name] = (spec.origin, spec.loader.get_code(name))  # type: ignore[attr-defined]

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in self._code:
            return None
        return importlib.util.spec_from_file_location(name, self._code[name][0], loader=self)

    def create_module(self, spec: Any) -> None:
        return None  # the usual module object

    def exec_module(self, module: Any) -> None:
        exec(self._code[module.__name__][1], module.__dict__)  # noqa: S102 - our own module


def _preload() -> None:
    """Import everything the kernels need, once; refuse to serve with a thread running."""
    import gc
    import importlib

    for module in PRELOAD:
        importlib.import_module(module)
    sys.meta_path.insert(0, _CompiledOnce(COMPILED_ONCE))
    for module in COMPILED_ONCE:
        importlib.import_module(module)
    _warm_up()
    # Nothing imported here is ever freed: keep the collector off it, so that a
    # kernel's collections neither walk it nor, by touching it, copy its pages.
    gc.freeze()
    # A thread started by an import would not exist in the kernels, and a lock it
    # held would hang them: refuse to serve rather than hand out such kernels.
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1
    if threads > 1:
        raise RuntimeError(f"the template has {threads} threads; start it with TEMPLATE_ENV set")


def _warm_up() -> None:
    """Do once what every kernel would otherwise do on first use, at the same cost each time.

    Every helper of ``cxkit`` is looked up, so that its module is imported here.
    Every workshop reads the sample company: it is read, checked and kept here
    once (:func:`cxkit.data.load.keep_sample`).
    matplotlib opens its font and Pillow its image plugins on the first chart;
    phonenumbers reads a country's numbering plan on the first ``cxkit.redact``;
    ``cxkit.readability`` counts the pronouncing dictionary's syllables on its first
    use (kept in no cache folder here: a sandbox's home cannot be written).
    None of it depends on a participant.
    """
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    import cxkit
    from cxkit.data.load import keep_sample
    from cxkit.text import dictionary_syllables

    for name in cxkit.__all__:  # cxkit imports its helpers' modules on first use: now
        getattr(cxkit, name)
    keep_sample()
    figure = Figure()
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.barh(["promoters", "detractors"], [40, 20])
    axes.set_title("NPS")
    figure.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    cxkit.redact("call me on 06 12345678")
    dictionary_syllables()


def _clean(keep: list[str]) -> int:
    """Between two kernels in a sandbox: kill every process but the template and the
    sandbox's init, and empty /tmp (but the folders in ``keep``, bound from outside)."""
    import shutil

    killed = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, os.getpid()):
            with contextlib.suppress(OSError):
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # wait for them, so no zombie stays behind
        _reap()
        if not [e for e in os.listdir("/proc") if e.isdigit() and int(e) not in (1, os.getpid())]:
            break
        time.sleep(0.01)
    for top in ("/tmp", "/dev/shm"):
        with contextlib.suppress(OSError):
            for name in os.listdir(top):
                path = os.path.join(top, name)
                if any(k == path or k.startswith(path + "/") for k in keep):
                    continue
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        os.unlink(path)
    os.makedirs("/tmp/home", exist_ok=True)
    return killed


def serve_fd(fd: int, keep: list[str]) -> None:
    """The template inside the grading sandbox: requests and answers on socket ``fd``."""
    _die_with_parent()
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _prctl(PR_SET_DUMPABLE, 0)  # kernels may not trace or read the template's memory
    _preload()
    signal.signal(signal.SIGCHLD, _reap)
    channel = socket.socket(fileno=fd)
    requests, answers = channel.makefile("r"), channel.makefile("w")
    answers.write("ready\n")
    answers.flush()
    for line in requests:
        request = json.loads(line)
        op = request.get("op")
        answer: dict[str, Any] = {}
        if op == "status":
            _reap()
            answer["exit"] = _exits.get(int(request["pid"]))
            answer["cpu"] = _cpu.get(int(request["pid"]))
        elif op == "signal":
            with contextlib.suppress(OSError):
                os.killpg(int(request["pid"]), int(request["signum"]))
        elif op == "clean":
            answer["killed"] = _clean(keep)
        else:
            pid = os.fork()
            if pid == 0:
                requests.close()
                answers.close()
                _child({**request, "argv": [*request["argv"], *GRADING_KERNEL]}, channel)
            answer["pid"] = pid
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def serve(name: str) -> None:
    """Import the libraries, then fork a kernel for each request on the abstract socket ``name``."""
    _die_with_parent()
    # Processes a kernel started and left behind come to the template, which reaps
    # them: no zombies, even where PID 1 reaps nothing (as in many containers).
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _preload()
    signal.signal(signal.SIGCHLD, _reap)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind("\0" + name)  # an abstract socket: nothing on disk
    listener.listen(16)
    print("ready", flush=True)
    while True:
        try:
            connection, _ = listener.accept()
        except InterruptedError:
            continue
        with connection:
            request = json.loads(connection.makefile("r").readline())
            if request.get("op") == "status":
                _reap()
                pid = int(request["pid"])
                answer: dict[str, Any] = {"exit": _exits.get(pid)}
            else:
                pid = os.fork()
                if pid == 0:
                    _child(request, listener, connection)
                answer = {"pid": pid}
            connection.sendall((json.dumps(answer) + "\n").encode())


if __name__ == "__main__":
    if sys.argv[1] == "--fd":
        serve_fd(int(sys.argv[2]), sys.argv[3:])
    else:
        serve(sys.argv[1])
