"""Can a course run on Zero to JupyterHub from what ``cxkit room kubernetes`` writes?

Nothing here talks to a cluster: there is no cluster, no ``helm`` and no
``docker`` on the machines these tests run on. What is checked is what can be
checked without them: the files render from a real course and its roster,
are YAML that reads back to the same values, use only chart keys listed
below, give each participant the same view of the exchange as the
single-machine room, and refuse bad input with a clear message; the image
definition installs what pyproject.toml and environment.yml declare, and its
Jupyter configuration files, run through the real jupyter_server, JupyterLab
and nbgrader, hide the facilitator's tools and point nbgrader at the exchange.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import minicourse as mc
import pytest
import yaml
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

import cxkit
from cxkit import resources
from cxkit.course.directory import Course
from cxkit.course.roster import import_roster
from cxkit.errors import CxkitError
from cxkit.room import kubernetes as k8s
from cxkit.room.exchange import INSIDE_ROOT, participant_mounts
from cxkit.room.kubernetes_grading import FACILITATOR_LABEL, GRADING

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "cxkit" / "room" / "kubernetes" / "Dockerfile"
IMAGE = "registry.example.org/cx/cxkit:0.1.0"
URL = "https://cx.example.org"
ROSTER = (
    "id,name,email,department\n"
    "ana,Ana Adams,Ana.Adams@Example.com,accounting\n"
    "ben,Ben Bakker,ben@example.com,logistics\n"
    "chen,Chen Costa,chen@example.com,it\n"
)

# The keys of the "jupyterhub" chart (Zero to JupyterHub) these values set, with the type
# each takes, checked by hand against the values.schema.yaml in the chart's repository (the
# schema is not available offline and is not copied here). Below a "free" key the chart
# passes values through (traitlets config, Python code, environment variables).
CHART_KEYS = {
    "hub.config": "free",  # traitlets config of the hub: JupyterHub, Authenticator, ...
    "hub.extraConfig": "free",  # Python run by the hub's jupyterhub_config.py
    "singleuser.image.name": str,
    "singleuser.image.tag": str,
    "singleuser.defaultUrl": str,
    "singleuser.memory.limit": str,  # [number, string, null]
    "singleuser.memory.guarantee": str,
    "singleuser.cpu.limit": float,  # [number, null]
    "singleuser.cpu.guarantee": float,
    "singleuser.extraEnv": "free",  # [object, array]
    "singleuser.initContainers": list,
    "singleuser.storage.extraVolumes": list,
    "singleuser.storage.extraVolumeMounts": list,
    "cull.enabled": bool,
    "cull.users": bool,
    "cull.timeout": int,
    "cull.every": int,
}


def _course(folder: Path) -> Course:
    root = mc.make_course(folder / "course")
    (folder / "roster.csv").write_text(ROSTER)
    course = Course(root)
    import_roster(course, folder / "roster.csv")
    return course


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    """A course with a roster of three, shared by the tests that only read it."""
    return _course(tmp_path_factory.mktemp("k8s"))


@pytest.fixture
def own_course(tmp_path: Path) -> Course:
    """A course of the test's own, whose roster the test may spoil."""
    return _course(tmp_path)


def _values(course: Course, *facilitators: str, **resources: float) -> dict:
    chosen = k8s.Resources(**resources)
    return k8s.render_values(course, IMAGE, URL, list(facilitators or ["lee@example.org"]), chosen)


def _leaves(tree: dict, prefix: str = "") -> dict[str, object]:
    """Every key path of a values tree, stopping at the chart's free keys."""
    found: dict[str, object] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and CHART_KEYS.get(path) != "free":
            found.update(_leaves(value, f"{path}."))
        else:
            found[path] = value
    return found


def _stored_roster(course: Course, text: str) -> None:
    """Replace the stored roster as a hand edit would (import refuses some of these)."""
    (course.state / "roster.csv").write_text(text)


# --- the hub's values ------------------------------------------------------------------


def test_everyone_on_the_roster_and_only_they_may_log_in(course):
    """Is every roster id allowed, each under its e-mail, and is nobody else?"""
    auth = _values(course, "lee@example.org")["hub"]["config"]
    assert auth["JupyterHub"]["authenticator_class"] == "generic-oauth"
    allowed = auth["Authenticator"]["allowed_users"]
    assert allowed == ["ana", "ben", "chen", "lee"]
    assert auth["Authenticator"]["username_map"] == {
        "ana.adams@example.com": "ana",  # JupyterHub lower-cases a name before mapping it
        "ben@example.com": "ben",
        "chen@example.com": "chen",
        "lee@example.org": "lee",
    }
    oauth = auth["GenericOAuthenticator"]
    assert oauth["oauth_callback_url"] == "https://cx.example.org/hub/oauth_callback"
    assert oauth["username_claim"] == "email"
    assert not {"client_id", "client_secret"} & set(oauth)  # secrets stay out of the file


def test_facilitators_are_the_admins(course):
    """Are the facilitators, and only they, admins, a roster member keeping their id?"""
    auth = _values(course, "Ana.Adams@example.com", "lee.fox@example.org")["hub"]["config"]
    assert auth["Authenticator"]["admin_users"] == ["ana", "lee.fox"]
    assert auth["Authenticator"]["allowed_users"] == ["ana", "ben", "chen", "lee.fox"]


def test_limits_culling_and_image(course):
    """Are the limits, the culler and the image those given?"""
    values = _values(course, memory=1024, memory_guarantee=256, cpus=0.5, cull_after=30)
    single = values["singleuser"]
    assert single["memory"] == {"limit": "1024M", "guarantee": "256M"}
    assert single["cpu"] == {"limit": 0.5, "guarantee": 0.1}
    assert single["image"] == {"name": "registry.example.org/cx/cxkit", "tag": "0.1.0"}
    assert single["extraEnv"] == {"CXKIT_COURSE_ID": "mini"}
    assert values["cull"] == {"enabled": True, "users": False, "timeout": 1800, "every": 300}


def test_values_use_only_the_chart_keys_listed(course):
    """Is every key the values set one of the chart's, with a value of the schema's type?"""
    leaves = _leaves(_values(course))
    assert set(leaves) == set(CHART_KEYS)
    for path, value in leaves.items():
        kind = CHART_KEYS[path]
        assert kind == "free" or isinstance(value, kind), (path, value)


def test_each_participant_sees_the_exchange_as_in_the_room(course, tmp_path):
    """Are a participant's mounts the single-machine room's view, with their name filled in?"""
    values = _values(course)
    mounts = values["singleuser"]["storage"]["extraVolumeMounts"]
    room = tmp_path / "room"
    expected = participant_mounts(room, "mini", "ben")
    filled = [
        (m["subPath"].replace("{unescaped_username}", "ben"), m["mountPath"], not m["readOnly"])
        for m in mounts
    ]
    assert filled == [(h.relative_to(room).as_posix(), i, w) for h, i, w in expected]
    assert mounts[0]["mountPath"] == INSIDE_ROOT
    assert {m["name"] for m in mounts} == {"cxkit-exchange"}
    claim = values["singleuser"]["storage"]["extraVolumes"][0]["persistentVolumeClaim"]
    assert claim["claimName"] == k8s.render_exchange_volume()["metadata"]["name"]


def test_participants_folders_are_made_before_their_server_starts(course):
    """Does the init container create every mounted folder and every folder a mount lies on?"""
    single = _values(course)["singleuser"]
    init = single["initContainers"][0]
    assert init["image"] == IMAGE
    assert init["securityContext"] == {"runAsUser": 1000, "runAsGroup": 100}
    made = {Path(p).relative_to("/room").as_posix() for p in init["command"][2:]}
    mounts = single["storage"]["extraVolumeMounts"]
    root = mounts[0]["subPath"]
    lying_on = {root + m["mountPath"][len(INSIDE_ROOT) :] for m in mounts[1:]}
    assert made == {m["subPath"] for m in mounts} | lying_on
    assert "views/{unescaped_username}/mini/outbound" in made


def _run_hook(values: dict, admin: bool) -> SimpleNamespace:
    """Run the hub's extra config as JupyterHub would, then its hook on a spawner."""
    single = values["singleuser"]
    c = Config()
    for code in values["hub"]["extraConfig"].values():
        exec(compile(code, "extraConfig", "exec"), {"c": c})
    spawner = SimpleNamespace(
        user=SimpleNamespace(admin=admin),
        volume_mounts=[{"name": "home", "mountPath": "/home/jovyan"}]
        + single["storage"]["extraVolumeMounts"],
        init_containers=list(single["initContainers"]),
        extra_labels={"hub.jupyter.org/network-access-hub": "true"},
    )
    c.KubeSpawner.pre_spawn_hook(spawner)
    return spawner


def test_a_facilitator_sees_the_whole_room_and_may_reach_grading(course):
    """Does the hub's hook give an admin the whole volume and the grading label, and no view?"""
    spawner = _run_hook(_values(course), admin=True)
    assert spawner.volume_mounts == [
        {"name": "home", "mountPath": "/home/jovyan"},
        {"name": "cxkit-exchange", "mountPath": k8s.ROOM_MOUNT},
    ]
    assert spawner.init_containers == []
    assert spawner.extra_labels == {
        "hub.jupyter.org/network-access-hub": "true",
        **FACILITATOR_LABEL,
    }
    policy = k8s.render_grading_network()[0]
    assert policy["spec"]["podSelector"]["matchLabels"].items() >= FACILITATOR_LABEL.items()


def test_a_participant_keeps_only_their_view(course):
    """Does the hook leave a participant's server as the values made it?"""
    values = _values(course)
    spawner = _run_hook(values, admin=False)
    assert spawner.volume_mounts[1:] == values["singleuser"]["storage"]["extraVolumeMounts"]
    assert all(m.get("subPath") for m in spawner.volume_mounts[1:])
    assert [i["name"] for i in spawner.init_containers] == ["cxkit-exchange-view"]
    assert "cxkit-role" not in spawner.extra_labels


# --- grading on Dask ---------------------------------------------------------------------


def test_grading_runs_the_same_image_one_submission_per_worker():
    """Does the Dask chart get the course's image, one thread and the memory per worker?"""
    values = k8s.render_grading_values(k8s.split_image(IMAGE), workers=6, memory=3072)
    assert values["fullnameOverride"] == GRADING == "cxkit-grading"
    expected = {"repository": "registry.example.org/cx/cxkit", "tag": "0.1.0"}
    assert values["scheduler"]["image"] == expected
    assert values["worker"]["image"] == expected
    assert values["worker"]["replicas"] == 6
    assert values["worker"]["threads_per_worker"] == 1
    assert values["worker"]["resources"]["limits"] == {"cpu": 1, "memory": "3072M"}
    assert values["jupyter"] == {"enabled": False}


def test_grading_pods_reach_only_each_other_and_dns():
    """Do the grading pods accept only each other and facilitators, and call only each other?"""
    _, isolated = k8s.render_grading_network()
    dask = {"matchLabels": {"app": "dask", "release": GRADING}}
    assert isolated["spec"]["podSelector"] == dask
    assert isolated["spec"]["policyTypes"] == ["Ingress", "Egress"]
    senders = [
        rule["podSelector"]["matchLabels"] for rule in isolated["spec"]["ingress"][0]["from"]
    ]
    assert senders == [dask["matchLabels"], {"component": "singleuser-server", **FACILITATOR_LABEL}]
    egress = isolated["spec"]["egress"]
    assert egress[0] == {"to": [{"podSelector": dask}]}
    assert {p["port"] for p in egress[1]["ports"]} == {53}


# --- the files ---------------------------------------------------------------------------


def test_files_are_yaml_that_reads_back_the_same(course, tmp_path):
    """Does each written file parse back to exactly what was rendered, naming no local path?"""
    options = k8s.Options(IMAGE, URL, ["lee@example.org"], storage_class="nfs-client")
    out = tmp_path / "k8s"
    written = k8s.write(course, out, options)
    assert [p.name for p in written] == [
        "values.yaml",
        "exchange-volume.yaml",
        "grading-values.yaml",
        "grading-network.yaml",
    ]
    assert yaml.safe_load((out / "values.yaml").read_text()) == k8s.render_values(
        course, IMAGE, URL, ["lee@example.org"]
    )
    volume = yaml.safe_load((out / "exchange-volume.yaml").read_text())
    assert volume == k8s.render_exchange_volume(10, "nfs-client")
    assert volume["spec"]["accessModes"] == ["ReadWriteMany"]
    grading = yaml.safe_load((out / "grading-values.yaml").read_text())
    assert grading == k8s.render_grading_values(k8s.split_image(IMAGE))
    policies = list(yaml.safe_load_all((out / "grading-network.yaml").read_text()))
    assert policies == k8s.render_grading_network()
    for path in written:
        text = path.read_text()
        assert str(tmp_path) not in text and "&id" not in text
        assert text.startswith("# Rendered by `cxkit room kubernetes` for the course mini")
    assert "cxkit-facilitator-view: |\n" in (out / "values.yaml").read_text()


def test_command_writes_the_files(course, tmp_path, capsys):
    """Does `cxkit room kubernetes` write the four files and say what to run next?"""
    parser = argparse.ArgumentParser(prog="cxkit room")
    k8s.add_kubernetes_command(parser.add_subparsers(dest="step"))
    out = tmp_path / "k8s"
    line = f"kubernetes --course {course.root} --out {out} --image {IMAGE} --url {URL}"
    line += " --facilitator lee@example.org --memory 1536 --grading-workers 8"
    args = parser.parse_args(line.split())
    assert args.func(args) == 0
    said = capsys.readouterr().out
    assert "tcp://cxkit-grading-scheduler:8786" in said
    assert "helm upgrade --install cxkit-grading dask/dask" in said
    values = yaml.safe_load((out / "values.yaml").read_text())
    assert values["singleuser"]["memory"]["limit"] == "1536M"
    assert yaml.safe_load((out / "grading-values.yaml").read_text())["worker"]["replicas"] == 8


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roster", "words"),
    [
        ("ana,Ana,ana@example.com,it\nben,Ben,,it\n", "ben has no e-mail"),
        ("ana,Ana,ana@example.com,it\nana,Ana B,ab@example.com,it\n", "ana appears more than once"),
        ("ana,Ana,ana@example.com,it\nben,Ben,ANA@example.com,it\n", "ana@example.com belongs"),
        ("Ana,Ana,ana@example.com,it\n", "the id Ana has capital letters"),
        ("", "is empty"),
    ],
)
def test_a_roster_nobody_could_log_in_from_is_refused(own_course, tmp_path, roster, words):
    """Is a roster with a missing e-mail, a repeated id or e-mail, or capitals refused?"""
    _stored_roster(own_course, "id,name,email,department\n" + roster)
    out = tmp_path / "k8s"
    with pytest.raises(CxkitError, match=re.escape(words)) as error:
        k8s.write(own_course, out, k8s.Options(IMAGE, URL, ["lee@example.org"]))
    assert "cxkit roster import" in str(error.value)
    assert not out.exists()  # nothing half written


@pytest.mark.parametrize(
    ("image", "words"),
    [
        ("registry.example.org/cxkit", "has no tag"),
        ("registry.example.org:5000/cxkit", "has no tag"),
        ("cxkit:latest", '"latest" changes'),
    ],
)
def test_an_image_without_a_fixed_tag_is_refused(course, image, words):
    """Is an image without a tag, or tagged latest, refused with an example of a good one?"""
    with pytest.raises(CxkitError, match=re.escape(words)) as error:
        k8s.render_values(course, image, URL, ["lee@example.org"])
    assert "cxkit:0.1.0" in str(error.value)


def test_a_tagged_image_behind_a_registry_port_is_read():
    """Is the tag the part after the last colon, a registry's port staying in the name?"""
    assert k8s.split_image("registry.example.org:5000/cx/cxkit:0.1.0") == (
        "registry.example.org:5000/cx/cxkit",
        "0.1.0",
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"url": "http://cx.example.org"}, "must be the hub's public address, https"),
        ({"url": "https://cx.example.org/hub"}, "https and a host name only"),
        ({"facilitators": []}, "Name at least one facilitator"),
        ({"facilitators": ["lee"]}, "is not an e-mail address"),
        ({"facilitators": ["ben@other.org"]}, "'ben' is a participant with another e-mail"),
        ({"resources": k8s.Resources(memory=512, memory_guarantee=1024)}, "at most --memory"),
        ({"resources": k8s.Resources(cpus=0.5, cpu_guarantee=1.0)}, "at most --cpus 0.5"),
        ({"resources": k8s.Resources(cull_after=1)}, "give at least 5"),
    ],
)
def test_bad_options_are_refused(course, change, words):
    """Is each option that cannot work refused, naming it and what to give?"""
    given = {"image": IMAGE, "url": URL, "facilitators": ["lee@example.org"]} | change
    with pytest.raises(CxkitError, match=re.escape(words)):
        k8s.render_values(course, **given)


def test_bad_grading_and_volume_sizes_are_refused():
    """Are no workers, too little memory and an empty volume refused?"""
    with pytest.raises(CxkitError, match="at least 1 worker"):
        k8s.render_grading_values(("cxkit", "1"), workers=0)
    with pytest.raises(CxkitError, match="512 MB each"):
        k8s.render_grading_values(("cxkit", "1"), memory=100)
    with pytest.raises(CxkitError, match="at least 1 GB"):
        k8s.render_exchange_volume(0)


# --- the image ---------------------------------------------------------------------------


def _dockerfile() -> str:
    return DOCKERFILE.read_text()


def _heredocs() -> dict[str, str]:
    """The files the Dockerfile writes inline (COPY <<'EOF' path ... EOF), by path."""
    found = re.findall(r"^COPY [^\n]*<<'EOF' (\S+)\n(.*?)^EOF$", _dockerfile(), re.M | re.S)
    return dict(found)


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _environment_yml() -> set[str]:
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    return {_name(d) for d in deps if isinstance(d, str)} - {"python", "pip"}


def test_image_installs_what_pyproject_and_environment_declare():
    """Does the image install cxkit's dependencies and extras, every package environment.yml
    lists but the test tools and the proxy (the chart runs its own)?"""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    install = re.search(r'pip install --no-cache-dir "\$\{wheel\}\[([a-z,]+)\]"', _dockerfile())
    assert install, "the image installs the cxkit wheel with its extras"
    extras = install[1].split(",")
    assert extras == ["room", "scale"]
    optional = project["optional-dependencies"]
    image = {_name(r) for r in project["dependencies"]}
    image |= {_name(r) for extra in extras for r in optional[extra]}
    test_only = {_name(r) for r in optional["test"]} - image
    assert _environment_yml() - image == test_only | {"configurable-http-proxy"}
    assert {"jupyterhub", "distributed", "nbgrader", "ipykernel"} <= image
    hub_pin = re.search(r'^ARG JUPYTERHUB="(.+)"$', _dockerfile(), re.M)
    assert hub_pin and hub_pin[1] in optional["room"]


def test_image_builds_the_wheel_from_every_shipped_file():
    """Does the wheel stage copy the package, its metadata and every folder the wheel's data
    files come from (what tests/test_install.py builds the wheel from)?"""
    copied = set()
    for line in re.findall(r"^COPY (?!--from)(?!<<)(?!--chmod)(.+)$", _dockerfile(), re.M):
        copied |= {p.rstrip("/") for p in line.split()[:-1]}
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = {Path(p).parts[0] for ps in setuptools["data-files"].values() for p in ps}
    assert shipped >= set(resources.WHAT)
    assert copied == shipped | {"cxkit", "pyproject.toml", "README.md"}
    assert re.search(r"^FROM python:3\.11-slim-bookworm AS wheel$", _dockerfile(), re.M)


def test_image_follows_the_charts_conventions():
    """Is the server run by jovyan (uid 1000, group 100), whose submissions nbgrader names
    after the hub account, as jupyterhub-singleuser under tini?"""
    text = _dockerfile()
    assert re.search(r"^ARG NB_UID=1000$", text, re.M) and re.search(
        r"^ARG NB_GID=100$", text, re.M
    )
    assert "--create-home --shell /bin/bash jovyan" in text
    assert text.rstrip().endswith('ENTRYPOINT ["tini", "--"]\nCMD ["jupyterhub-singleuser"]')
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.13"  # the base image's 3.11 is inside


def test_image_points_nbgrader_at_the_participants_exchange(monkeypatch, tmp_path):
    """Does the image's nbgrader config, read by traitlets, give the exchange root the values
    mount, the course id the values set and the hub account as student id?"""
    config = tmp_path / "nbgrader_config.py"
    config.write_text(_heredocs()["/etc/jupyter/nbgrader_config.py"])
    monkeypatch.setenv("CXKIT_COURSE_ID", "mini")
    monkeypatch.setenv("JUPYTERHUB_USER", "ben")
    loaded = PyFileConfigLoader(config.name, path=str(tmp_path)).load_config()
    assert loaded.Exchange.root == INSIDE_ROOT
    assert loaded.CourseDirectory.course_id == "mini"
    assert loaded.CourseDirectory.student_id == "ben"


def test_image_runs_the_charts_dask_commands():
    """Do dask-scheduler and dask-worker, which the Dask chart runs, call Dask's own CLI?"""
    from importlib.metadata import entry_points

    files = _heredocs()
    commands = {e.name for e in entry_points(group="dask_cli")}
    for step in ("scheduler", "worker"):
        assert files[f"/usr/local/bin/dask-{step}"] == f'#!/bin/sh\nexec dask {step} "$@"\n'
        assert step in commands


CHECK_SERVER = """
import json, sys
from jupyter_server.serverapp import ServerApp
from jupyterlab_server.config import get_page_config
from jupyter_core.paths import jupyter_path
app = ServerApp()
root = f"--ServerApp.root_dir={sys.argv[1]}"
app.initialize(argv=["--port=0", "--ServerApp.open_browser=False", root])
enabled = sorted(n for n, e in app.extension_manager.extensions.items() if e.enabled)
page = get_page_config(jupyter_path("labextensions"))
print(json.dumps({
    "enabled": [n for n in enabled if n.startswith("nbgrader")],
    "kernels": sorted(app.kernel_spec_manager.get_all_specs()),
    "disabled": sorted(page["disabledExtensions"]),  # a list of names, once resolved
}))
"""


@pytest.mark.slow
def test_image_config_hides_the_facilitators_tools(tmp_path):
    """Run through jupyter_server and JupyterLab, do the image's config files switch off
    formgrader, course list and Create Assignment (beating nbgrader's own config beside
    them), keep Assignments and Validate, and offer only the kit's kernel?"""
    files = _heredocs()
    config = tmp_path / "etc-jupyter"  # stands for the image's /usr/local/etc/jupyter
    prefix = "/usr/local/etc/jupyter/"
    for path, text in files.items():
        if path.startswith(prefix):
            (config / path[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)
            (config / path[len(prefix) :]).write_text(text)
    nbgrader_own = Path(sys.prefix, "etc/jupyter/jupyter_server_config.d/nbgrader.json")
    (config / "jupyter_server_config.d").mkdir()
    (config / "jupyter_server_config.d/nbgrader.json").write_text(nbgrader_own.read_text())
    env = {"JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(tmp_path / "run")}
    run = subprocess.run(
        [sys.executable, "-c", CHECK_SERVER, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**_base_env(), **env},
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["enabled"] == [
        "nbgrader.server_extensions.assignment_list",
        "nbgrader.server_extensions.validate_assignment",
    ]
    assert seen["kernels"] == ["cxkit"]
    hidden = sorted(json.loads(files[prefix + "labconfig/page_config.json"])["lockedExtensions"])
    assert seen["disabled"] == hidden
    assert set(hidden) == set(_lab_hidden_plugins())


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}


def _lab_hidden_plugins() -> tuple[str, ...]:
    """The plugins ``cxkit lab`` hides, each one that nbgrader's JupyterLab extension has."""
    from cxkit.participant.lab import HIDDEN_PLUGINS

    bundle = Path(sys.prefix, "share/jupyter/labextensions/@jupyter/nbgrader/static")
    code = "".join(p.read_text(errors="replace") for p in bundle.glob("*.js"))
    assert all(f'"{plugin}"' in code for plugin in HIDDEN_PLUGINS)
    return HIDDEN_PLUGINS


def test_image_offers_the_notebooks_kernel():
    """Is the one kernel the image allows the one the workshops' notebooks ask for?"""
    allowed = json.loads(_heredocs()["/usr/local/etc/jupyter/jupyter_server_config.json"])
    assert allowed["KernelSpecManager"]["allowed_kernelspecs"] == ["cxkit"]
    notebook = next((ROOT / "release").glob("00-*/*.ipynb"))
    assert json.loads(notebook.read_text())["metadata"]["kernelspec"]["name"] == "cxkit"
    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "share/jupyter/kernels/cxkit" in data_files["data-files"]


def test_image_definition_travels_in_the_wheel():
    """Is every file of cxkit/room/kubernetes/ listed in the package data, so an installed
    cxkit has the Dockerfile too?"""
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = package_data["package-data"]["cxkit"]
    package = Path(cxkit.__file__).parent
    files = [p.relative_to(package).as_posix() for p in (package / "room/kubernetes").iterdir()]
    missing = [f for f in files if not any(Path(f).match(p) for p in patterns)]
    assert missing == [], 'add "room/kubernetes/*" to [tool.setuptools.package-data] cxkit'


KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: none, user: {token: none}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
"""


def _pod(values: dict, name: str, admin: bool) -> object:
    """The pod KubeSpawner builds for one account from the values, as the chart passes them."""
    import asyncio

    from kubespawner.spawner import KubeSpawner, MockObject

    single = values["singleuser"]
    config = Config()
    home = {"name": "home", "persistentVolumeClaim": {"claimName": "{pvc_name}"}}
    config.KubeSpawner.volumes = [home, *single["storage"]["extraVolumes"]]
    home_mount = {"name": "home", "mountPath": "/home/jovyan"}
    config.KubeSpawner.volume_mounts = [home_mount, *single["storage"]["extraVolumeMounts"]]
    config.KubeSpawner.init_containers = single["initContainers"]
    config.KubeSpawner.mem_limit = single["memory"]["limit"]
    for code in values["hub"]["extraConfig"].values():
        exec(compile(code, "extraConfig", "exec"), {"c": config})
    user = MockObject()
    user.name, user.id, user.url, user.admin = name, 1, f"/user/{name}/", admin

    async def build() -> object:  # KubeSpawner makes its API client in a running loop
        spawner = KubeSpawner(_mock=True, user=user, config=config)
        spawner.pre_spawn_hook(spawner)
        return await spawner.get_pod_manifest()

    return asyncio.run(build())


def test_kubespawner_builds_each_participants_own_view(course, tmp_path, monkeypatch):
    """Does KubeSpawner itself fill in the account name as it is (jo.smith, which its
    pod-name slug would change), so that a participant's pod mounts their own view only, and
    a facilitator's pod the whole room folder with the grading label?"""
    import kubespawner  # noqa: F401  (a test dependency: pyproject's test extra)
    from kubernetes_asyncio.config import kube_config

    (tmp_path / "kubeconfig").write_text(KUBECONFIG)  # read, never contacted
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(tmp_path / "kubeconfig"))
    values = _values(course, "lee@example.org")
    jo = _pod(values, "jo.smith", admin=False)
    mounts = [
        (m.mount_path, m.sub_path, bool(m.read_only)) for m in jo.spec.containers[0].volume_mounts
    ]
    assert mounts == [
        ("/home/jovyan", None, False),
        (INSIDE_ROOT, "views/jo.smith", False),
        (f"{INSIDE_ROOT}/mini/outbound", "exchange/mini/outbound", True),
        (f"{INSIDE_ROOT}/mini/inbound", "views/jo.smith/mini/inbound", False),
        (f"{INSIDE_ROOT}/mini/feedback", "returned/jo.smith/mini/feedback", True),
    ]
    assert "/room/views/jo.smith/mini/inbound" in jo.spec.init_containers[0].command
    assert jo.spec.containers[0].resources.limits["memory"] == 2048 * 2**20
    lee = _pod(values, "lee", admin=True)
    mounts = [(m.mount_path, m.sub_path) for m in lee.spec.containers[0].volume_mounts]
    assert mounts == [("/home/jovyan", None), (k8s.ROOM_MOUNT, None)]
    assert not lee.spec.init_containers
    assert lee.metadata.labels["cxkit-role"] == "facilitator"


def test_the_hubs_authenticator_lets_in_the_roster_only(course):
    """Run through the authenticator the chart's hub loads (GenericOAuthenticator, found by
    its entry point name), is every configured key one of its settings, does each roster
    e-mail (in any case) log in as its id, a facilitator as an admin, and nobody else?"""
    import asyncio
    from importlib.metadata import entry_points

    import oauthenticator  # noqa: F401  (a test dependency: pyproject's test extra)

    config = Config(_values(course, "lee@example.org")["hub"]["config"])
    name = config.JupyterHub.authenticator_class
    (found,) = [e for e in entry_points(group="jupyterhub.authenticators") if e.name == name]

    class FromProvider(found.load()):  # the provider answered with this e-mail
        async def authenticate(self, handler, data):
            return {"name": data, "auth_state": {}}

    authenticator = FromProvider(config=config)
    for section in ("Authenticator", "GenericOAuthenticator"):
        assert [key for key in config[section] if not authenticator.has_trait(key)] == []

    def login(email: str) -> dict | None:
        return asyncio.run(authenticator.get_authenticated_user(None, email))

    assert login("ana.adams@example.com")["name"] == "ana"
    assert login("ANA.ADAMS@EXAMPLE.COM")["name"] == "ana"
    assert not login("chen@example.com")["admin"]
    lee = login("lee@example.org")
    assert (lee["name"], lee["admin"]) == ("lee", True)
    assert login("eve@example.com") is None
    assert login("ana@example.org") is None
