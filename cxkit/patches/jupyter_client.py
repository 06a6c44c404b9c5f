"""The patches on jupyter_client: how a grading executor reads its kernels' messages."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

WRITTEN_FOR = "jupyter_client 8.10 (with python-dateutil 4.0)"


def quicker_dates() -> None:
    """Read the kernels' message stamps as jupyter_client does, without dateutil's parser.

    What it changes
        ``jupyter_client.jsonutil.parse_date``, which ``jsonutil.extract_dates``
        calls on every string of every message header (``Session.deserialize``).
        Kernels stamp ``2026-11-30T22:13:41.123456Z``; that form is read with
        ``datetime.fromisoformat`` into the very same value, UTC as dateutil's
        ``tzutc()``. Anything else, and any stamp ``fromisoformat`` refuses, goes
        to jupyter_client's own reader, kept as the new reader's ``real``.
        Safe to call more than once: the reader is wrapped once.
    Why
        An executor reads the ``date`` of some 200 messages per submission, and
        jupyter_client hands each to dateutil: about a tenth of an executor's CPU.
    Written for
        jupyter_client 8.10 with python-dateutil 4.0 (:data:`WRITTEN_FOR`).
    Undone by
        ``jsonutil.parse_date = jsonutil.parse_date.real``. Grading executors
        keep it for the life of the process.
    """
    from datetime import datetime

    from dateutil.tz import tzutc
    from jupyter_client import jsonutil

    real = jsonutil.parse_date
    if hasattr(real, "real"):  # already this reader, wrapped round jupyter_client's own
        return
    utc, pattern = tzutc(), jsonutil.ISO8601_PAT

    def parse_date(s: str | None) -> str | datetime | None:
        if s is not None and len(s) == 27 and s[-1] == "Z" and pattern.match(s):
            with contextlib.suppress(ValueError):
                return datetime.fromisoformat(s[:-1]).replace(tzinfo=utc)
        return real(s)

    parse_date.real = real  # type: ignore[attr-defined]
    jsonutil.parse_date = parse_date


def look_again(channel: Any, every: float = 0.25) -> None:
    """Make a kernel client channel's waits look for a message again every ``every`` s.

    What it changes
        ``get_msg`` of this one channel (an ``AsyncZMQSocketChannel`` of a
        client, as an instance attribute): a wait of ``timeout`` seconds becomes
        waits of at most ``every`` seconds, one after the other, until a message
        comes or the timeout is over (``queue.Empty``, as before). No timeout:
        it waits for ever, as before.
    Why
        Now and then the wake-up for a message that has arrived never comes, and
        the wait lasts its whole timeout: a widget cell (workshop 00's explorers), done
        in 30 ms, waited for its reply until the 30 s cell timeout in about 3 of
        every 100 submissions graded three at a time (jupyter/nbclient#312
        reports the same). Looking again finds the message at once, so a lost
        wake-up costs at most ``every`` seconds.
    Written for
        jupyter_client 8.10 (:data:`WRITTEN_FOR`).
    Undone by
        ``del channel.get_msg`` (the class's own method shows again); an
        executor's channels keep it for the life of their client.
    """
    from queue import Empty

    wait = channel.get_msg

    async def get_msg(timeout: float | None = None) -> Any:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = every if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await wait(timeout=min(every, left))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    channel.get_msg = get_msg


@contextlib.contextmanager
def shorter_waits(channel: Any, at_most: float) -> Iterator[None]:
    """Inside this block, a kernel client channel waits at most ``at_most`` s for a message.

    What it changes
        ``get_msg`` of this one channel: a wait of any timeout (or none) becomes
        one of ``at_most`` seconds. :class:`cxkit.grading.sandbox.QuickKernelClient`
        opens it on IOPub around jupyter_client's ready check
        (``KernelClient._async_wait_for_ready``), which ends by reading IOPub
        until nothing has come for 0.2 s.
    Why
        A kernel has sent all it will send well within 0.2 s, so every kernel
        start waited 0.2 s doing nothing; the check is the same and reads the
        same messages. With the client's other short waits, a submission's wall
        time went from 1.17 to 0.81 s on one worker.
    Written for
        jupyter_client 8.10 (:data:`WRITTEN_FOR`).
    Undone by
        leaving the block: ``get_msg`` is the channel's own again (or what was
        set on the channel before, such as :func:`look_again`), even after an error.
    """
    before = channel.__dict__.get("get_msg")
    waited = channel.get_msg

    async def get_msg(timeout: float | None = None) -> Any:
        return await waited(timeout=min(timeout or at_most, at_most))

    channel.get_msg = get_msg
    try:
        yield
    finally:
        if before is None:
            del channel.get_msg
        else:
            channel.get_msg = before
