"""The project's own files: packaging, the conda environment, the two README commands."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0].lower().replace("_", "-")


def _spec(spec: str) -> str:
    """A requirement without its environment marker and extras (conda has none), spaces removed."""
    return re.sub(r"\[.*?\]", "", spec.split(";")[0]).replace(" ", "")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_matches_pyproject():
    """Do environment.yml and pyproject.toml list the same packages with the same versions?"""
    project = _pyproject()["project"]
    wanted = {_name(s): _spec(s) for s in project["dependencies"]}
    wanted |= {_name(s): _spec(s) for s in project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    listed = {_name(s): _spec(s) for s in conda if _name(s) not in ("python", "pip")}
    # conda-forge packages the proxy that pip users get from npm (the Makefile's NODE_PACKAGES)
    proxy = listed.pop("configurable-http-proxy")
    assert proxy.replace(">=", "@") in _node_packages()
    assert listed == wanted
    python = next(s for s in conda if _name(s) == "python")
    assert python.removeprefix("python") == project["requires-python"]


def _node_packages() -> list[str]:
    """The npm packages the Makefile installs (NODE_PACKAGES)."""
    makefile = (ROOT / "Makefile").read_text()
    line = next(x for x in makefile.splitlines() if x.startswith("NODE_PACKAGES"))
    return line.split(":=", 1)[1].split()


def test_package_ships_type_information():
    """Is py.typed shipped, and does the console script point at a real function?"""
    assert (ROOT / "cxkit" / "py.typed").is_file()
    project = _pyproject()
    assert "cxkit*" in project["tool"]["setuptools"]["packages"]["find"]["include"]
    shipped = project["tool"]["setuptools"]["package-data"]["cxkit"]
    for name in shipped:
        assert any((ROOT / "cxkit").glob(name)), f"package data {name} is missing"
    assert "py.typed" in shipped
    module, function = project["project"]["scripts"]["cxkit"].split(":")
    imported = __import__(module, fromlist=[function])
    assert callable(getattr(imported, function))


def test_ci_runs_make_test_and_nothing_else():
    """Does .ci/run call make test (after any apt set-up) and run no other test command?"""
    script = (ROOT / ".ci" / "run").read_text()
    commands = [
        line.strip()
        for line in script.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert commands[-1] == "make test"
    assert not any("pytest" in c for c in commands)


def test_importing_cxkit_changes_no_matplotlib_setting():
    """Does importing cxkit and its helpers leave matplotlib's rcParams and the warnings
    filters alone?"""
    import subprocess

    code = (
        "import warnings, matplotlib\n"
        "before = dict(matplotlib.rcParams); filters = list(warnings.filters)\n"
        "import cxkit\n"
        "helpers = [getattr(cxkit, name) for name in cxkit.__all__]  # their modules too\n"
        "changed = [k for k, v in matplotlib.rcParams.items() if before[k] != v]\n"
        "print(changed, warnings.filters == filters)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] True"


def test_cxkit_loads_each_helper_on_first_use():
    """Does `import cxkit` leave pandas and matplotlib unloaded (grading workers import
    cxkit.course only), and is each helper then its module's own, with a hint for a typo?"""
    import subprocess

    code = (
        "import importlib, sys, cxkit\n"
        "print('pandas' in sys.modules, 'matplotlib' in sys.modules)\n"
        "homes = {**cxkit._HOME, 'CxkitError': 'cxkit.errors'}\n"
        "print([n for n in cxkit.__all__\n"
        "       if getattr(cxkit, n) is not getattr(importlib.import_module(homes[n]), n)])\n"
        "print(sorted(set(cxkit.__all__) - set(dir(cxkit))), 'pandas' in sys.modules)\n"
        "print(cxkit.plots.plot_trend is cxkit.plot_trend, 'metrics' in dir(cxkit))\n"
        "try:\n"
        "    cxkit.nsp\n"
        "except AttributeError as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [
        "False False",
        "[]",
        "[] True",
        "True True",
        """module 'cxkit' has no attribute 'nsp'. Did you mean "nps"?""",
    ]
