"""The one notebook renderer: escaped titles, no code, offline, whole pages or none."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cxkit.course import report
from cxkit.course.render import render_notebook
from cxkit.errors import CxkitError
from cxkit.scorecard import card

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TITLE = "Q3 <script>alert('owned')</script> & friends"
# as nbconvert's HTML exporter writes it: <, > and & escaped (quotes need not be, in text)
ESCAPED = "Q3 &lt;script&gt;alert('owned')&lt;/script&gt; &amp; friends"
NETWORK = re.compile(r"""<script[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _first_lines(template: Path) -> list[str]:
    """The first line of every code cell of a template."""
    cells = nbformat.read(template, as_version=4).cells
    return [c.source.strip().splitlines()[0] for c in cells if c.cell_type == "code" and c.source]


def _template(tmp_path: Path, *sources: str) -> Path:
    """A template: a heading, a ``parameters`` cell (``x = 1``), then one code cell a source."""
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# A template"),
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            *(new_code_cell(s) for s in sources),
        ]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = tmp_path / "template.ipynb"
    nbformat.write(notebook, path)
    return path


def _check_title_and_code(page: str, template: Path) -> None:
    assert f"<title>{ESCAPED}</title>" in page
    assert re.search(f"<h1[^>]*>{re.escape(ESCAPED)}<", page)  # the heading the template shows
    assert "<script" not in page.lower()  # neither the title's nor any other
    assert not NETWORK.search(page)
    text = html.unescape(page)
    shown = [line for line in _first_lines(template) if line in text]
    assert not shown, f"code of {template.name} in the page: {shown}"


def test_report_title_is_escaped_and_its_code_hidden(tmp_path: Path):
    """Does the facilitator report show a title with <script> and & as text, and none of its
    template's code?"""
    people = pd.DataFrame(
        [["p1", "Ann", "it", "graded", "", 3.0, 4.0, 0.0, 0, 0.0, ""]],
        columns=report.PARTICIPANT_COLUMNS,
    )
    exercises = pd.DataFrame(
        [["p1", "it", "nps_value", 2, 1.0, "CheckFailed: a fraction"]],
        columns=report.EXERCISE_COLUMNS,
    )
    people.to_csv(tmp_path / "participants.csv", index=False)
    exercises.to_csv(tmp_path / "exercises.csv", index=False)
    out = report.render(
        tmp_path / "participants.csv",
        tmp_path / "exercises.csv",
        tmp_path / "out" / "report.html",
        title=TITLE,
    )
    page = out.read_text(encoding="utf-8")
    _check_title_and_code(page, report.TEMPLATE)
    assert "<strong>1</strong> participants" in page
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html"]


def test_scorecard_title_is_escaped_and_its_code_hidden(tmp_path: Path):
    """Does the scorecard show a title with <script> and & as text, and none of its template's
    code?"""
    fixtures = ROOT / "tests" / "fixtures" / "scorecard" / "surveymonkey"
    mapping = ROOT / "workshops" / "reports" / "mappings" / "surveymonkey.yaml"
    written = card.scorecard(fixtures, tmp_path / "card", mapping, min_n=20, title=TITLE)
    page = written[0].read_text(encoding="utf-8")
    _check_title_and_code(page, card.TEMPLATE)
    assert 'alt="A chart; its numbers are in the table beside it"' in page


def test_a_failing_cell_is_named_and_the_old_page_stays(tmp_path: Path):
    """Does a template that raises give a CxkitError naming the cell, and leave the page that
    was there untouched, with nothing beside it?"""
    template = _template(tmp_path, "y = x + 1", "raise RuntimeError('broken on purpose')")
    out = tmp_path / "out"
    out.mkdir()
    (out / "page.html").write_text("last week's page")
    with pytest.raises(CxkitError) as caught:
        render_notebook(template, {"x": 2}, out / "page.html", "A page")
    message = str(caught.value)
    assert "template stopped at cell 4 of template.ipynb" in message
    assert "the cell starting \"raise RuntimeError('broken on purpose')\"" in message
    assert "RuntimeError: broken on purpose" in message
    assert f"Fix that cell in {template}" in message
    assert sorted(p.name for p in out.iterdir()) == ["page.html"]
    assert (out / "page.html").read_text() == "last week's page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "template.ipynb"]


def test_a_script_from_the_network_is_refused(tmp_path: Path):
    """Is a template whose output loads a script from a CDN refused, writing no page?"""
    template = _template(
        tmp_path,
        "from IPython.display import HTML, display\n"
        "display(HTML('<script src=\"https://cdn.example.org/chart.js\"></script>'))",
    )
    with pytest.raises(CxkitError, match=r"loads from the network .* cxkit's pages open offline"):
        render_notebook(template, {}, tmp_path / "page.html", "A page")
    assert not (tmp_path / "page.html").exists()


def test_the_kernel_is_this_python_whatever_kernelspecs_say(tmp_path: Path, monkeypatch):
    """With kernelspecs named python3 and cxkit that cannot start, does the template still run on
    this very Python, with its parameters, and leave out JavaScript-only output and stderr?"""
    for name in ("python3", "cxkit"):
        spec = tmp_path / "jupyter" / "kernels" / name
        spec.mkdir(parents=True)
        argv = ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        spec.joinpath("kernel.json").write_text(
            json.dumps({"argv": argv, "display_name": name, "language": "python"})
        )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    template = _template(
        tmp_path,
        "import sys\nfrom IPython.display import Javascript, display\n"
        "print(f'kernel: {sys.executable}, x = {x}')\ndisplay(Javascript('alert(1)'))\n"
        "print('a warning for the author', file=sys.stderr)",
    )
    out = render_notebook(template, {"x": 41}, tmp_path / "page.html", "A page")
    page = out.read_text(encoding="utf-8")
    assert f"kernel: {html.escape(sys.executable)}, x = 41" in page
    assert "<script" not in page and "alert(1)" not in page
    assert "import sys" not in page and "a warning for the author" not in page


def test_a_missing_template_is_an_install_error(tmp_path: Path, monkeypatch):
    """Without the kit's templates, is there a CxkitError saying to reinstall, not a page
    rendered some other way?"""
    from nbformat.v4 import new_notebook as empty

    from cxkit.course import render

    monkeypatch.setattr(render, "TEMPLATES", tmp_path)
    with pytest.raises(CxkitError, match=r"'cxkit-feedback' is missing .* incomplete"):
        render.to_html(empty(), "A page", template="cxkit-feedback")


def test_the_templates_travel_in_the_wheel():
    """Is every file of the page templates listed as package data, so an installed cxkit has
    them?"""
    import tomllib

    from cxkit.course.render import TEMPLATES

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["package-data"]["cxkit"]
    listed = {path for pattern in patterns for path in (ROOT / "cxkit").glob(pattern)}
    files = {path for path in TEMPLATES.rglob("*") if path.is_file()}
    assert files and files <= listed, sorted(str(p) for p in files - listed)
