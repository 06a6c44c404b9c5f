"""A clean state before every check: the second wall, run in the kernel by the grading process.

Grading runs :func:`capture` silently before a notebook's first cell (no
participant code has run) and :func:`restore` silently before every grade cell
(:class:`cxkit.grading.sandbox.SandboxedExecute` sends both). What participants'
code could have changed is put back as it was:

- the import system: ``sys.meta_path``, ``sys.path_hooks``, cxkit's modules
  and pandas', numpy's and math's top modules in ``sys.modules`` and what they
  hold, the builtins (``__import__`` among them);
- the interpreter: trace and profile hooks, ``sys.stdout``, ``sys.stderr``,
  ``sys.displayhook`` and ``sys.excepthook``;
- pandas' tables, Series and Index classes (an ``__eq__`` put on DataFrame);
- IPython: its input and AST transformers, its events (``pre_run_cell`` ...:
  callbacks registered since are removed, but for the libraries' own, such as
  matplotlib's inline figures),
  methods set on the shell or its classes (``run_cell``, ``showtraceback``),
  the custom exception handler, and the kernel's sending path (its session,
  display publisher and output streams);
- ``cxkit.checks``, imported afresh (from the warm template's compiled code)
  and bound again to the names the locked cells gave it, ``checks`` above all,
  with the kit's own short messages for failed checks when the notebook asked
  for them (``checks.start()``).

This is a second wall, not the first: code that runs in the kernel could undo
it before it runs. The first is the policy (:mod:`cxkit.grading.policy`),
decided in the grading process before the notebook runs. Only the standard
library is imported here, at module level.
"""

from __future__ import annotations

import builtins
import importlib
import sys
import threading
from typing import Any

_SAVED: dict[str, Any] = {}
_MISSING = object()
_WATCHED = ("pandas", "numpy", "math", "statistics")  # these packages' own names, and cxkit's
_FRESH = "cxkit.checks"  # imported afresh before each check, never put back
_CLASS_HOMES = ("IPython.", "ipykernel.", "jupyter_client.", "pandas.")
_EVENT_HOMES = ("matplotlib", "matplotlib_inline", "IPython.", "ipykernel.", "ipywidgets.")


def _shell() -> Any:
    from IPython import get_ipython

    return get_ipython()


def _watched(name: str) -> bool:
    """cxkit's modules (all but the checks, imported afresh) and the top of its libraries."""
    return name != _FRESH and (name == "cxkit" or name.startswith("cxkit.") or name in _WATCHED)


def _objects(shell: Any) -> list[Any]:
    """The objects on the way from a cell to the grader: the shell, the kernel, its sending."""
    kernel = getattr(shell, "kernel", None)
    found = [shell, shell.displayhook, shell.display_pub, sys.stdout, sys.stderr]
    if kernel is not None:
        found += [kernel, kernel.session]
    return [o for o in found if o is not None]


def _classes(objects: list[Any]) -> list[type]:
    """The classes of those objects, and pandas' own, as far as their libraries define them."""
    import pandas as pd

    classes = [*pd.DataFrame.__mro__, *pd.Series.__mro__, *pd.Index.__mro__]
    for obj in objects:
        classes += type(obj).__mro__
    return [c for c in dict.fromkeys(classes) if c.__module__.startswith(_CLASS_HOMES)]


def capture() -> None:
    """Remember the kernel as it is before any participant's code (grading's first step)."""
    shell = _shell()
    objects = _objects(shell)
    _SAVED.clear()
    _SAVED.update(
        meta_path=list(sys.meta_path),
        path_hooks=list(sys.path_hooks),
        builtins=dict(vars(builtins)),
        modules={k: m for k, m in sys.modules.items() if _watched(k)},
        module_dicts={k: dict(vars(m)) for k, m in sys.modules.items() if _watched(k) and m},
        classes={c: dict(vars(c)) for c in _classes(objects)},
        objects=[(o, dict(vars(o))) for o in objects if hasattr(o, "__dict__")],
        system=(sys.stdout, sys.stderr, sys.displayhook, sys.excepthook),
        events={k: list(v) for k, v in shell.events.callbacks.items()},
        transformers=_transformer_lists(shell),
        copies=[list(t) for t in _transformer_lists(shell)],
    )


def without_figures() -> None:
    """Show each matplotlib chart as one line naming it, instead of drawing it.

    Run once, before a notebook's first cell, when grading does not draw charts
    (``Grading.figures = False``): drawing a chart is most of a kernel's work in
    a workshop with charts, and no check reads a drawing. The inline backend is
    told to draw in no format, so a later ``%matplotlib inline`` draws nothing
    either; a chart shown (``plt.show()``, or left open at the end of a cell)
    becomes the text ``Chart "its title" (drawn in your own notebook, not while
    grading)``.
    """
    from matplotlib.figure import Figure
    from matplotlib_inline.config import InlineBackend

    shell = _shell()
    InlineBackend.instance(parent=shell).figure_formats = set()
    for formatter in shell.display_formatter.formatters.values():
        formatter.pop(Figure, None)
    shell.display_formatter.formatters["text/plain"].for_type(Figure, _figure_line)


def _figure_line(figure: Any, printer: Any, cycle: bool) -> None:
    """The line that stands for a chart not drawn (an IPython pretty printer)."""
    titles = [figure.get_suptitle(), *(ax.get_title() for ax in figure.get_axes())]
    titles = [title for title in titles if title]
    named = f' "{titles[0]}"' if titles else ""
    printer.text(f"Chart{named} (drawn in your own notebook, not while grading)")


def _transformer_lists(shell: Any) -> list[list[Any]]:
    manager = shell.input_transformer_manager
    return [
        shell.input_transformers_cleanup,
        shell.input_transformers_post,
        shell.ast_transformers,
        manager.cleanup_transforms,
        manager.line_transforms,
        manager.token_transformers,
    ]


def restore(bindings: dict[str, tuple[str, str]], friendly: bool) -> None:
    """Put the kernel back as :func:`capture` saw it, then import ``cxkit.checks`` afresh.

    ``bindings``: each name the locked cells bound to a module or one of its
    parts (``{"checks": ("cxkit.checks", ""), "Dropdown": ("ipywidgets", "Dropdown")}``),
    bound again where the notebook has it. ``friendly``: the notebook called
    ``checks.start()``, so a failed check shows the kit's short message.
    """
    sys.settrace(None)
    sys.setprofile(None)
    threading.settrace(None)
    threading.setprofile(None)
    if not _SAVED:
        return
    sys.meta_path[:] = _SAVED["meta_path"]
    sys.path_hooks[:] = _SAVED["path_hooks"]
    _put_back(vars(builtins), _SAVED["builtins"])
    sys.stdout, sys.stderr, sys.displayhook, sys.excepthook = _SAVED["system"]
    for name, module in _SAVED["modules"].items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module
    for name, saved in _SAVED["module_dicts"].items():
        _put_back(vars(_SAVED["modules"][name]), saved)
    for cls, saved in _SAVED["classes"].items():
        _put_back_class(cls, saved)
    for obj, saved in _SAVED["objects"]:
        _put_back_methods(obj, saved)
    shell = _shell()
    for current, saved in zip(_SAVED["transformers"], _SAVED["copies"], strict=True):
        current[:] = saved
    for event, callbacks in shell.events.callbacks.items():
        saved = _SAVED["events"].get(event, [])
        callbacks[:] = [c for c in callbacks if c in saved or _library(c)] + [
            c for c in saved if c not in callbacks
        ]
    shell.set_custom_exc((), None)
    _fresh_checks(shell, bindings, friendly)


def _library(callback: Any) -> bool:
    """Whether an event's callback comes from a library (matplotlib's inline figures)."""
    return str(getattr(callback, "__module__", "")).startswith(_EVENT_HOMES)


def _put_back(current: dict[str, Any], saved: dict[str, Any]) -> None:
    """A module's or the builtins' names as saved (names added since are left alone)."""
    for key, value in saved.items():
        if current.get(key, _MISSING) is not value:
            current[key] = value


def _put_back_class(cls: type, saved: dict[str, Any]) -> None:
    """A class's attributes as saved, and hidden (``__x__``) ones added since removed."""
    current = vars(cls)
    for key, value in saved.items():
        if current.get(key, _MISSING) is not value:
            setattr(cls, key, value)
    for key in [k for k in current if k not in saved and k.startswith("__")]:
        delattr(cls, key)


def _put_back_methods(obj: Any, saved: dict[str, Any]) -> None:
    """An object's callables as saved; a callable set since over a method of its class removed."""
    current = vars(obj)
    for key, value in saved.items():
        if callable(value) and current.get(key, _MISSING) is not value:
            current[key] = value
    for key in [k for k, v in current.items() if k not in saved and callable(v)]:
        if hasattr(type(obj), key):
            del current[key]


def _fresh_checks(shell: Any, bindings: dict[str, tuple[str, str]], friendly: bool) -> None:
    """Import ``cxkit.checks`` afresh and bind it (and the locked cells' other names) again."""
    sys.modules.pop(_FRESH, None)
    package = sys.modules.get("cxkit")
    if package is not None:
        vars(package).pop("checks", None)
    fresh = importlib.import_module(_FRESH)
    names = shell.user_ns
    for name, (module, part) in bindings.items():
        if name in names and module in sys.modules:
            found = sys.modules[module]
            names[name] = getattr(found, part) if part else found
    if friendly:
        fresh.start()
