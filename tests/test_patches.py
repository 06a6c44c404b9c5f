"""cxkit's patches on other libraries: each still fits the library it patches, and comes off.

Every failure names the library, its installed version and the patch in
``cxkit.patches``, so that an upgrade which moves what a patch relies on is
caught here, not in a facilitator's grading run. The last tests do the same for
the library methods that cxkit's kernel managers, clients and executors override
or call (subclassing, not patching, but as tied to one version).
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
import time
import uuid
from importlib.metadata import packages_distributions, version
from pathlib import Path
from queue import Empty
from typing import Any

import pytest

from cxkit import patches

STAMP = "2026-11-30T22:13:41.123456Z"  # a kernel's message stamp
STAMPS = [
    STAMP,
    "2026-01-02T03:04:05Z",  # no fraction: jupyter_client's own reader
    "2026-11-30T24:00:00.000000Z",  # refused by fromisoformat, read by dateutil as the next day
    "2026-11-30 22:13:41.123456+01:00",
    "not a dateZ",
]


def changed(library: str, patch: str, what: str) -> str:
    """A failure's message: the library, its version, the patch, and what moved under it."""
    return (
        f"{library} {version(library)} no longer fits cxkit.patches.{patch}: {what}. "
        "Read the patch's docstring (what it assumes, the version it was written for), "
        f"adapt the patch or drop it, then move the bound on {library} in pyproject.toml."
    )


# --- jsonschema: skip_iri_grammar -----------------------------------------------------------

IRI_PROBE = """\
import json, sys
from cxkit.patches import skip_iri_grammar
{before}
import jsonschema
formats = sorted(jsonschema.FormatChecker.checkers)
skip_iri_grammar()  # once jsonschema is imported: changes nothing
print(json.dumps({{
    "formats": formats,
    "after": sorted(jsonschema.FormatChecker.checkers),
    "grammar": sys.modules.get("rfc3987_syntax") is not None,
}}))
"""


def _iri_probe(before: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", IRI_PROBE.format(before=before)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_skip_iri_grammar_leaves_out_the_iri_formats_only_and_comes_off():
    """Does jsonschema still check "iri" with rfc3987-syntax, and lose exactly those formats
    when the patch is applied first, and nothing when applied after? Does popping the
    entry before jsonschema's import bring them back?"""
    if importlib.util.find_spec("rfc3987_syntax") is None:
        pytest.skip("rfc3987-syntax is not installed: jsonschema never builds its grammar")
    plain = _iri_probe("")
    patched = _iri_probe("skip_iri_grammar()")
    undone = _iri_probe("skip_iri_grammar()\nsys.modules.pop('rfc3987_syntax', None)")
    iri = {"iri", "iri-reference"}
    assert plain["grammar"] and iri <= set(plain["formats"]), changed(
        "jsonschema",
        "skip_iri_grammar",
        "it no longer checks the iri formats with rfc3987_syntax, so skipping it saves nothing",
    )
    assert plain["after"] == plain["formats"], changed(
        "jsonschema", "skip_iri_grammar", "the patch changed formats after jsonschema's import"
    )
    assert not patched["grammar"] and set(plain["formats"]) - set(patched["formats"]) == iri, (
        changed(
            "jsonschema",
            "skip_iri_grammar",
            f"with rfc3987_syntax unimportable it checks {patched['formats']}, "
            f"where it checks {plain['formats']} otherwise",
        )
    )
    assert undone == plain, changed(
        "jsonschema",
        "skip_iri_grammar",
        "popping sys.modules['rfc3987_syntax'] no longer undoes it",
    )


# --- nbgrader: lighter_bookkeeping ----------------------------------------------------------


def test_nbgrader_still_has_what_lighter_bookkeeping_replaces():
    """Are nbgrader.api.create_engine SQLAlchemy's, nbgrader's metadata check's jsonschema
    the module, and the gradebook's cell lookups and tables what the patch queries?"""
    import jsonschema
    import nbgrader.api
    import nbgrader.nbgraderformat.common as metadata
    import sqlalchemy
    from nbgrader.api import Assignment, Gradebook, GradeCell, Notebook, SourceCell

    patch = "nbgrader.lighter_bookkeeping"
    assert nbgrader.api.create_engine is sqlalchemy.create_engine, changed(
        "nbgrader", patch, "nbgrader.api.create_engine is no longer SQLAlchemy's create_engine"
    )
    assert "create_engine(" in inspect.getsource(Gradebook.__init__), changed(
        "nbgrader", patch, "Gradebook() no longer makes its engine with create_engine"
    )
    assert metadata.jsonschema is jsonschema, changed(
        "nbgrader", patch, "nbgrader.nbgraderformat.common.jsonschema is not the jsonschema module"
    )
    for name in ("find_source_cell", "find_graded_cell"):
        parameters = list(inspect.signature(getattr(Gradebook, name)).parameters)
        assert parameters == ["self", "name", "notebook", "assignment"], changed(
            "nbgrader", patch, f"Gradebook.{name} takes {parameters}"
        )
    for model, columns in (
        (SourceCell, ("name", "notebook_id")),
        (GradeCell, ("name", "notebook_id")),
        (Notebook, ("id", "name", "assignment_id")),
        (Assignment, ("id", "name")),
    ):
        missing = [c for c in columns if not hasattr(model, c)]
        assert not missing, changed("nbgrader", patch, f"{model.__name__} has no {missing}")


def _outcome(validate: Any, instance: Any, schema: Any) -> Any:
    """What a validate function says of an instance: None, or the error's message and place."""
    from jsonschema import ValidationError

    try:
        validate(instance, schema)
    except ValidationError as error:
        return (error.message, list(error.absolute_path), error.validator)
    return None


def test_schema_checked_once_refuses_what_jsonschema_refuses():
    """On nbgrader's own cell schema, does the kept validator accept and refuse the metadata
    jsonschema.validate accepts and refuses, with the same message, twice over? And does
    nbgrader's metadata check go through it inside the block?"""
    import jsonschema
    import nbgrader.nbgraderformat.common as metadata
    from nbformat.v4 import new_code_cell
    from nbgrader.nbgraderformat import MetadataValidator

    from cxkit.patches.nbgrader import SchemaCheckedOnce

    schema = MetadataValidator().schema
    test = {"grade": True, "solution": False, "locked": True, "grade_id": "nps", "points": 2}
    cases = [
        {**test, "schema_version": 3},
        {**test, "schema_version": 3, "points": "two"},
        {"grade": False, "solution": True, "locked": False, "grade_id": "a", "schema_version": 3},
        {"grade": "yes", "solution": True, "locked": False, "grade_id": "a", "schema_version": 3},
        {"solution": True, "schema_version": 3},
        [1, 2],
    ]
    expected = [_outcome(jsonschema.validate, case, schema) for case in cases]
    assert expected[0] is None and expected[1] is not None  # the cases mean what they say
    once = SchemaCheckedOnce()
    for _ in range(2):  # the second time from what it kept
        got = [_outcome(once.validate, case, schema) for case in cases]
        assert got == expected, changed(
            "jsonschema", "nbgrader.SchemaCheckedOnce", "validate() no longer errs as it does"
        )
    cell = new_code_cell("x = 1", metadata={"nbgrader": {**test, "schema_version": 3}})
    with patches.lighter_bookkeeping():
        kept = metadata.jsonschema
        MetadataValidator().validate_cell(cell)
        assert isinstance(kept, SchemaCheckedOnce) and kept._valid, changed(
            "nbgrader",
            "nbgrader.lighter_bookkeeping",
            "its metadata check no longer calls nbgrader.nbgraderformat.common.jsonschema",
        )


@pytest.fixture
def gradebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A gradebook (its URL) with one notebook: two source cells, a grade cell, a task cell."""
    from nbgrader.api import Gradebook

    # nbgrader runs alembic by name when it creates a gradebook
    bin_dir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", os.pathsep.join([bin_dir, os.environ.get("PATH", "")]))
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as book:
        book.add_assignment("a")
        book.add_notebook("n", "a")
        book.add_source_cell(
            "s1", "n", "a", cell_type="code", checksum="1", locked=True, source="x"
        )
        book.add_source_cell("s2", "n", "a", cell_type="markdown", checksum="2", locked=False)
        book.add_grade_cell("s1", "n", "a", max_score=2, cell_type="code")
        book.add_task_cell("t1", "n", "a", max_score=1, cell_type="markdown")
    return url


def test_lighter_bookkeeping_finds_the_cells_nbgrader_finds_and_comes_off(gradebook):
    """On a real gradebook, are the cells found inside the block nbgrader's own, with its
    errors, is one engine kept per address, and is everything put back, after an error too?"""
    import nbgrader.api
    import nbgrader.nbgraderformat.common as metadata
    from nbgrader.api import Gradebook, MissingEntry

    patch = "nbgrader.lighter_bookkeeping"

    def replaced() -> tuple[Any, ...]:
        return (
            nbgrader.api.create_engine,
            metadata.jsonschema,
            Gradebook.find_source_cell,
            Gradebook.find_graded_cell,
        )

    def lookups(book: Any) -> tuple[Any, ...]:
        sources = [book.find_source_cell(n, "n", "a") for n in ("s1", "s2")]
        graded = [book.find_graded_cell(n, "n", "a") for n in ("s1", "t1")]  # t1: a task
        errors = []
        for find in (book.find_source_cell, book.find_graded_cell):
            with pytest.raises(MissingEntry) as missing:
                find("no-such-cell", "n", "a")
            errors.append(str(missing.value))
        return (
            [(c.name, c.cell_type, c.locked, c.checksum, c.source) for c in sources],
            [(c.name, type(c).__name__, c.max_score) for c in graded],
            errors,
        )

    real = replaced()
    with Gradebook(gradebook) as book:
        outside = lookups(book)
    with patches.lighter_bookkeeping():
        assert replaced() != real
        with Gradebook(gradebook) as first, Gradebook(gradebook) as second:
            inside = lookups(first)
            assert first.engine is second.engine, changed(
                "nbgrader", patch, "Gradebook() no longer gets its engine from create_engine"
            )
            assert set(first._cxkit_cells) == {("SourceCell", "n", "a"), ("GradeCell", "n", "a")}
    assert inside == outside, changed("nbgrader", patch, "its lookups find other cells or errors")
    assert outside[1] == [("s1", "GradeCell", 2.0), ("t1", "TaskCell", 1.0)]
    assert replaced() == real, changed("nbgrader", patch, "leaving the block left it patched")
    with pytest.raises(RuntimeError), patches.lighter_bookkeeping():
        raise RuntimeError("a submission failed")
    assert replaced() == real, changed("nbgrader", patch, "an error in the block left it patched")
    with Gradebook(gradebook) as first, Gradebook(gradebook) as second:
        assert first.engine is not second.engine


# --- jupyter_client: quicker_dates, look_again, shorter_waits --------------------------------


def test_jupyter_client_reads_stamps_where_quicker_dates_replaces_its_reader(monkeypatch):
    """Does jupyter_client still read every header string through jsonutil.parse_date(s),
    looked up when called, with ISO8601_PAT matching a kernel's stamp?"""
    from jupyter_client import jsonutil, session

    patch = "jupyter_client.quicker_dates"
    own = getattr(jsonutil.parse_date, "real", jsonutil.parse_date)
    parameters = list(inspect.signature(own).parameters)
    assert parameters == ["s"], changed("jupyter_client", patch, f"parse_date takes {parameters}")
    assert jsonutil.ISO8601_PAT.match(STAMP), changed(
        "jupyter_client", patch, f"ISO8601_PAT no longer matches a kernel's stamp {STAMP}"
    )
    assert session.extract_dates is jsonutil.extract_dates, changed(
        "jupyter_client", patch, "Session no longer reads headers with jsonutil.extract_dates"
    )
    seen: list[str] = []
    monkeypatch.setattr(jsonutil, "parse_date", lambda s: seen.append(s) or s)
    jsonutil.extract_dates({"date": STAMP, "nested": [STAMP]})
    assert seen == [STAMP, STAMP], changed(
        "jupyter_client", patch, "extract_dates no longer calls jsonutil.parse_date"
    )


def test_quicker_dates_reads_messages_as_jupyter_client_does_and_comes_off(monkeypatch):
    """Are a real message's header stamps, and other strings, read to the same values with
    the patch as without, is it one layer however often applied, and does .real undo it?"""
    from dateutil.tz import tzutc
    from jupyter_client import jsonutil
    from jupyter_client.session import Session

    patch = "jupyter_client.quicker_dates"
    real = getattr(jsonutil.parse_date, "real", jsonutil.parse_date)  # a job may have run here
    monkeypatch.setattr(jsonutil, "parse_date", real)  # put back as found after the test
    session = Session(key=b"")  # unsigned: the same message may be read twice
    message = session.msg("status", {"execution_state": "idle"}, parent=session.msg("x"))
    _, wire = session.feed_identities(session.serialize(message))
    plain, stamps = session.deserialize(wire), jsonutil.extract_dates(STAMPS)
    patches.quicker_dates()
    patches.quicker_dates()
    assert jsonutil.parse_date is not real and jsonutil.parse_date.real is real
    quick = session.deserialize(wire)
    for part in ("header", "parent_header"):
        assert quick[part] == plain[part], changed("jupyter_client", patch, f"{part} differs")
    assert isinstance(quick["header"]["date"].tzinfo, tzutc)
    assert jsonutil.extract_dates(STAMPS) == stamps, changed(
        "jupyter_client", patch, "stamps are read to other values"
    )
    jsonutil.parse_date = jsonutil.parse_date.real  # the undoing its docstring gives
    assert jsonutil.parse_date is real


async def _channel_scenario(every: float) -> dict[str, Any]:
    """A real client channel, read plain, with look_again, and within shorter_waits."""
    import zmq
    import zmq.asyncio
    from jupyter_client.channels import AsyncZMQSocketChannel
    from jupyter_client.session import Session

    context = zmq.asyncio.Context()
    kernel, client = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
    address = f"inproc://cxkit-patches-{uuid.uuid4().hex}"
    kernel.bind(address)
    client.connect(address)
    session = Session()
    channel = AsyncZMQSocketChannel(client, session)
    seen: dict[str, Any] = {}

    async def read(timeout: float) -> tuple[Any, float]:
        session.send(kernel, "status", {"execution_state": "idle"})
        message = await channel.get_msg(timeout=timeout)
        started = time.monotonic()
        with pytest.raises(Empty):
            await channel.get_msg(timeout=timeout)
        return (message["msg_type"], message["content"]), time.monotonic() - started

    try:
        seen["plain"] = await read(0.1)
        patches.look_again(channel, every=every)
        again = channel.get_msg
        seen["look_again"] = await read(0.1)
        del channel.get_msg  # the undoing its docstring gives
        seen["own after look_again"] = channel.get_msg.__func__ is AsyncZMQSocketChannel.get_msg
        with patches.shorter_waits(channel, every):
            seen["shorter_waits"] = await read(5.0)
        seen["own after shorter_waits"] = "get_msg" not in vars(channel)
        patches.look_again(channel, every=every)
        again = channel.get_msg
        with pytest.raises(RuntimeError), patches.shorter_waits(channel, every):
            raise RuntimeError("the kernel died")
        seen["look_again after shorter_waits"] = channel.get_msg is again
    finally:
        kernel.close(linger=0)
        client.close(linger=0)
        context.term()
    return seen


def test_look_again_and_shorter_waits_read_a_client_channel_as_before_and_come_off():
    """On a real client channel: is a message read the same with either patch, does an empty
    wait still end in Empty (at its timeout, or at the shorter wait), and is the channel's
    own get_msg back after each, after an error too?"""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.channels import AsyncZMQSocketChannel
    from jupyter_client.client import KernelClient

    own = AsyncZMQSocketChannel.get_msg
    parameters = list(inspect.signature(own).parameters)
    assert inspect.iscoroutinefunction(own) and parameters == ["self", "timeout"], changed(
        "jupyter_client", "jupyter_client.look_again", f"get_msg takes {parameters}"
    )
    traits = AsyncKernelClient.class_traits()
    for name in ("shell_channel_class", "iopub_channel_class"):
        assert traits[name].default() is AsyncZMQSocketChannel, changed(
            "jupyter_client", "jupyter_client.look_again", f"a client's {name} changed"
        )
    assert "self.iopub_channel.get_msg(" in inspect.getsource(KernelClient._async_wait_for_ready), (
        changed(
            "jupyter_client",
            "jupyter_client.shorter_waits",
            "the ready check no longer reads IOPub through iopub_channel.get_msg",
        )
    )
    seen = asyncio.run(_channel_scenario(every=0.02))
    message, waited = seen["plain"]
    assert message == ("status", {"execution_state": "idle"}) and 0.09 <= waited < 1
    assert seen["look_again"][0] == message, changed(
        "jupyter_client", "jupyter_client.look_again", "a message reads differently"
    )
    assert 0.09 <= seen["look_again"][1] < 1  # its timeout, kept
    assert seen["shorter_waits"][0] == message, changed(
        "jupyter_client", "jupyter_client.shorter_waits", "a message reads differently"
    )
    assert seen["shorter_waits"][1] < 1  # 0.02 s, not the 5 s asked for
    assert seen["own after look_again"] and seen["own after shorter_waits"]
    assert seen["look_again after shorter_waits"]


# --- IPython: keep_brief --------------------------------------------------------------------

IPYTHON_PROBE = """\
import json
from IPython.core.interactiveshell import InteractiveShell
from cxkit.patches import keep_brief

shell = InteractiveShell.instance()
class Brief(Exception):
    pass
shell.user_ns["Brief"] = Brief
cells = ["1 / 0", "raise Brief('not yet')"]

def run():
    for cell in cells:
        shell.run_cell(cell, store_history=True)

run()
keep_brief(shell, (Brief,), lambda kind, error, tb: [f"{kind.__name__}: {error}"])
keep_brief(shell, (Brief,), lambda kind, error, tb: ["twice"])  # one layer only
run()
del shell._format_exception_for_storage  # the undoing its docstring gives
own = shell._format_exception_for_storage.__func__ is InteractiveShell._format_exception_for_storage
run()
kept = shell.history_manager.exceptions
print(json.dumps({"kept": [kept.get(n) for n in range(1, 7)], "own": own}))
"""


def test_keep_brief_keeps_what_was_shown_for_its_errors_only_and_comes_off(tmp_path):
    """In a real IPython shell, is an error of the given kinds kept in the history as the
    brief lines, another error as IPython keeps it, and IPython's own method back after?"""
    from IPython.core.interactiveshell import InteractiveShell

    patch = "ipython.keep_brief"
    own = InteractiveShell._format_exception_for_storage
    parameters = list(inspect.signature(own).parameters)
    assert parameters == ["self", "exception", "filename", "running_compiled_code"], changed(
        "ipython", patch, f"_format_exception_for_storage takes {parameters}"
    )
    env = {**os.environ, "IPYTHONDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", IPYTHON_PROBE], capture_output=True, text=True, env=env, check=True
    )
    found = json.loads(done.stdout.splitlines()[-1])
    plain_zero, plain_brief, zero, brief, undone_zero, undone_brief = found["kept"]

    def same(a: Any, b: Any) -> bool:  # the cell's number aside
        return json.loads(re.sub(r"In\[\d+\]", "In[n]", json.dumps(a))) == json.loads(
            re.sub(r"In\[\d+\]", "In[n]", json.dumps(b))
        )

    assert plain_brief is not None and set(plain_brief) == {"ename", "evalue", "traceback"}, (
        changed("ipython", patch, f"it keeps {plain_brief} for an error in the history")
    )
    assert brief == {"ename": "Brief", "evalue": "not yet", "traceback": ["Brief: not yet"]}, (
        changed("ipython", patch, f"an error of its kinds is kept as {brief}")
    )
    assert same(zero, plain_zero), changed("ipython", patch, "another error is kept otherwise")
    assert found["own"] and same(undone_brief, plain_brief) and same(undone_zero, plain_zero)


# --- the library methods cxkit's subclasses override (ordinary subclassing) ------------------


def _overrides() -> dict[type, tuple[str, ...]]:
    from cxkit.grading import execute, pool, sandbox

    return {
        sandbox.QuickKernelClient: ("_context_default", "wait_for_ready"),
        sandbox.QuickKernelManager: ("_async_finish_shutdown",),
        sandbox.SandboxedKernelManager: (
            "__init__",
            "_async_pre_start_kernel",
            "_async_launch_kernel",
            "_async_cleanup_resources",
        ),
        sandbox.SandboxedExecute: (
            "__init__",
            "preprocess",
            "async_execute_cell",
            "execute_cell",
            "async_start_new_kernel_client",
            "start_new_kernel_client",
            "output",
        ),
        pool.WarmProvisioner: ("launch_kernel",),
        pool.WarmKernelManager: ("_async_pre_start_kernel",),
        pool.SandboxedWarmProvisioner: ("launch_kernel",),
        pool.WarmSandboxedKernelManager: (
            "__init__",
            "_async_pre_start_kernel",
            "_async_launch_kernel",
        ),
        execute.UseSanitized: ("preprocess",),
        execute.UseExecuted: ("preprocess",),
    }


def _theirs(cls: type, name: str) -> tuple[type, Any] | None:
    """The first class outside cxkit in ``cls``'s MRO that defines ``name``, and its attribute."""
    for base in cls.__mro__[1:]:
        if not base.__module__.startswith("cxkit") and name in vars(base):
            return base, vars(base)[name]
    return None


def _positional(function: Any) -> list[str] | None:
    """Its positional parameters' names, or None when it takes ``*args``."""
    function = getattr(function, "func", function)  # a traitlets @default handler: its function
    parameters = inspect.signature(function).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def test_the_library_methods_cxkit_overrides_still_exist_with_the_same_parameters():
    """Is every method cxkit's kernel managers, clients and executors override still there
    in the library (or the override would silently never run), taking the same parameters?
    And is every override listed here?"""
    distributions = packages_distributions()
    for cls, names in _overrides().items():
        overriding = sorted(
            n
            for n, value in vars(cls).items()
            if callable(value) and not n.startswith("__") and _theirs(cls, n) is not None
        )
        listed = sorted(n for n in names if n != "__init__")
        assert overriding == listed, f"list {cls.__name__}'s overrides here: {overriding}"
        for name in names:
            found = _theirs(cls, name)
            assert found is not None, f"{cls.__name__}.{name} overrides nothing any more"
            base, attribute = found
            top = base.__module__.split(".")[0]
            library = distributions.get(top, [top])[0]
            where = f"{cls.__module__}.{cls.__name__}.{name} overrides {base.__name__}.{name}"
            mine = _positional(vars(cls)[name])
            if mine is None or name == "__init__":
                continue  # takes anything, passes it on
            theirs = _positional(attribute)
            assert theirs is None or mine == theirs, (
                f"{library} {version(library)} changed a method cxkit overrides: {where}, which "
                f"takes {theirs} there and {mine} here. Adapt the override, then move the bound "
                f"on {library} in pyproject.toml."
            )


def test_the_library_methods_cxkit_calls_past_their_public_api_take_what_it_passes():
    """Do the private methods cxkit calls take the arguments it passes them?"""
    from IPython.core.interactiveshell import InteractiveShell
    from jupyter_client.client import KernelClient
    from jupyter_client.manager import AsyncKernelManager

    calls = [
        ("jupyter_client", KernelClient._async_wait_for_ready, (None, 60.0), {}),
        ("jupyter_client", AsyncKernelManager._async_launch_kernel, (None, ["k"]), {"cwd": "."}),
        ("ipython", InteractiveShell._showtraceback, (None, ValueError, ValueError(), []), {}),
        ("ipython", InteractiveShell.set_custom_exc, (None, (ValueError,), print), {}),
    ]
    for library, function, args, kwargs in calls:
        try:
            inspect.signature(function).bind(*args, **kwargs)
        except TypeError as refused:
            pytest.fail(
                f"{library} {version(library)} changed {function.__qualname__}, which cxkit "
                f"calls: {refused}. Adapt cxkit's call, then move the bound on {library}."
            )


def test_schema_version_in_process_reads_what_alembic_says_and_comes_off(tmp_path):
    """Does the in-process schema version equal what nbgrader's own ``alembic heads``
    process prints, does a gradebook made under it carry that version, and does
    undoing it put nbgrader's own function back?"""
    import nbgrader.api
    from sqlalchemy import create_engine, text

    from cxkit.patches import schema_version_in_process, undo_schema_version_in_process
    from cxkit.resources import tools_on_path

    tools_on_path()  # nbgrader's own function runs alembic by name
    undo_schema_version_in_process()
    own = nbgrader.api.get_alembic_version
    assert not hasattr(own, "real"), "nbgrader's own get_alembic_version was not put back"
    expected = own()  # a process of its own, as nbgrader does it
    schema_version_in_process()
    schema_version_in_process()  # applying it again changes nothing
    try:
        patched = nbgrader.api.get_alembic_version
        assert patched is not own and patched.real is own
        assert patched() == expected, changed(
            "nbgrader", "schema_version_in_process", "its migration scripts name another head"
        )
        url = f"sqlite:///{tmp_path / 'gradebook.db'}"
        with nbgrader.api.Gradebook(url, "course"):
            pass
        engine = create_engine(url)
        with engine.connect() as db:
            stamped = db.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        engine.dispose()
        assert stamped == [expected]
    finally:
        undo_schema_version_in_process()
    assert nbgrader.api.get_alembic_version is own
    schema_version_in_process()  # as the rest of this test run had it
