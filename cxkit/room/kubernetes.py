"""The same course beyond one machine: Zero to JupyterHub (JupyterHub on Kubernetes).

``cxkit room kubernetes --image REGISTRY/cxkit:TAG --url https://cx.example.org
--facilitator ann@example.org --out k8s`` writes, from the course's roster:

``values.yaml``
    values for the Helm chart "jupyterhub": login through the organisation's
    identity provider (OpenID Connect, with JupyterHub's GenericOAuthenticator,
    which the chart's hub image carries), allowed for the roster only, each
    e-mail mapped to its roster id; the facilitators are the hub's admins; the
    image built from ``cxkit/room/kubernetes/Dockerfile``; memory and CPU per
    participant; idle servers culled (their files kept); nbgrader's exchange on
    a shared volume, each participant seeing only their own part of it.
``exchange-volume.yaml``
    the shared volume (ReadWriteMany) that holds the exchange.
``grading-values.yaml``
    values for the Helm chart "dask": a scheduler and workers running the same
    image, for ``cxkit grade NN --scheduler tcp://cxkit-grading-scheduler:8786``.
``grading-network.yaml``
    network policies: only the facilitators' servers reach the Dask cluster,
    and the workers (running participants' code) reach nothing else.

Nothing here can run without a cluster: the files are rendered and checked,
``helm`` applies them.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import yaml

from cxkit.course.directory import Course
from cxkit.course.roster import roster
from cxkit.errors import CxkitError
from cxkit.room.exchange import INSIDE_ROOT, participant_mounts

EXCHANGE_VOLUME = "cxkit-exchange"  # the claim, and the volume's name in the pods
ROOM_MOUNT = "/srv/cxkit/room"  # the whole room folder, in facilitators' servers only
VIEW_INIT = "cxkit-exchange-view"  # the init container that creates a participant's folders
GRADING = "cxkit-grading"  # the Dask release's full name: its scheduler is GRADING-scheduler
FACILITATOR_LABEL = {"cxkit-role": "facilitator"}
USER = "{unescaped_username}"  # KubeSpawner puts the hub account's name here
_IMAGE = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9._/:-]*?):(?P<tag>[A-Za-z0-9_][A-Za-z0-9._-]{0,127})$"
)
_QUANTITY = re.compile(r"^(?P<number>\d+(\.\d+)?)(?P<unit>[KMGT]i?)?$")
_UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_UNITS.update({"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40})
_PLACEHOLDER = "cxkit-participant"  # stands for every participant while the view is laid out

# A facilitator's server: the whole room folder instead of a participant's view,
# and the label the grading network policy lets through. Run by the hub (hub.extraConfig).
FACILITATOR_VIEW = '''\
import json

_cxkit = json.loads({data!r})


def cxkit_facilitator_view(spawner):
    """A facilitator (hub admin) sees the whole room folder and may reach the Dask cluster."""
    if not spawner.user.admin:
        return
    mounts = spawner.volume_mounts
    mounts = list(mounts.values()) if isinstance(mounts, dict) else list(mounts)
    kept = [m for m in mounts if m.get("name") != _cxkit["volume"]]
    spawner.volume_mounts = kept + [_cxkit["mount"]]
    inits = spawner.init_containers
    inits = list(inits.values()) if isinstance(inits, dict) else list(inits)
    spawner.init_containers = [i for i in inits if i.get("name") != _cxkit["init"]]
    spawner.extra_labels = {{**spawner.extra_labels, **_cxkit["labels"]}}


c.KubeSpawner.pre_spawn_hook = cxkit_facilitator_view  # noqa: F821
'''


@dataclass(frozen=True)
class Resources:
    """What each participant's server may use (Kubernetes quantities: "1G", "512Mi", 0.5 CPU)."""

    memory_limit: str = "1G"
    memory_guarantee: str = "512M"
    cpu_limit: float = 1.0
    cpu_guarantee: float = 0.1
    cull_timeout: int = 3600  # seconds idle before a server is stopped (its files stay)

    def check(self) -> None:
        """Raise a CxkitError naming the setting that Kubernetes would refuse."""
        limit = _bytes(self.memory_limit, "--memory-limit")
        if _bytes(self.memory_guarantee, "--memory-guarantee") > limit:
            raise CxkitError(
                f"--memory-guarantee {self.memory_guarantee} is more than --memory-limit "
                f"{self.memory_limit}: a server cannot be promised more than it may use."
            )
        if not 0 < self.cpu_guarantee <= self.cpu_limit:
            raise CxkitError(
                f"--cpu-guarantee {self.cpu_guarantee} must be above 0 and at most "
                f"--cpu-limit {self.cpu_limit}."
            )
        if self.cull_timeout < 300:
            raise CxkitError(
                f"--cull-timeout {self.cull_timeout} s would stop a participant's server "
                "while they read; give at least 300 seconds."
            )


def _bytes(quantity: str, option: str) -> float:
    """A Kubernetes memory quantity in bytes.

    Examples
    --------
    >>> _bytes("512Mi", "--memory-limit")
    536870912.0
    """
    found = _QUANTITY.match(str(quantity))
    if not found:
        raise CxkitError(
            f"{option} {quantity!r} is not a memory size Kubernetes reads: give a number "
            'and a unit, such as "1G", "512M" or "2Gi".'
        )
    return float(found["number"]) * _UNITS[found["unit"] or ""]


def split_image(image: str) -> tuple[str, str]:
    """An image's name and tag; the tag is required, and it may not be "latest".

    Examples
    --------
    >>> split_image("registry.example.org:5000/cx/cxkit:0.1.0")
    ('registry.example.org:5000/cx/cxkit', '0.1.0')
    """
    found = _IMAGE.match(image)
    if not found or "/" in found["tag"]:
        raise CxkitError(
            f"--image {image!r} has no tag. Give the image you pushed with its tag, such as "
            '"registry.example.org/cxkit:0.1.0", so every server and Dask worker runs the '
            "same build."
        )
    if found["tag"] == "latest":
        raise CxkitError(
            f'--image {image!r}: "latest" changes under a running course (servers started '
            "later would get another build). Tag each build, such as cxkit:0.1.0."
        )
    return found["name"], found["tag"]


def _hub_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/"):
        raise CxkitError(
            f"--url {url!r} must be the hub's public address, https and a host name only, "
            "such as https://cx.example.org (the identity provider sends people back there)."
        )
    return f"https://{parts.netloc}"


def checked_roster(frame: pd.DataFrame) -> pd.DataFrame:
    """The roster, refused when a participant could not log in as their roster id.

    Every participant needs a unique e-mail (the identity provider's name for
    them) and a lower-case id (JupyterHub lower-cases account names, and the
    account name is the id their submissions carry).
    """
    if frame.empty:
        raise CxkitError(
            "The course has no roster: import one first with `cxkit roster import roster.csv`."
        )
    problems = []
    missing = frame.loc[frame["email"].str.strip() == "", "id"].tolist()
    if missing:
        problems.append(f"no e-mail for {', '.join(missing)} (they log in with it)")
    for column, what in (("id", "id"), ("email", "e-mail")):
        values = frame[column].str.lower()
        twice = sorted(set(values[values.duplicated() & (values != "")]))
        if twice:
            problems.append(f"the {what} {', '.join(twice)} appears more than once")
    upper = frame.loc[frame["id"] != frame["id"].str.lower(), "id"].tolist()
    if upper:
        problems.append(
            f"the id {', '.join(upper)} has capital letters (JupyterHub would name the "
            "account in lower case and the submissions would not match the roster)"
        )
    if problems:
        raise CxkitError(
            f"The roster cannot be used for the hub: {'; '.join(problems)}. Fix the roster "
            "file and import it again with `cxkit roster import roster.csv`."
        )
    return frame


def facilitator_accounts(emails: list[str], frame: pd.DataFrame) -> dict[str, str]:
    """Each facilitator's e-mail and account: their roster id, or the e-mail's name part.

    Examples
    --------
    >>> people = pd.DataFrame({"id": ["ana"], "email": ["ana@example.org"]})
    >>> facilitator_accounts(["Ana@example.org", "lee.fox@example.org"], people)
    {'ana@example.org': 'ana', 'lee.fox@example.org': 'lee.fox'}
    """
    if not emails:
        raise CxkitError(
            "Name at least one facilitator with --facilitator EMAIL: the hub's admins release, "
            "collect and grade."
        )
    by_email = dict(zip(frame["email"].str.lower(), frame["id"], strict=True))
    ids = set(frame["id"])
    accounts = {}
    for given in emails:
        email = given.strip().lower()
        name = email.partition("@")[0]
        if "@" not in email or not re.match(r"^[a-z0-9][a-z0-9._-]*$", name):
            raise CxkitError(
                f"--facilitator {given!r} is not an e-mail address a hub account can be named "
                "from (letters, digits, '.', '_' or '-' before the @)."
            )
        if email not in by_email and name in ids:
            raise CxkitError(
                f"--facilitator {given}: the account {name!r} is a participant with another "
                "e-mail on the roster. Give the facilitator's own e-mail address."
            )
        accounts[email] = by_email.get(email, name)
    return accounts


def exchange_view(course_id: str) -> list[dict[str, Any]]:
    """A participant's view of the exchange as volume mounts of the shared volume.

    The same view as the single-machine room's sandbox
    (:func:`cxkit.room.exchange.participant_mounts`), each folder of the room
    being a ``subPath`` of the volume and the participant's name filled in by
    KubeSpawner.
    """
    with tempfile.TemporaryDirectory() as scratch:
        room = Path(scratch)
        mounts = participant_mounts(room, course_id, _PLACEHOLDER)
        return [
            {
                "name": EXCHANGE_VOLUME,
                "mountPath": inside,
                "subPath": host.relative_to(room).as_posix().replace(_PLACEHOLDER, USER),
                "readOnly": not writable,
            }
            for host, inside, writable in mounts
        ]


def _view_init(image: tuple[str, str], view: list[dict[str, Any]]) -> dict[str, Any]:
    """An init container creating a participant's folders on the volume, as jovyan.

    It creates each mounted folder and, inside the participant's exchange root,
    the folder each later mount lies on, so that none is left to the container
    runtime (which would create it as root).
    """
    root = next(m for m in view if m["mountPath"] == INSIDE_ROOT)
    folders = [m["subPath"] for m in view]
    folders += [root["subPath"] + m["mountPath"][len(INSIDE_ROOT) :] for m in view if m is not root]
    return {
        "name": VIEW_INIT,
        "image": ":".join(image),
        "command": ["mkdir", "-p", *(f"/room/{f}" for f in dict.fromkeys(folders))],
        "securityContext": {"runAsUser": 1000, "runAsGroup": 100},
        "volumeMounts": [{"name": EXCHANGE_VOLUME, "mountPath": "/room"}],
    }


def render_values(
    course: Course,
    image: str,
    url: str,
    facilitators: list[str],
    resources: Resources | None = None,
) -> dict[str, Any]:
    """The values of the Helm chart "jupyterhub" for this course and its roster.

    Raises
    ------
    CxkitError
        For a roster a participant could not log in from, an image without a
        tag, an address that is not https, or limits Kubernetes would refuse.
    """
    resources = resources or Resources()
    resources.check()
    name, tag = split_image(image)
    hub = _hub_url(url)
    people = checked_roster(roster(course))
    admins = facilitator_accounts(facilitators, people)
    accounts = {e.lower(): i for e, i in zip(people["email"], people["id"], strict=True)}
    accounts.update(admins)
    view = exchange_view(course.course_id)
    whole = {"name": EXCHANGE_VOLUME, "mountPath": ROOM_MOUNT}
    hook = {"volume": EXCHANGE_VOLUME, "mount": whole, "init": VIEW_INIT}
    hook["labels"] = FACILITATOR_LABEL
    return {
        "hub": {
            "config": {
                "JupyterHub": {"authenticator_class": "generic-oauth"},
                "Authenticator": {
                    "allowed_users": sorted(set(accounts.values())),
                    "admin_users": sorted(set(admins.values())),
                    "username_map": dict(sorted(accounts.items())),
                },
                "GenericOAuthenticator": {
                    "oauth_callback_url": f"{hub}/hub/oauth_callback",
                    "username_claim": "email",
                    "scope": ["openid", "email", "profile"],
                },
            },
            "extraConfig": {"cxkit-facilitator-view": _hook(hook)},
        },
        "singleuser": {
            "image": {"name": name, "tag": tag},
            "defaultUrl": "/lab",
            "memory": {
                "limit": resources.memory_limit,
                "guarantee": resources.memory_guarantee,
            },
            "cpu": {"limit": resources.cpu_limit, "guarantee": resources.cpu_guarantee},
            "extraEnv": {"CXKIT_COURSE_ID": course.course_id},
            "initContainers": [_view_init((name, tag), view)],
            "storage": {
                "extraVolumes": [
                    {
                        "name": EXCHANGE_VOLUME,
                        "persistentVolumeClaim": {"claimName": EXCHANGE_VOLUME},
                    }
                ],
                "extraVolumeMounts": view,
            },
        },
        "cull": {"enabled": True, "users": False, "timeout": resources.cull_timeout, "every": 300},
    }


def _hook(data: dict[str, Any]) -> str:
    return FACILITATOR_VIEW.format(data=json.dumps(data, sort_keys=True))


def render_exchange_volume(size: str = "10Gi", storage_class: str | None = None) -> dict[str, Any]:
    """The claim for the shared exchange volume (its storage class must offer ReadWriteMany)."""
    _bytes(size, "--exchange-size")
    spec: dict[str, Any] = {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": size}},
    }
    if storage_class:
        spec["storageClassName"] = storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": EXCHANGE_VOLUME},
        "spec": spec,
    }


def render_grading_values(image: str, workers: int = 4, memory: str = "2G") -> dict[str, Any]:
    """The values of the Helm chart "dask": one-thread workers running the course's image."""
    if workers < 1:
        raise CxkitError(f"--grading-workers {workers}: give at least 1 Dask worker.")
    _bytes(memory, "--grading-memory")
    name, tag = split_image(image)
    return {
        "fullnameOverride": GRADING,
        "scheduler": {"image": {"repository": name, "tag": tag}},
        "worker": {
            "image": {"repository": name, "tag": tag},
            "replicas": workers,
            "threads_per_worker": 1,
            "resources": {
                "limits": {"cpu": 1, "memory": memory},
                "requests": {"cpu": 1, "memory": memory},
            },
        },
        "jupyter": {"enabled": False},
    }


def render_grading_network() -> list[dict[str, Any]]:
    """Network policies for grading: facilitators reach Dask; Dask's pods reach only each other."""
    dask = {"matchLabels": {"app": "dask", "release": GRADING}}
    facilitators = {"matchLabels": {"component": "singleuser-server", **FACILITATOR_LABEL}}
    dns = {
        "to": [{"namespaceSelector": {}}],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }
    return [
        _policy(
            "cxkit-facilitators-reach-grading",
            facilitators,
            {"egress": [{"to": [{"podSelector": dask}]}]},
        ),
        _policy(
            "cxkit-grading-isolated",
            dask,
            {
                "ingress": [{"from": [{"podSelector": dask}, {"podSelector": facilitators}]}],
                "egress": [{"to": [{"podSelector": dask}]}, dns],
            },
        ),
    ]


def _policy(name: str, pods: dict[str, Any], rules: dict[str, Any]) -> dict[str, Any]:
    kinds = [k for k in ("Ingress", "Egress") if k.lower() in rules]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name},
        "spec": {"podSelector": pods, "policyTypes": kinds, **rules},
    }


class _Dumper(yaml.SafeDumper):
    """YAML for people: code as a literal block, no anchors (every mapping written out)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)

HEADER = (
    "# Rendered by `cxkit room kubernetes` for the course {course_id}; render it again after\n"
    "# the roster changes, then run the same helm or kubectl command again.\n"
)


def write(
    course: Course,
    out: Path,
    image: str,
    url: str,
    facilitators: list[str],
    resources: Resources | None = None,
    *,
    workers: int = 4,
    storage_class: str | None = None,
) -> list[Path]:
    """Render every file into ``out``; nothing is written unless all of them render."""
    documents = {
        "values.yaml": [render_values(course, image, url, facilitators, resources)],
        "exchange-volume.yaml": [render_exchange_volume(storage_class=storage_class)],
        "grading-values.yaml": [render_grading_values(image, workers)],
        "grading-network.yaml": render_grading_network(),
    }
    out.mkdir(parents=True, exist_ok=True)
    header = HEADER.format(course_id=course.course_id)
    written = []
    for filename, docs in documents.items():
        text = yaml.dump_all(docs, Dumper=_Dumper, sort_keys=False, width=100)
        (out / filename).write_text(header + text, encoding="utf-8")
        written.append(out / filename)
    return written


def _run(args: argparse.Namespace) -> int:
    from cxkit.course.directory import default_root

    course = Course(args.course_dir or default_root(), args.db_url)
    resources = Resources(
        args.memory_limit,
        args.memory_guarantee,
        args.cpu_limit,
        args.cpu_guarantee,
        args.cull_timeout,
    )
    written = write(
        course,
        args.out,
        args.image,
        args.url,
        args.facilitator,
        resources,
        workers=args.grading_workers,
        storage_class=args.storage_class,
    )
    print(f"Wrote {', '.join(p.name for p in written)} to {args.out}.")
    print(
        "Next: kubectl apply -f exchange-volume.yaml -f grading-network.yaml; "
        "helm upgrade --install cxkit jupyterhub/jupyterhub -f values.yaml -f oauth.yaml; "
        "helm upgrade --install cxkit-grading dask/dask -f grading-values.yaml "
        "(see the README, 'Beyond one machine')."
    )
    return 0


def add_kubernetes_command(room_commands: argparse._SubParsersAction) -> None:
    """Add ``kubernetes`` to the ``cxkit room`` group."""
    default = Resources()
    cmd = room_commands.add_parser(
        "kubernetes",
        help="write Helm values to run this course on Zero to JupyterHub (Kubernetes)",
    )
    cmd.add_argument("--out", type=Path, required=True, help="folder for the rendered files")
    cmd.add_argument(
        "--image", required=True, help="the pushed image with its tag, e.g. registry/cxkit:0.1.0"
    )
    cmd.add_argument("--url", required=True, help="the hub's public https address")
    cmd.add_argument(
        "--facilitator",
        action="append",
        default=[],
        metavar="EMAIL",
        help="a facilitator's e-mail (repeat for each): the hub's admins",
    )
    cmd.add_argument("--memory-limit", default=default.memory_limit)
    cmd.add_argument("--memory-guarantee", default=default.memory_guarantee)
    cmd.add_argument("--cpu-limit", type=float, default=default.cpu_limit)
    cmd.add_argument("--cpu-guarantee", type=float, default=default.cpu_guarantee)
    cmd.add_argument(
        "--cull-timeout",
        type=int,
        default=default.cull_timeout,
        help="seconds idle before a server is stopped; its files stay",
    )
    cmd.add_argument("--grading-workers", type=int, default=4, help="Dask workers (one CPU each)")
    cmd.add_argument("--storage-class", help="a storage class offering ReadWriteMany (NFS ...)")
    cmd.add_argument("--course-dir", type=Path, help="the course folder (default: here)")
    cmd.add_argument("--db-url", help="the gradebook's SQLAlchemy URL (default: SQLite)")
    cmd.set_defaults(func=_run)
