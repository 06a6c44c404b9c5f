"""Does cxkit work when installed from a wheel, away from its clone?

The fast tests check that the wheel's data files list every shipped file, that
its kernelspec is the notebooks' kernel, and that a cxkit without a clone looks
for its files in ``share/cxkit/``. The slow test builds the wheel, installs it in
a new virtual environment outside the clone and runs the installed ``cxkit``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
from pathlib import Path

import pytest

import cxkit
from cxkit import resources
from cxkit.errors import CxkitError

ROOT = Path(__file__).resolve().parents[1]
KERNEL = Path("cxkit/kernelspec/kernel.json")  # in the clone
INSTALLED_KERNEL = Path("share/jupyter/kernels/cxkit/kernel.json")


def _data_files() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return project["tool"]["setuptools"]["data-files"]


def _listed() -> dict[Path, Path]:
    """Every file the wheel's data files name: its place in the clone -> its place installed."""
    found = {}
    for target, patterns in _data_files().items():
        for pattern in patterns:
            for path in sorted(ROOT.glob(pattern)):
                found[path.relative_to(ROOT)] = Path(target) / path.name
    return found


def _on_disk(top: str) -> list[Path]:
    """The files of a shipped folder, leaving out Jupyter's checkpoints and hidden files."""
    return [
        p.relative_to(ROOT)
        for p in sorted((ROOT / top).rglob("*"))
        if p.is_file() and not any(part.startswith((".", "__")) for part in p.parts[-3:])
    ]


def test_every_shipped_file_travels_in_the_wheel():
    """Is every file of source/, release/, workshops/ and datasets/, and nbgrader_config.py,
    listed in the wheel's data files, at the same place under share/cxkit/?"""
    listed = _listed()
    tops = [name for name in resources.WHAT if (ROOT / name).is_dir()]
    assert sorted(tops) == ["datasets", "release", "source", "workshops"]
    on_disk = [Path("nbgrader_config.py")] + [p for top in tops for p in _on_disk(top)]
    assert len(on_disk) > 40
    assert [str(p) for p in on_disk if p not in listed] == []
    placed = {p: t for p, t in listed.items() if p != KERNEL}
    assert {str(p): str(t) for p, t in placed.items() if t != Path("share/cxkit") / p} == {}
    assert {p.parts[0] for p in placed} == set(resources.WHAT)


def test_shipped_kernel_is_the_notebooks_kernel(tmp_path):
    """Does the wheel carry the kernelspec every workshop notebook names, and does
    jupyter_client start it on the Python that launches it (its argv says just "python")?"""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    assert _listed()[KERNEL] == INSTALLED_KERNEL
    spec = json.loads((ROOT / KERNEL).read_text())
    notebooks = sorted(ROOT.glob("source/*/*.ipynb")) + sorted(ROOT.glob("release/*/*.ipynb"))
    named = {
        (meta["name"], meta["display_name"])
        for meta in (json.loads(nb.read_text())["metadata"]["kernelspec"] for nb in notebooks)
    }
    assert named == {("cxkit", spec["display_name"])}
    assert spec["argv"][0] == "python"
    kernels = tmp_path / "kernels"
    shutil.copytree(ROOT / KERNEL.parent, kernels / "cxkit")
    manager = KernelManager(
        kernel_name="cxkit", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)])
    )
    manager.connection_file = str(tmp_path / "kernel.json")
    command = manager.format_kernel_cmd()
    assert command[0] == sys.executable
    assert command[1:] == [*spec["argv"][1:-1], str(tmp_path / "kernel.json")]


def test_installed_cxkit_finds_its_files_in_share(tmp_path, monkeypatch):
    """Without a clone, do shipped() and sample_dir() find the files in <prefix>/share/cxkit/
    (generating no sample), and does a missing file say how to fix it?"""
    from cxkit.data.load import sample_dir

    prefix = tmp_path / "env"
    (prefix / "share" / "cxkit" / "datasets").mkdir(parents=True)
    (prefix / "share" / "cxkit" / "datasets" / "customers.csv").write_text("customer_id\n")
    monkeypatch.setattr(resources, "CLONE", tmp_path / "site-packages")  # no pyproject there
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "none"))
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path / "none"))
    here = {None: prefix, "posix_user": tmp_path / "user", "nt_user": tmp_path / "user"}
    monkeypatch.setattr(
        resources.sysconfig, "get_path", lambda name, scheme=None: str(here[scheme])
    )
    monkeypatch.delenv("CXKIT_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    assert resources.clone() is None
    assert resources.homes()[0] == prefix / "share" / "cxkit"
    assert resources.shipped("datasets") == prefix / "share" / "cxkit" / "datasets"
    assert sample_dir() == prefix / "share" / "cxkit" / "datasets"
    assert not (tmp_path / "cache").exists()
    with pytest.raises(CxkitError, match=r"cxkit's source is not where .* Reinstall cxkit"):
        resources.shipped("source")


# --- the wheel, installed -----------------------------------------------------------------


def _copy_project(to: Path) -> None:
    """Copy what the wheel is built from, so that the build writes nothing into the clone.

    It also keeps a clone's stale ``build/`` folder (modules deleted since) out of the wheel.
    """
    tops = {"pyproject.toml", "README.md", "cxkit"}
    tops |= {Path(p).parts[0] for patterns in _data_files().values() for p in patterns}
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
    to.mkdir(parents=True)
    for name in sorted(tops):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, to / name, ignore=skip)
        else:
            shutil.copy2(ROOT / name, to / name)


def _points(notebook: Path) -> tuple[int, int]:
    """The points a notebook's tests give automatically, and all its points."""
    cells = [c["metadata"].get("nbgrader", {}) for c in json.loads(notebook.read_text())["cells"]]
    graded = [c for c in cells if c.get("grade")]
    auto = sum(c["points"] for c in graded if not c.get("solution"))
    return int(auto), int(sum(c["points"] for c in graded))


def _text(html: str) -> str:
    """The words of an HTML page, without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _run(command: list[str | Path], **kwargs) -> str:
    done = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, timeout=900, **kwargs
    )
    shown = " ".join(str(c) for c in command)
    assert done.returncode == 0, f"{shown} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_installed_wheel_runs_the_kit(tmp_path):
    """Does a wheel installed in a new virtual environment, run from a folder outside the
    clone, lay out a course and run a workshop cycle in it, run the demo, and write the
    report and the scorecard on the sample it carries?

    What is borrowed, and why: the new environment gets only the wheel (``pip install
    --no-deps``); a ``.pth`` file after its own site-packages lists the project
    environment's site-packages, so that the dependencies (pandas, nbgrader, ...) are
    not downloaded again. A ``.pth`` line only adds a folder to ``sys.path``: the
    editable install's hook in that folder never runs, so ``import cxkit`` finds the
    wheel, which the test checks. What the dependencies install outside site-packages
    is borrowed too: their Jupyter data (nbconvert's templates), linked into the new
    ``share/jupyter/`` beside the wheel's kernel, and the one script cxkit needs by
    name, nbgrader's ``alembic``, as a four-line script in the new ``bin``.
    Building the wheel fetches setuptools through pip's index, as any build does.
    HOME is a new folder, so no user-level kernel or cached sample can stand in.
    It takes about two minutes here.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    source, venv, work = tmp_path / "src", tmp_path / "venv", tmp_path / "work"
    _copy_project(source)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path, source])
    (wheel,) = tmp_path.glob("cxkit-*.whl")
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel])
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    site = Path(purelib.strip())
    borrowed = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "zz_borrowed.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    shared = venv / "share" / "jupyter"
    for folder in sorted((Path(sys.prefix) / "share" / "jupyter").iterdir()):
        if folder.name != "kernels":  # nbconvert's templates and the like; the kernel is ours
            (shared / folder.name).symlink_to(folder)
    alembic = venv / "bin" / "alembic"
    alembic.write_text(
        f"#!{python}\nimport sys\nfrom alembic.config import main\nsys.exit(main())\n"
    )
    alembic.chmod(0o755)
    timings["build and install"] = time.perf_counter() - started

    work.mkdir()
    (tmp_path / "home").mkdir()
    ours = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env = {k: v for k, v in env.items() if not k.startswith(("CXKIT_", "JUPYTER_"))}
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != ours]
    env |= {"HOME": str(tmp_path / "home"), "PATH": os.pathsep.join([str(venv / "bin"), *path])}
    env.pop("XDG_CACHE_HOME", None)

    def installed(*args: str | Path) -> str:
        began = time.perf_counter()
        out = _run([venv / "bin" / "cxkit", *args], cwd=work, env=env)
        timings[str(args[0])] = timings.get(str(args[0]), 0) + time.perf_counter() - began
        return out

    # the installed package is the one that runs, with its own files and kernel
    where = _run(
        [
            python,
            "-c",
            "import cxkit, cxkit.resources as r\n"
            "from jupyter_client.kernelspec import KernelSpecManager\n"
            "print(cxkit.__file__, r.clone(), r.shipped('source'), sep='\\n')\n"
            "print(KernelSpecManager().get_kernel_spec('cxkit').resource_dir)\n",
        ],
        cwd=work,
        env=env,
    ).splitlines()
    assert Path(where[0]) == site / "cxkit" / "__init__.py"
    assert where[1:] == [
        "None",
        str(venv / "share" / "cxkit" / "source"),
        str(venv / "share" / "jupyter" / "kernels" / "cxkit"),
    ]
    assert (venv / "bin" / "cxkit").read_text().splitlines()[0] == f"#!{python}"

    # a new course, and a workshop cycle in it: a participant hands in the model answers
    out = installed("quickstart", "course", "--workshops", "00")
    assert f"Laid out a course in {work / 'course'} with 1 workshop(s): 00-foundations." in out
    course = work / "course"
    notebook = Path("00-foundations") / "foundations.ipynb"
    assert (course / "source" / notebook).read_bytes() == (ROOT / "source" / notebook).read_bytes()
    assert "cxkit release 00" in (course / "README.md").read_text()
    installed("release", "00", "--course-dir", "course")
    assert "### BEGIN SOLUTION" not in (course / "release" / notebook).read_text()
    (work / "mine" / "00-foundations").mkdir(parents=True)
    shutil.copy(course / "source" / notebook, work / "mine" / notebook)
    assert "Wrote 00-foundations_jo.smith_" in installed(
        "submit", "00", "--id", "jo.smith", "--workspace", "mine"
    )
    (zipped,) = (work / "mine").glob("00-foundations_jo.smith_*.zip")
    installed("collect", zipped, "--course-dir", "course")
    graded = installed("grade", "00", "--course-dir", "course", "--quiet")
    assert "00-foundations: 1 participants: 1 graded." in graded, graded
    row = next(line for line in graded.splitlines() if line.startswith("jo.smith"))
    auto, total = _points(course / "source" / notebook)  # the reflections wait for a person
    assert f"graded  {auto} / {total}  reflections await manual grading" in row, graded
    out = installed("report", "00", "--course-dir", "course")
    page = course / "reports" / "00-foundations" / "facilitator_report.html"
    assert out.strip() == f"Facilitator report: {page}"
    html = page.read_text()
    assert "1 participants: 1 handed in (100%), 1 graded, 0 could not be graded" in _text(html)
    assert "jo.smith" in html and 'src="data:image/png;base64,' in html

    # the demo: a simulated cohort of two, graded, with feedback and the report
    out = installed("demo", "--out", "demo", "--size", "2", "--workers", "2")
    assert "00-foundations: 2 participants: 2 graded." in out, out
    assert (work / "demo" / "gradebook.db").is_file()
    assert len(list((work / "demo" / "feedback").rglob("*.html"))) == 2

    # the organisation scorecard on the sample the wheel carries
    sample = venv / "share" / "cxkit" / "datasets"
    out = installed("scorecard", "--data", sample, "--out", "card")
    assert out.strip() == f"Scorecard: {work / 'card' / 'scorecard.html'}"
    card = _text((work / "card" / "scorecard.html").read_text())
    surveys = cxkit.load("surveys")  # the clone's cxkit on the clone's sample: the same numbers
    assert f"{len(surveys):,} survey responses" in card
    assert f"NPS {cxkit.nps(surveys['recommend']):+.1f} (95% interval" in card
    assert not (tmp_path / "home" / ".cache" / "cxkit").exists()  # the shipped sample was used
    timings["total"] = time.perf_counter() - started
    print("  ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()))
