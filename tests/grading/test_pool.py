"""The warm kernel pool: each kernel a fresh fork of a template that has imported everything."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from cxkit.grading.pool import Template, WarmKernelManager

pytestmark = pytest.mark.slow


def _start(kernels: Any, **env: str) -> Any:
    return kernels.start(**env)


def _gone(pid: int, within: float = 10.0) -> bool:
    """Has the process ended and been reaped (not left a zombie) within a few seconds?"""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # ours to reap when it was orphaned to this test
        try:
            psutil.Process(pid).status()
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def reaper() -> Iterator[None]:
    """Make this test process adopt orphans (as init would), so that it can reap them."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    yield
    libc.prctl(36, 0, 0, 0, 0)


def test_a_pool_kernel_is_a_fresh_process_in_its_own_session(kernels):
    """Is each kernel a new process, leading its own session, not the template itself?"""
    first, second = _start(kernels), _start(kernels)
    template = Template.get().process.pid
    assert psutil.Process(template).num_threads() == 1  # no BLAS thread to lose in a fork
    pids = {first.pid, second.pid}
    assert len(pids) == 2 and template not in pids
    for kernel in (first, second):
        assert (
            kernel.run("import os; print(os.getpid(), os.getsid(0))")["text"].split()
            == [str(kernel.pid)] * 2
        )
        assert psutil.Process(kernel.pid).ppid() == template


def test_a_kernel_is_ready_and_gone_without_fixed_waits():
    """Does the client see a kernel ready from short looks at IOPub (jupyter_client waits
    0.2 s), find the kernel's greeting there, and hand IOPub back as it was? Does
    shutting down look every LOOK_EVERY seconds (jupyter_client: 0.1 s)?"""
    import zmq

    from cxkit.grading.sandbox import LOOK_EVERY, QuickKernelClient

    loop = asyncio.new_event_loop()
    manager = WarmKernelManager(kernel_name="cxkit")
    loop.run_until_complete(manager.start_kernel(env=dict(os.environ)))
    client = manager.client()
    try:
        assert isinstance(client, QuickKernelClient)
        client.start_channels()
        retry = client.shell_channel.socket.getsockopt(zmq.RECONNECT_IVL)
        assert retry == round(LOOK_EVERY * 1000)
        waits: list[float | None] = []
        seen: list[str] = []
        real = client.iopub_channel.get_msg

        async def looked_at(timeout: float | None = None) -> Any:
            waits.append(timeout)
            msg = await real(timeout=timeout)
            seen.append(msg["msg_type"])
            return msg

        client.iopub_channel.get_msg = looked_at
        loop.run_until_complete(client.wait_for_ready(timeout=60))
        assert waits and max(w or 0 for w in waits) == LOOK_EVERY
        assert "iopub_welcome" in seen and "status" in seen
        assert client.iopub_channel.get_msg is looked_at  # as it was before the check
        reply = loop.run_until_complete(client.execute_interactive("print(6 * 7)", timeout=30))
        assert reply["content"]["status"] == "ok"

        polls: list[float] = []
        wait = manager._async_wait

        async def polled(pollinterval: float = 0.1) -> None:
            polls.append(pollinterval)
            await wait(pollinterval=pollinterval)

        manager._async_wait = polled
        client.stop_channels()
        loop.run_until_complete(manager.shutdown_kernel())
        assert polls and set(polls) == {LOOK_EVERY}
        assert not loop.run_until_complete(manager.is_alive())
    finally:  # a failed check above must not leave the kernel running
        client.stop_channels()
        if loop.run_until_complete(manager.is_alive()):
            loop.run_until_complete(manager.shutdown_kernel(now=True))
        loop.close()


def test_nothing_of_one_participant_reaches_the_next(kernels):
    """Are a variable, a monkeypatch of pandas and of cxkit.checks gone in the next kernel?"""
    first = _start(kernels)
    first.run(
        "import pandas, cxkit.checks\nsecret = 'ana'\n"
        "pandas.DataFrame.sum = lambda *a, **k: 42\ncxkit.checks.nps = lambda *a, **k: None"
    )
    assert first.run("print(pandas.DataFrame({'a': [1]}).sum())")["text"].strip() == "42"
    second = _start(kernels)
    shown = second.run(
        "import pandas, cxkit.checks\nprint('secret' in globals(), "
        "int(pandas.DataFrame({'a': [1, 2]}).sum().iloc[0]), cxkit.checks.nps.__module__)"
    )
    assert shown["text"].split() == ["False", "3", "cxkit.checks"]


def test_checks_imported_afresh_come_from_the_templates_compiled_code(kernels):
    """Grading imports cxkit.checks afresh before each check: is a rewired copy replaced
    by a working one, built from code the template compiled (not the source, again)?"""
    import cxkit.checks
    from cxkit.grading.sandbox import CAPTURE, restore_code

    kernel = _start(kernels)
    kernel.run(CAPTURE)
    shown = kernel.run(
        "import cxkit.checks\ncxkit.checks.nps = lambda *a, **k: None\n"
        + restore_code([])
        + "import cxkit.checks\n"
        "print(cxkit.checks.nps.__module__, type(cxkit.checks.__spec__.loader).__name__)\n"
        "print(cxkit.checks.__file__)\n"
        "cxkit.checks.number(41, 42, name='the answer')"
    )
    assert shown["text"].split() == ["cxkit.checks", "_CompiledOnce", cxkit.checks.__file__]
    assert shown["error"] == "CheckFailed"


def test_each_kernel_has_its_own_random_state_and_environment(kernels):
    """Do two kernels draw different random numbers, and see the environment of their request?"""
    code = "import random, os, numpy\nprint(random.random(), numpy.random.random())"
    first, second = _start(kernels, CXKIT_PROBE="ana"), _start(kernels, CXKIT_PROBE="ben")
    assert first.run(code)["text"] != second.run(code)["text"]
    probe = "import os; print(os.environ.get('CXKIT_PROBE'))"
    assert [k.run(probe)["text"].strip() for k in (first, second)] == ["ana", "ben"]


def test_plots_and_heavy_imports_are_ready(kernels):
    """Does a plot come back as an inline PNG, and are pandas and cxkit's helpers already
    imported (no import cost)?"""
    kernel = _start(kernels)
    shown = kernel.run(
        "import sys, cxkit; print('pandas' in sys.modules, 'cxkit.plots' in sys.modules, "
        "'plot_recommend' in vars(cxkit))\n"
        "import matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.show()"
    )
    assert shown["text"].split() == ["True"] * 3  # cxkit's helpers looked up in the template
    assert ["image/png", "text/plain"] in shown["types"]


def test_widgets_and_warmed_libraries_work_as_in_a_fresh_kernel(kernels):
    """ipywidgets was imported before any kernel existed: does interact() still show its
    widget? And do the set-ups done once in the template (pandera, phonenumbers, the
    frozen collector, the syllables readability counts) give what a fresh kernel gives?"""
    kernel = _start(kernels)
    shown = kernel.run(
        "from ipywidgets import interact\n"
        "interact(lambda x: x * 2, x=3)\n"
        "import comm, gc, cxkit\n"
        "print('jupyter.widget' in comm.get_comm_manager().targets)\n"
        "print(gc.get_freeze_count() > 0, len(cxkit.load('touchpoints')) > 0)\n"
        "print(cxkit.redact('call 06 12345678'))\n"
        "import cxkit.text\n"
        "print(cxkit.text.dictionary_syllables.cache_info().currsize)\n"
        "print(cxkit.readability('Please pay each invoice by the due date on it.')['words'])"
    )
    assert shown["error"] is None
    assert ["application/vnd.jupyter.widget-view+json", "text/plain"] in shown["types"]
    assert shown["text"].splitlines() == ["True", "True True", "call [phone]", "1", "10"]


def test_a_kernel_that_exits_is_seen_dead_and_the_pool_goes_on(kernels):
    """After os._exit(1) in one kernel, is it reported dead, and does the next kernel work?"""
    kernel = _start(kernels)
    pid = kernel.pid
    kernel.client.execute("import os; os._exit(1)")
    assert _gone(pid)
    assert not kernel.alive()
    assert _start(kernels).run("print(6 * 7)")["text"].strip() == "42"


def test_an_infinite_loop_is_interrupted(kernels):
    """Does interrupting a kernel stuck in a loop give KeyboardInterrupt and keep it usable?"""
    kernel = _start(kernels)
    # stop_on_error=False: ipykernel 7 would otherwise abort the next request, queued
    # before it has finished handling the interrupted one's error
    kernel.client.execute("while True:\n    pass", stop_on_error=False)
    time.sleep(0.5)
    kernel.loop.run_until_complete(kernel.manager.interrupt_kernel())
    time.sleep(0.2)
    assert kernel.run("print('still here')")["text"].strip() == "still here"


def test_a_loop_ignoring_sigint_and_its_forked_child_are_killed(kernels):
    """Is a kernel that ignores SIGINT, and the process it forked, gone after a forced shutdown?"""
    kernel = _start(kernels)
    child = kernel.run(
        "import os, signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "pid = os.fork()\nif pid == 0:\n    time.sleep(600)\nprint(pid)"
    )["text"].strip()
    kernel.client.execute("while True:\n    pass")
    pid = kernel.pid
    kernels.remove(kernel)
    kernel.close()
    assert _gone(pid) and _gone(int(child))


def test_a_dead_template_is_restarted(kernels):
    """When the template dies between kernels, does the next kernel start from a new one?"""
    _start(kernels)
    old = Template.get().process
    old.kill()
    old.wait()
    kernel = _start(kernels)
    assert Template.get().process.pid != old.pid
    assert kernel.run("print('ok')")["text"].strip() == "ok"


def test_no_kernel_or_template_outlives_a_killed_grader(tmp_path, reaper):
    """When the grading process is killed (kill -9), do its kernels and template go too?"""
    script = textwrap.dedent(
        """
        import asyncio, time
        from cxkit.grading.pool import Template, WarmKernelManager

        async def main():
            manager = WarmKernelManager(kernel_name="cxkit")
            await manager.start_kernel()
            print(manager.provisioner.pid, Template.get().process.pid, flush=True)
            time.sleep(600)

        asyncio.run(main())
        """
    )
    grader = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    assert grader.stdout is not None
    kernel, template = (int(x) for x in grader.stdout.readline().split())
    assert psutil.pid_exists(kernel) and psutil.pid_exists(template)
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    assert _gone(template) and _gone(kernel)


def test_stopping_the_pool_leaves_no_process_behind(kernels):
    """After the kernels shut down and the template stops, is nothing of the pool left?"""
    for _ in range(3):
        _start(kernels)
    started = {k.pid for k in kernels} | {Template.get().process.pid}
    while kernels:
        kernels.pop().close()
    Template.stop()
    assert all(_gone(pid) for pid in started)
    me = psutil.Process()
    assert [p for p in me.children(recursive=True) if p.pid in started] == []


# --- Warm kernels inside the grading sandbox ---------------------------------------------

LEAVES_TRACES = """import os, subprocess, cxkit, numpy
cxkit.LEAK = "ana"
numpy.random.seed(1)
open("/tmp/leak.txt", "w").write("ana")
open("mine.txt", "w").write("ana")
subprocess.Popen(["sleep", "1000"], start_new_session=True)
answer = 42"""
LOOKS_FOR_TRACES = """import os, cxkit, numpy
others = []
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        others.append(open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")[0].decode())
    except OSError:
        pass
print("FOUND", hasattr(cxkit, "LEAK"), os.path.exists("/tmp/leak.txt"),
      sorted(os.listdir(".")), "sleep" in others, numpy.random.randint(10**9))
answer = 42"""


def _run_in_sandbox(tmp_path, answers: dict[str, str], between=None) -> dict[str, dict]:
    """Each participant's mini notebook run by run_job, one after the other, in this thread;
    ``between()`` is called after each one."""
    import minicourse as mc
    import nbformat

    from cxkit.course.directory import Course
    from cxkit.course.grade import ensure_released, register_participants
    from cxkit.grading.execute import build_job, run_job, warm_available
    from cxkit.grading.local import executor_settings

    assert warm_available(True), "the warm sandbox needs Linux and bubblewrap (bwrap)"
    root = mc.make_course(tmp_path / "course")
    for pid, code in answers.items():
        mc.hand_in(root, pid, mc.submission({"answer": code}))
    course = Course(root)
    ensure_released(course, "mini")
    register_participants(course, list(answers))
    settings = {**executor_settings(course, 20, True, None), "warm": True}
    results = {}
    for pid in answers:
        result = run_job(build_job(course.api(), course, "mini", pid), settings)
        if result["success"]:
            nb = nbformat.reads(result["notebooks"]["mini"], as_version=4)
            result["printed"] = "".join(
                o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
            )
        results[pid] = result
        if between is not None:
            between()
    return results


@pytest.mark.slow
def test_nothing_of_one_participant_reaches_the_next_in_the_sandbox(tmp_path):
    """A warm sandboxed kernel: no module change, file, process or random state of the last one."""
    from cxkit.grading.pool import WarmSandbox

    results = _run_in_sandbox(
        tmp_path, {"ana": LEAVES_TRACES, "ben": LOOKS_FOR_TRACES, "cem": LOOKS_FOR_TRACES}
    )
    assert all(r["success"] for r in results.values()), results
    ben = results["ben"]["printed"].split("FOUND ")[1].split()
    cem = results["cem"]["printed"].split("FOUND ")[1].split()
    assert ben[:4] == ["False", "False", "['timestamp.txt']", "False"]
    assert cem[:4] == ben[:4]
    assert ben[4] != cem[4]  # each kernel draws its own random numbers
    box = WarmSandbox.current()
    assert box.alive()
    template = psutil.Process(box.process.pid)  # bubblewrap, then the template inside it
    family = [p.name() for p in template.children(recursive=True)]
    assert "sleep" not in family and len(family) <= 2
    box.close()
    assert _gone(template.pid)


@pytest.mark.slow
def test_a_dead_sandboxed_template_is_restarted(tmp_path):
    """If the template dies between two submissions, the next one still runs, on a new one."""
    from cxkit.grading.pool import WarmSandbox

    killed = []

    def kill_template() -> None:
        if not killed:
            box = WarmSandbox.current()
            killed.append((box, box.process.pid))
            os.killpg(box.process.pid, signal.SIGKILL)
            box.process.wait()

    results = _run_in_sandbox(tmp_path, {"ana": "answer = 42", "ben": "answer = 42"}, kill_template)
    assert results["ana"]["success"] and results["ben"]["success"]
    dead, _ = killed[0]
    fresh = WarmSandbox.current()
    assert fresh is not dead and fresh.alive()  # a new template took over for "ben"
    assert not dead.box.exists()  # and the dead one's folders are gone
    fresh.close()


@pytest.mark.slow
def test_a_grading_kernel_keeps_its_history_in_memory_only(tmp_path):
    """Does a sandboxed grading kernel write no history database, with In and _i still there?"""
    shows = (
        "import glob\nshell = get_ipython()\n"
        "print('HISTORY', shell.history_manager.enabled, len(In) > 2, bool(_i),\n"
        "      glob.glob('/tmp/home/.ipython/profile_default/history*'))\n"
        "answer = 42"
    )
    results = _run_in_sandbox(tmp_path, {"ana": shows})
    assert results["ana"]["success"], results
    assert "HISTORY False True True []" in results["ana"]["printed"]


@pytest.mark.slow
def test_a_job_says_what_cpu_its_kernel_and_executor_used(tmp_path):
    """A kernel that computes for about half a second of CPU, and one that does nothing:
    the job of each reports its kernel's CPU seconds (kept by the template as it reaps
    the kernel) and the executor's own, and the busy one's kernel used clearly more."""
    busy = (
        "import time\nstart = time.process_time()\n"
        "while time.process_time() - start < 0.5:\n    pass\nanswer = 42"
    )
    results = _run_in_sandbox(tmp_path, {"ana": busy, "ben": "answer = 42"})
    ana, ben = results["ana"], results["ben"]
    assert ana["success"] and ben["success"], results
    assert ana["kernel_cpu"] >= 0.5
    assert 0 < ben["kernel_cpu"] < ana["kernel_cpu"] - 0.3
    assert 0 < ana["executor_cpu"] < ana["seconds"] and 0 < ben["executor_cpu"] < ben["seconds"]
