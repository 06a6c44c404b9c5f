"""The lab's sandbox and limits, read without starting a lab."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxkit.errors import CxkitError
from cxkit.room import sandbox


def _v2(tmp_path: Path, delegated_to_root: bool = True) -> Path:
    """A cgroup version 2 tree as a systemd machine has it: controllers on at the top only."""
    root = tmp_path / "cgroup"
    scope = root / "user.slice" / "session-3.scope"
    scope.mkdir(parents=True)
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (root / "cgroup.subtree_control").write_text("cpu memory pids\n" if delegated_to_root else "")
    (scope / "cgroup.subtree_control").write_text("")
    return root


def test_the_groups_of_a_process_are_read_from_its_listing(tmp_path):
    """Are version 1 controllers and the version 2 group found where /proc says?"""
    v1 = "4:memory:/jobs/a\n8:pids:/\n0::/\n"
    found = sandbox.own_groups(v1, tmp_path)
    assert found["memory"] == tmp_path / "memory" / "jobs" / "a"
    assert found["pids"] == tmp_path / "pids"
    assert found["unified"] == tmp_path / "unified"  # version 1 beside an empty version 2
    root = _v2(tmp_path)
    assert sandbox.own_groups("0::/user.slice/session-3.scope\n", root) == {
        "unified": root / "user.slice" / "session-3.scope"
    }


@pytest.mark.skipif(os.geteuid() != 0, reason="the top-level group is made by root only")
def test_version_2_without_delegation_uses_a_group_of_the_rooms_own(tmp_path):
    """On a systemd machine, does root put labs under cxkit-room with controllers switched on?"""
    root = _v2(tmp_path)
    scope = root / "user.slice" / "session-3.scope"
    parent = sandbox.v2_parent(scope, root)
    assert parent == root / "cxkit-room"
    assert (parent / "cgroup.subtree_control").read_text() == "+memory +cpu +pids"
    (scope / "cgroup.subtree_control").write_text("memory pids\n")
    assert sandbox.v2_parent(scope, root) == scope  # delegated: the hub's own group
    bare = _v2(tmp_path / "bare", delegated_to_root=False)
    assert sandbox.v2_parent(bare / "user.slice", bare) == bare / "user.slice"


def test_version_2_limits_are_written_and_read_back(tmp_path):
    """Does a participant's version 2 group get memory.max, cpu.max and pids.max?"""
    root = _v2(tmp_path)
    groups = sandbox.limit_groups("abc-ana", sandbox.Limits(800, 0.5, 64), root)
    assert groups and (groups[0] / "memory.max").read_text() == str(800 * 1024 * 1024)
    assert (groups[0] / "cpu.max").read_text() == "50000 100000"
    assert (groups[0] / "pids.max").read_text() == "64"
    assert sandbox.enforced(groups) == ["memory", "cpu", "processes"]
    assert sandbox.limit_groups("abc-ana", None, root) == groups  # found again after a restart


def test_the_sandbox_hides_the_course_and_shows_the_environment(tmp_path):
    """Does the command line hide the course, open the way to what is shown, bind the home?"""
    course, home, config = tmp_path / "course", tmp_path / "home", tmp_path / "config"
    for folder in (course / ".venv" / "lib", home, config, tmp_path / "views"):
        folder.mkdir(parents=True)
    mounts = [(tmp_path / "views", "/srv/nbgrader/exchange", True)]
    cmd = sandbox.argv(home, config, [course], [course / ".venv" / "lib"], mounts, (65534, 65534))
    text = " ".join(cmd)
    assert f"--tmpfs {course} " in text and "--tmpfs /srv " in text and "--tmpfs /home " in text
    assert f"--perms 0755 --dir {course / '.venv'} --ro-bind {course / '.venv' / 'lib'}" in text
    assert (
        f"--bind {home} {sandbox.HOME}" in text and f"--ro-bind {config} {sandbox.CONFIG}" in text
    )
    assert "--perms 0755 --dir /srv/nbgrader --bind" in text
    assert "--unshare-pid" in text and "--share-net" not in text  # no user namespace as root
    assert cmd[-2:] == ["--chdir", sandbox.HOME]
    with pytest.raises(CxkitError, match="cannot hide the system folder /usr"):
        sandbox.argv(home, config, [Path("/usr")], [], [])
