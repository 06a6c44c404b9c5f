"""What a sandboxed kernel may read: the interpreter, cxkit, and the sample wherever it ships."""

from __future__ import annotations

from pathlib import Path

from cxkit import resources
from cxkit.grading.sandbox import readable_paths


def test_a_kernel_reads_the_sample_where_an_installed_cxkit_keeps_it(tmp_path, monkeypatch):
    """Is an installed cxkit's share/cxkit/datasets readable in the sandbox (it may sit under
    the home folder the sandbox hides), listed once, beside the course's own datasets?"""
    share = tmp_path / "home" / ".local" / "share" / "cxkit"
    (share / "datasets").mkdir(parents=True)
    course = tmp_path / "course"
    (course / "datasets").mkdir(parents=True)
    monkeypatch.setattr(resources, "homes", lambda: [share, share])
    paths = readable_paths(course)
    assert (share / "datasets").resolve() in paths
    assert (course / "datasets").resolve() in paths
    assert len(paths) == len(set(paths))
    assert Path(resources.__file__).resolve().parent in paths  # cxkit itself
