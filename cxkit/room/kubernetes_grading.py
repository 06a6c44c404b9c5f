"""Grading on Kubernetes: a Dask cluster beside the hub, running the course's image.

``cxkit grade NN --scheduler tcp://cxkit-grading-scheduler:8786``, run in a
facilitator's server, sends each sanitized submission to this cluster
(:mod:`cxkit.grading.distributed`). The Helm chart "dask" runs it from
``grading-values.yaml``; ``grading-network.yaml`` lets only the facilitators'
servers reach it and keeps its pods, which run participants' code, from
reaching anything but each other and the cluster's DNS.
"""

from __future__ import annotations

from typing import Any

from cxkit.errors import CxkitError

GRADING = "cxkit-grading"  # the Dask release's name and full name: GRADING-scheduler:8786
FACILITATOR_LABEL = {"cxkit-role": "facilitator"}  # on facilitators' servers (the hub's hook)


def render_grading_values(
    image: tuple[str, str], workers: int = 4, memory: int = 2048
) -> dict[str, Any]:
    """The values of the Helm chart "dask": one-thread workers running the course's image.

    Each worker grades one submission at a time, in one CPU and ``memory`` MB.
    """
    if workers < 1 or memory < 512:
        raise CxkitError(
            f"--grading-workers {workers} --grading-memory {memory}: give at least 1 worker "
            "and 512 MB each (a workshop kernel takes a few hundred)."
        )
    name, tag = image
    return {
        "fullnameOverride": GRADING,
        "scheduler": {"image": {"repository": name, "tag": tag}},
        "worker": {
            "image": {"repository": name, "tag": tag},
            "replicas": workers,
            "threads_per_worker": 1,
            "resources": {
                "limits": {"cpu": 1, "memory": f"{memory}M"},
                "requests": {"cpu": 1, "memory": f"{memory}M"},
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
