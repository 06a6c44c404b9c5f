"""Notebook to page: the one renderer behind the facilitator report, the scorecard and feedback.

Every page cxkit writes is a notebook exported by nbconvert's HTML exporter with
a template of the kit's (``cxkit/course/templates/``: ``cxkit`` is nbconvert's
classic layout with one inline stylesheet and not one script; ``cxkit-feedback``
adds a participant's summary), so markdown is rendered as Jupyter renders it
(mistune, through nbconvert), tables are HTML tables, and nothing loads from the
network.

A report template is a notebook with a ``parameters`` cell (in
``workshops/reports/``). :func:`render_notebook` runs it with papermill, in this
process, on a kernel of this very Python, and writes one self-contained HTML
page without code: charts embedded as images, nothing loaded from the network,
the title escaped. The page appears whole or not at all, and a template that
fails becomes a :class:`~cxkit.errors.CxkitError` naming the template, the cell
and what to do.

The kernel runs ``sys.executable`` whatever kernelspecs are registered: the
report must run on the Python, and the cxkit, that wrote its data. A kernelspec
named ``python3`` or ``cxkit`` in the user's Jupyter folders can point at another
environment (or at none that has pandas), and the ``cxkit`` kernelspec exists
only where ``make`` registered it, not in an installed wheel.

:func:`run_template` and :func:`write_page` are its two halves, for a report
that makes several pages from one run of its template (the pulse: one kernel for
every department). :func:`to_html` is the export itself, used by the feedback
too; :func:`clean_html` sanitizes what a participant's notebook holds.
:data:`STYLE`, :data:`TABLES` and :data:`PRINT` are the stylesheet every page shares.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from html import escape
from pathlib import Path
from typing import Any

import bleach
from nbconvert import HTMLExporter

from cxkit.errors import CxkitError
from cxkit.resources import shipped

TEMPLATES = Path(__file__).with_name("templates")  # nbconvert templates: cxkit, cxkit-feedback
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; line-height: 1.5; }
pre { background: #f4f4f4; padding: .6rem; overflow-x: auto; border-radius: 4px; }
a { color: #0b57a4; }
.badge { padding: .5rem .8rem; border-radius: 4px; margin: .4rem 0 1.2rem; }
.pass { background: #e3f1e8; border-left: 5px solid #009e73; }
.fail { background: #fbe9e0; border-left: 5px solid #d55e00; }
.pending { background: #fff6da; border-left: 5px solid #e69f00; }
.summary { font-size: 1.1rem; }
.note { font-style: italic; color: #444; }
details.code > summary { cursor: pointer; color: #0b57a4; margin: .2rem 0; }
table.exercises td { vertical-align: top; }
.hint { font-size: .92rem; }
"""
TABLES = """
body { max-width: 64rem; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .92rem; }
th, td { border: none; border-bottom: 1px solid #ddd; padding: .3rem .6rem; text-align: left; }
th { background: #f4f4f4; }
.output_area { overflow-x: auto; }
img { max-width: 100%; }
.anchor-link { display: none; }
"""
PRINT = """
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  a { color: inherit; text-decoration: none; }
  details.code { display: none; }
  pre { white-space: pre-wrap; overflow: visible; }
  .output_area { overflow: visible; }
  .badge, tr, img, .output_area { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
}
"""
KERNEL = "python3"  # the name under which ipykernel describes the Python running it
START_TIMEOUT = "CXKIT_KERNEL_START_TIMEOUT"  # seconds a report's kernel may take to start
# outputs that only work with JavaScript (widgets load theirs from a CDN); their
# text or image representations are shown instead
NEEDS_SCRIPT = ("application/javascript", "application/vnd.jupyter.widget-view+json")
NETWORK = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)
# what a participant's markdown and HTML output may keep: text, tables, links, embedded images
_TEXT = ("p", "br", "hr", "pre", "div", "span", "del", "s", "sub", "sup", "img")
_TABLE = ("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td")
SAFE_TAGS = frozenset(bleach.ALLOWED_TAGS).union(_TEXT, _TABLE, (f"h{n}" for n in range(1, 7)))
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_LINKS = ("#", "http://", "https://", "mailto:")


def clean_html(html: str | bytes) -> str:
    """Keep text, tables, links and embedded images; drop scripts, styles and loads.

    Examples
    --------
    >>> clean_html("<h3>NPS</h3><style>p {}</style><script>alert(1)</script><b>45</b>")
    '<h3>NPS</h3><b>45</b>'
    >>> clean_html('<img src="https://example.org/x.png" alt="x"><a href="#top">top</a>')
    '<img alt="x"><a href="#top">top</a>'
    """
    text = html.decode() if isinstance(html, bytes) else str(html)
    return str(
        bleach.clean(
            _SCRIPT_OR_STYLE.sub("", text),
            tags=SAFE_TAGS,
            attributes=_safe_attribute,
            protocols=["http", "https", "mailto", "data"],
            strip=True,
            strip_comments=True,
        )
    )


def _safe_attribute(tag: str, name: str, value: str) -> bool:
    if name in ("class", "id", "title", "colspan", "rowspan", "scope", "alt"):
        return True
    if tag == "a" and name == "href":
        return value.startswith(_LINKS)
    if tag == "img" and name == "src":
        return value.startswith(("data:image/png;", "data:image/jpeg;"))
    return False


def to_html(
    notebook: Any,
    title: str,
    css: str = "",
    template: str = "cxkit",
    resources: Mapping[str, Any] | None = None,
    **options: Any,
) -> str:
    """A notebook as one offline page: nbconvert's HTML exporter with a template of the kit's.

    Parameters
    ----------
    notebook
        The notebook node, exported as it is (prompts left out).
    title
        The page's ``<title>``, escaped by the template.
    css
        Style rules added after :data:`STYLE` and :data:`TABLES`.
    template
        ``cxkit`` (reports) or ``cxkit-feedback`` (a participant's feedback).
    resources
        More for the template (``feedback``: the summary at the top).
    **options
        Settings of nbconvert's ``HTMLExporter`` (``exclude_input=True``,
        ``sanitize_html=True`` ...).

    Returns
    -------
    str
        The whole HTML document.

    Raises
    ------
    CxkitError
        When the kit's templates are missing (an incomplete installation).

    Examples
    --------
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> page = to_html(new_notebook(cells=[new_markdown_cell("### Hi **there**")]), "Q&A")
    >>> "<title>Q&amp;A</title>" in page, "<strong>there</strong>" in page, "<script" in page
    (True, True, False)
    """
    _installed(template)
    exporter = _exporter(template, tuple(sorted(options.items())))
    more = {"cxkit": {"title": title, "css": STYLE + TABLES + css + PRINT}, **(resources or {})}
    page, _ = exporter.from_notebook_node(notebook, resources=more)
    return str(page)


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 (inherited by a kernel) to /dev/null for a while.

    A kernel's start-up notices ("running over TCP without encryption") are
    noise in a facilitator's terminal.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def render_notebook(
    template: Path,
    parameters: Mapping[str, Any],
    out_html: Path,
    title: str,
    *,
    name: str | None = None,
    css: str = "",
    chart_alt: str = "A chart",
) -> Path:
    """Run a report template with papermill and write its outputs as one offline page.

    Parameters
    ----------
    template
        The notebook; its ``parameters`` cell is overridden by ``parameters``.
    parameters
        Values for the template. A :class:`~pathlib.Path` is passed as an
        absolute path: the kernel runs in a scratch folder of its own.
    out_html
        The page to write; its folder is created. It is replaced only when the
        new page is complete.
    title
        The page's ``<title>``, escaped here. A template that shows the title
        in its body escapes it there.
    name
        What the template makes ("scorecard"), for error messages; by default
        its file name.
    css
        Style rules added after :data:`STYLE` and :data:`TABLES`.
    chart_alt
        The alternative text of every chart (an image output).

    Returns
    -------
    Path
        ``out_html``.

    Raises
    ------
    CxkitError
        When the template is missing, a cell fails (naming the cell), the kernel
        stops or starts too slowly, or the page would load something from the network.
    """
    notebook = run_template(template, parameters, name=name)
    return write_page(
        notebook, out_html, title, template=template, name=name, css=css, chart_alt=chart_alt
    )


def run_template(template: Path, parameters: Mapping[str, Any], *, name: str | None = None) -> Any:
    """Run a report template with papermill on this Python; return the executed notebook.

    The first half of :func:`render_notebook`, for a report that makes several
    pages from one run (each page a part of the notebook, see :func:`write_page`).
    """
    import papermill as pm
    from nbclient.exceptions import DeadKernelError

    name = name or template.stem.replace("_", " ")
    if not template.is_file():
        raise CxkitError(
            f"The {name} template {template} does not exist. Give an existing notebook, "
            "or leave the template out to use the one cxkit ships."
        )
    values = {k: str(v.absolute()) if isinstance(v, Path) else v for k, v in parameters.items()}
    wait = start_timeout()
    with tempfile.TemporaryDirectory(prefix="cxkit-render-") as scratch:
        started = time.monotonic()
        try:
            with quiet_stderr():
                return pm.execute_notebook(
                    str(template),
                    None,
                    parameters=values,
                    kernel_name=KERNEL,
                    language="python",
                    kernel_manager_class=_this_python(),
                    progress_bar=False,
                    cwd=scratch,
                    start_timeout=wait,
                )
        except pm.PapermillExecutionError as err:
            raise CxkitError(_cell_failed(template, name, err)) from None
        except (RuntimeError, TimeoutError) as err:
            if time.monotonic() - started < wait or isinstance(err, DeadKernelError):
                raise CxkitError(_kernel_stopped(name, err)) from err
            raise CxkitError(
                f"The {name} was not written: its kernel ({sys.executable} -m ipykernel) did "
                f"not start within {wait:g} s, which happens on a busy machine (grading, other "
                f"reports). Nothing was changed. Run the command again when the machine is "
                f"quieter, or give the kernel longer: {START_TIMEOUT}=180 before the command."
            ) from None
        except OSError as err:
            raise CxkitError(_kernel_stopped(name, err)) from err


def write_page(
    notebook: Any,
    out_html: Path,
    title: str,
    *,
    template: Path,
    name: str | None = None,
    css: str = "",
    chart_alt: str = "A chart",
) -> Path:
    """Write an executed template (or a part of it) as one offline page, without code.

    The second half of :func:`render_notebook`; ``template`` and ``name`` only
    name the template in an error.
    """
    name = name or template.stem.replace("_", " ")
    html = to_html(_for_readers(notebook, chart_alt), title, css, exclude_input=True)
    found = NETWORK.search(html)
    if found:
        raise CxkitError(
            f"The {name} template {template} shows output that loads from the network "
            f"({found.group(0)[:80]}...), and cxkit's pages open offline. Show that output "
            "as a table or an image (a PNG chart) instead."
        )
    _write_atomically(out_html, html)
    return out_html


def start_timeout() -> float:
    """Seconds a report's kernel may take to start: 60, or ``CXKIT_KERNEL_START_TIMEOUT``.

    Examples
    --------
    >>> import os
    >>> os.environ.pop(START_TIMEOUT, None) and None
    >>> start_timeout()
    60.0
    """
    text = os.environ.get(START_TIMEOUT, "").strip()
    if not text:
        return 60.0
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 3600:
        raise CxkitError(
            f"{START_TIMEOUT}={text!r} is not a number of seconds between 0 and 3600. "
            f"Write e.g. {START_TIMEOUT}=180, or unset it for 60."
        )
    return seconds


def _kernel_stopped(name: str, err: BaseException) -> str:
    return (
        f"The {name} template could not run to its end: its kernel ({sys.executable} "
        f"-m ipykernel) stopped: {err}. Check that ipykernel is installed in that "
        "Python (pip install ipykernel) and that memory is free, then run again."
    )


def _installed(template: str) -> None:
    """Raise a CxkitError when a kit template is missing: an install error, never a fallback."""
    missing = [t for t in (template, "cxkit") if not (TEMPLATES / t / "index.html.j2").is_file()]
    if missing:
        raise CxkitError(
            f"cxkit's page template {missing[0]!r} is missing from {TEMPLATES}: this "
            "installation of cxkit is incomplete. Reinstall it (pip install --force-reinstall "
            "cxkit, or make in a clone) and run the command again."
        )


@functools.lru_cache(maxsize=8)
def _exporter(template: str, options: tuple[tuple[str, Any], ...]) -> HTMLExporter:
    """One exporter per template and settings: its Jinja templates are compiled once."""
    return HTMLExporter(
        template_name=template,
        extra_template_basedirs=[str(TEMPLATES)],
        extra_template_paths=[str(TEMPLATES)],  # for "cxkit/index.html.j2"
        filters={"text": escape, "clean_html": clean_html},
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        **dict(options),
    )


def _this_python() -> type:
    """A kernel manager that starts ipykernel on ``sys.executable``, ignoring kernelspecs."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class ThisPython(AsyncKernelManager):
        """ipykernel's own description of this Python: no kernelspec folder is searched."""

        @default("kernel_spec_manager")
        def _no_folders(self) -> KernelSpecManager:
            return KernelSpecManager(kernel_dirs=[])

    return ThisPython


def _cell_failed(template: Path, name: str, err: Any) -> str:
    """Words for a failed cell: its place in the template, its first line, the error, the fix."""
    import nbformat

    cells = nbformat.read(template, as_version=4).cells
    number = next(
        (i for i, c in enumerate(cells, start=1) if c.source.strip() == err.source.strip()), None
    )
    first = next((line for line in err.source.splitlines() if line.strip()), "")
    where = f"cell {number} of {template.name}" if number else f"cell In [{err.exec_count}]"
    if _is_shipped(template):
        fix = "This is a bug in cxkit, not in your data; please report it with this message."
    else:
        fix = f"Fix that cell in {template}, or leave the template out to use the one cxkit ships."
    return (
        f"The {name} template stopped at {where} (the cell starting {first!r}): "
        f"{err.ename}: {err.evalue}. {fix}"
    )


def _is_shipped(template: Path) -> bool:
    try:
        return template.resolve().is_relative_to(shipped("workshops/reports").resolve())
    except CxkitError:
        return False


def _for_readers(notebook: Any, chart_alt: str) -> Any:
    """The executed template as readers see it.

    Left out: cells tagged ``remove-cell``, output that needs JavaScript, and
    what cells wrote to stderr (warnings quote the template's code, and are for
    its author, not the page's reader). Code is left out by the export.
    """
    notebook.cells = [c for c in notebook.cells if "remove-cell" not in c.metadata.get("tags", [])]
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.setdefault("alt", chart_alt)  # the images' alternative text
        for output in cell.outputs:
            for mime in NEEDS_SCRIPT:
                output.get("data", {}).pop(mime, None)
        cell.outputs = [o for o in cell.outputs if _shown(o)]
    return notebook


def _shown(output: Any) -> bool:
    if output.get("output_type") == "stream":
        return bool(output.get("name") != "stderr")
    return "data" not in output or bool(output["data"])


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` beside ``path``, then rename it over: never half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        # os.open applies the umask (a temporary file's 0600 would hide a page meant to be shared)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
