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
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from cxkit.course.directory import Course
from cxkit.errors import CxkitError
from cxkit.room.exchange import INSIDE_ROOT, participant_mounts
from cxkit.room.kubernetes_grading import (
    FACILITATOR_LABEL,
    GRADING,
    render_grading_network,
    render_grading_values,
)
from cxkit.room.state import Account, accounts_from_roster

EXCHANGE_VOLUME = "cxkit-exchange"  # the claim, and the volume's name in the pods
ROOM_MOUNT = "/srv/cxkit/room"  # the whole room folder, in facilitators' servers only
VIEW_INIT = "cxkit-exchange-view"  # the init container that creates a participant's folders
USER = "{unescaped_username}"  # KubeSpawner puts the hub account's name here
# an image: a name (registry, port, path) and a tag after its last ":" (the tag holds no "/")
_IMAGE = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9._/:-]*?):(?P<tag>[A-Za-z0-9_][A-Za-z0-9._-]{0,127})$"
)
_ACCOUNT = re.compile(r"^[a-z0-9][a-z0-9._-]*$")  # a hub account named from an e-mail
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
    """What each participant's server may use, in the units of ``cxkit room start``."""

    memory: int = 2048  # MB the server may use (its limit)
    memory_guarantee: int = 512  # MB the cluster keeps free for it (its request)
    cpus: float = 1.0
    cpu_guarantee: float = 0.1
    cull_after: int = 60  # minutes idle before a server is stopped (its files stay)

    def check(self) -> None:
        """Raise a CxkitError naming the setting that cannot work."""
        if not 0 < self.memory_guarantee <= self.memory:
            raise CxkitError(
                f"--memory-guarantee {self.memory_guarantee} MB must be above 0 and at most "
                f"--memory {self.memory} MB: a server cannot be promised more than it may use."
            )
        if not 0 < self.cpu_guarantee <= self.cpus:
            raise CxkitError(
                f"--cpu-guarantee {self.cpu_guarantee} must be above 0 and at most "
                f"--cpus {self.cpus}."
            )
        if self.cull_after < 5:
            raise CxkitError(
                f"--cull-after {self.cull_after} minutes would stop a participant's server "
                "while they read; give at least 5."
            )


@dataclass(frozen=True)
class Options:
    """Everything ``cxkit room kubernetes`` is told besides the course."""

    image: str
    url: str
    facilitators: list[str]
    resources: Resources = Resources()
    grading_workers: int = 4
    grading_memory: int = 2048
    exchange_gb: int = 10
    storage_class: str | None = None


def split_image(image: str) -> tuple[str, str]:
    """An image's name and tag; the tag is required, and it may not be "latest".

    Examples
    --------
    >>> split_image("registry.example.org:5000/cx/cxkit:0.1.0")
    ('registry.example.org:5000/cx/cxkit', '0.1.0')
    """
    found = _IMAGE.match(image)
    if not found:
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


def participants(course: Course) -> list[Account]:
    """The roster's participants, refused when one could not log in as their roster id.

    Beyond what the single-machine room refuses (no roster, an id twice, no
    e-mail), each e-mail must be unique (the identity provider names people by
    it) and each id lower-case (JupyterHub lower-cases account names, and the
    account name is the id a submission carries).
    """
    people = list(accounts_from_roster(course, []).values())
    problems = []
    emails = [p.email.strip().lower() for p in people]
    twice = sorted({e for e in emails if emails.count(e) > 1})
    if twice:
        problems.append(f"the e-mail {', '.join(twice)} belongs to more than one participant")
    upper = [p.id for p in people if p.id != p.id.lower()]
    if upper:
        problems.append(
            f"the id {', '.join(upper)} has capital letters (JupyterHub names the account in "
            "lower case, and the submissions would not match the roster)"
        )
    if problems:
        raise CxkitError(
            f"The roster cannot be used for the hub: {'; '.join(problems)}. Fix the roster "
            "file and import it again (cxkit roster import roster.csv)."
        )
    return people


def facilitator_accounts(emails: list[str], people: list[Account]) -> dict[str, str]:
    """Each facilitator's e-mail and account: their roster id, or the e-mail's name part.

    Examples
    --------
    >>> ana = Account("ana", "Ana Adams", "ana@example.org", "it")
    >>> facilitator_accounts(["Ana@example.org", "lee.fox@example.org"], [ana])
    {'ana@example.org': 'ana', 'lee.fox@example.org': 'lee.fox'}
    """
    if not emails:
        raise CxkitError(
            "Name at least one facilitator with --facilitator EMAIL: the hub's admins release, "
            "collect and grade."
        )
    by_email = {p.email.strip().lower(): p.id for p in people}
    ids = {p.id for p in people}
    accounts = {}
    for given in emails:
        email = given.strip().lower()
        name = email.partition("@")[0]
        if "@" not in email or not _ACCOUNT.match(name):
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
    people = participants(course)
    admins = facilitator_accounts(facilitators, people)
    accounts = {p.email.strip().lower(): p.id for p in people}
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
                "limit": f"{resources.memory}M",
                "guarantee": f"{resources.memory_guarantee}M",
            },
            "cpu": {"limit": resources.cpus, "guarantee": resources.cpu_guarantee},
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
        "cull": {
            "enabled": True,
            "users": False,
            "timeout": 60 * resources.cull_after,
            "every": 300,
        },
    }


def _hook(data: dict[str, Any]) -> str:
    return FACILITATOR_VIEW.format(data=json.dumps(data, sort_keys=True))


def render_exchange_volume(gigabytes: int = 10, storage_class: str | None = None) -> dict[str, Any]:
    """The claim for the shared exchange volume (its storage class must offer ReadWriteMany)."""
    if gigabytes < 1:
        raise CxkitError(f"--exchange-gb {gigabytes}: the exchange needs at least 1 GB.")
    spec: dict[str, Any] = {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": f"{gigabytes}G"}},
    }
    if storage_class:
        spec["storageClassName"] = storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": EXCHANGE_VOLUME},
        "spec": spec,
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


def write(course: Course, out: Path, options: Options) -> list[Path]:
    """Render every file into ``out``; nothing is written unless all of them render."""
    documents = {
        "values.yaml": [
            render_values(
                course, options.image, options.url, options.facilitators, options.resources
            )
        ],
        "exchange-volume.yaml": [
            render_exchange_volume(options.exchange_gb, options.storage_class)
        ],
        "grading-values.yaml": [
            render_grading_values(
                split_image(options.image), options.grading_workers, options.grading_memory
            )
        ],
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


NEXT = """Next, where kubectl and helm reach the cluster (the README, "Beyond one machine"):
  kubectl apply -f {out}/exchange-volume.yaml -f {out}/grading-network.yaml
  helm upgrade --install cxkit jupyterhub/jupyterhub -f {out}/values.yaml -f oauth.yaml
  helm upgrade --install {grading} dask/dask -f {out}/grading-values.yaml
Grade from a facilitator's server: cxkit grade NN --scheduler tcp://{grading}-scheduler:8786"""


HELP = {  # the numbers a facilitator may change, with their units
    "memory": "MB of memory per participant",
    "memory_guarantee": "MB kept free for each participant",
    "cpus": "CPUs per participant",
    "cpu_guarantee": "CPU kept free for each participant",
    "cull_after": "minutes idle before a server stops (its files stay)",
    "grading_workers": "Dask workers, each grading one submission at a time",
    "grading_memory": "MB of memory per Dask worker",
    "exchange_gb": "GB of the exchange volume",
}


def _run(args: argparse.Namespace) -> int:
    from cxkit.course.directory import default_root

    course = Course(args.course or default_root())
    numbers = {name: getattr(args, name) for name in HELP}
    resources = Resources(**{f.name: numbers.pop(f.name) for f in fields(Resources)})
    options = Options(
        args.image,
        args.url,
        args.facilitator or [],
        resources,
        **numbers,
        storage_class=args.storage_class,
    )
    written = write(course, args.out, options)
    print(f"Wrote {', '.join(p.name for p in written)} in {args.out}.")
    print(NEXT.format(out=args.out, grading=GRADING))
    return 0


def add_kubernetes_command(room_commands: argparse._SubParsersAction) -> None:
    """Add ``kubernetes`` to the ``cxkit room`` group (``room_commands``: its sub-parsers)."""
    cmd = room_commands.add_parser(
        "kubernetes", help="write the Helm values that run this course on Zero to JupyterHub"
    )
    cmd.add_argument("--out", type=Path, required=True, help="the folder for the files")
    cmd.add_argument(
        "--image", required=True, help="the image you pushed, with its tag: registry/cxkit:0.1.0"
    )
    cmd.add_argument("--url", required=True, help="the hub's public https address")
    cmd.add_argument(
        "--facilitator",
        action="append",
        metavar="EMAIL",
        help="a facilitator's e-mail, an admin of the hub (repeat for several)",
    )
    defaults = {f.name: f.default for f in (*fields(Resources), *fields(Options))}
    for name, text in HELP.items():
        default = defaults[name]
        cmd.add_argument(
            f"--{name.replace('_', '-')}",
            type=type(default),
            default=default,
            help=f"{text} ({default})",
        )
    cmd.add_argument("--storage-class", help="a storage class offering ReadWriteMany (NFS ...)")
    cmd.add_argument(
        "--course", "--course-dir", type=Path, help="the course folder (default: here)"
    )
    cmd.set_defaults(func=_run)
