"""The patch on IPython: a participant's failed check is kept as it was shown."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

WRITTEN_FOR = "IPython 9.19"

Brief = Callable[[type[BaseException], BaseException, TracebackType | None], list[str]]


def keep_brief(shell: Any, kinds: tuple[type[BaseException], ...], brief: Brief) -> None:
    """Have IPython keep what the participant saw of an error of ``kinds``, not a full traceback.

    What it changes
        ``_format_exception_for_storage`` of this one shell (an IPython
        ``InteractiveShell``, as an instance attribute). IPython calls it with
        each error of a cell it stores in its history, and keeps the result
        (``ename``, ``evalue``, ``traceback``) in ``history_manager.exceptions``
        for ``%notebook``. For an error of ``kinds`` the traceback kept is the
        lines ``brief(type, error, traceback)``, the ones the participant was
        shown; any other error goes to IPython's own method. Safe to call more
        than once; where IPython has no such method (IPython 8) it does nothing.
    Why
        IPython 9 formats every error's full traceback once more, to keep it
        for ``%notebook``, whatever was shown: about 0.045 s of CPU for each
        failed check, a sixth of a graded kernel's time in workshop 00 (0.85 ->
        0.70 core-seconds), for one line shown. ``cxkit.checks.start()`` calls it.
    Written for
        IPython 9.19 (:data:`WRITTEN_FOR`).
    Undone by
        ``del shell._format_exception_for_storage`` (IPython's own method shows
        again); a kernel keeps it for its life.
    """
    full = getattr(shell, "_format_exception_for_storage", None)
    if full is None or getattr(full, "keeps_brief", False):
        return

    def keep(exception: BaseException, *args: Any, **kwargs: Any) -> Any:
        if isinstance(exception, kinds):
            lines = brief(type(exception), exception, exception.__traceback__)
            return {"ename": type(exception).__name__, "evalue": str(exception), "traceback": lines}
        return full(exception, *args, **kwargs)

    keep.keeps_brief = True  # type: ignore[attr-defined]
    shell._format_exception_for_storage = keep
