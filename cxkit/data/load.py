"""Load the sample company (or your own export) as pandas tables with proper types.

Every file is checked against its schema on the way in, so a typo in a column
name, a score of 11 or a date that does not parse stops here, with a message
that names the file, the column, the rows and the fix.
"""

from __future__ import annotations

import contextlib
import csv
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from cxkit.data.schema import SCHEMAS, Column, Table
from cxkit.errors import CxkitError, close_match

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
_SHOWN = 5  # offending rows quoted in a message

if TYPE_CHECKING:
    import pandera.pandas as pa


def tables() -> list[str]:
    """List the names of the sample company's tables.

    Examples
    --------
    >>> "surveys" in tables()
    True
    """
    return list(SCHEMAS)


def sample_dir() -> Path:
    """Return the folder holding the shipped sample company.

    ``CXKIT_DATA`` overrides it. A clone keeps the sample in ``datasets/``; an
    installed cxkit carries the same files in ``share/cxkit/datasets/`` (see
    :func:`cxkit.resources.shipped`). Only where neither is found (cxkit
    installed without its data files) is the sample generated, once, into a
    cache folder: the generator is seeded, so it is the same data.
    """
    folder, cache = _sample_folder()
    if cache and not (folder / "customers.csv").is_file():
        from cxkit.data.generate import generate  # only needed without the shipped copy

        generate(folder)
    return folder


def _sample_folder() -> tuple[Path, bool]:
    """Where the sample is, and whether that is the cache folder cxkit fills itself."""
    from cxkit.resources import shipped

    override = os.environ.get("CXKIT_DATA")
    if override:
        return Path(override), False
    with contextlib.suppress(CxkitError):  # neither a clone nor share/cxkit has it
        return shipped("datasets/customers.csv").parent, False
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cxkit" / "sample"
    return cache, True


def load(table: str, data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load one table of the company as a DataFrame with proper types.

    Parameters
    ----------
    table : str
        A table name, such as ``"surveys"``; ``cxkit.tables()`` lists them.
    data_dir : str or Path, optional
        Folder holding ``<table>.csv``. None (the default) means the shipped sample.

    Returns
    -------
    pandas.DataFrame
        Dates parsed, categories as categoricals, scores as integers; checked
        against the table's schema and, where the parent file is there, its keys.

    Examples
    --------
    >>> surveys = load("surveys")
    >>> bool(surveys["recommend"].between(0, 10).all())
    True
    >>> str(surveys["response_date"].dtype).startswith("datetime64")
    True
    """
    schema = _schema(table)
    folder = Path(data_dir) if data_dir is not None else sample_dir()
    kept = _KEPT.get((table, str(folder)))
    if kept is not None and kept[0] == _files(schema, folder):
        return kept[1].copy()
    frame = _read_checked(schema, folder / f"{table}.csv")
    for col in schema.columns:
        if col.references:
            parent, key = col.references.split(".")
            parent_path = folder / f"{parent}.csv"
            if parent_path.is_file():
                keys = _read_raw(parent_path, usecols=[key])[key]
                _check_reference(frame, schema, col, set(keys), folder)
    return frame


# (table, folder) -> (the files it was read and checked from, as _files gives them; the table)
_KEPT: dict[tuple[str, str], tuple[list[tuple[str, int, int]], pd.DataFrame]] = {}


def keep_sample() -> None:
    """Read and check the sample company once, and keep it in this process.

    From then on ``load(table)`` hands out a copy of the kept table for as long
    as its file, and the files its keys are checked against, are unchanged (same
    size and modification time); anything else is read as usual. The grading
    template calls this, so each kernel forked from it starts with the sample
    already read, instead of every participant's notebook reading it again.
    Where the sample has not been generated yet, it keeps nothing.
    """
    folder, _ = _sample_folder()
    if not (folder / "customers.csv").is_file():
        return  # not generated yet: nothing to keep
    for table, schema in SCHEMAS.items():
        files = _files(schema, folder)
        _KEPT[(table, str(folder))] = (files, load(table, folder))


def _files(schema: Table, folder: Path) -> list[tuple[str, int, int]]:
    """Name, size and modification time of a table's file and of its parents' files."""
    names = [schema.name, *(c.references.split(".")[0] for c in schema.columns if c.references)]
    found = []
    for name in names:
        with contextlib.suppress(OSError):
            stat = (folder / f"{name}.csv").stat()
            found.append((name, stat.st_size, stat.st_mtime_ns))
    return found


def load_company(data_dir: str | os.PathLike[str] | None = None) -> dict[str, pd.DataFrame]:
    """Load every table of the company, checking the keys that join them.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder holding one CSV file per table. None means the shipped sample.

    Returns
    -------
    dict of str to pandas.DataFrame
        One entry per table, named as in ``cxkit.tables()``.

    Examples
    --------
    >>> company = load_company()
    >>> sorted(company) == sorted(tables())
    True
    """
    folder = Path(data_dir) if data_dir is not None else sample_dir()
    company = {name: _read_checked(SCHEMAS[name], folder / f"{name}.csv") for name in SCHEMAS}
    for name, schema in SCHEMAS.items():
        for col in schema.columns:
            if col.references:
                parent, key = col.references.split(".")
                keys = set(company[parent][key].dropna())
                _check_reference(company[name], schema, col, keys, folder)
    return company


def _schema(table: str) -> Table:
    if not isinstance(table, str) or table not in SCHEMAS:
        raise CxkitError(
            f'There is no table called "{table}".{close_match(str(table), SCHEMAS)} '
            f"The tables are: {', '.join(SCHEMAS)}."
        )
    return SCHEMAS[table]


def sniff(path: Path) -> tuple[str, str]:
    """Return (encoding, delimiter) of a CSV file, refusing what cannot be read."""
    head = path.read_bytes()[:65536]
    if head.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            head.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as err:
            # A character cut by the 64 kB window is still UTF-8. Otherwise: Excel on
            # Windows saves "CSV" as Windows-1252, a superset of Latin-1.
            encoding = "utf-8" if err.start > len(head) - 4 else "cp1252"
    return encoding, delimiter_of(head.decode(encoding, errors="replace"))


def delimiter_of(text: str, lines: int = 20) -> str:
    r"""Guess the separator from the header and the lines under it (up to ``lines``).

    The header alone misleads: a European Excel export separates with semicolons,
    and a question in its header may hold a comma ("How likely, from 0 to 10, ...").
    Only the lines below show which separator every row shares.

    Examples
    --------
    >>> delimiter_of("id;How likely, from 0 to 10?\nR1;9\nR2;7\n")
    ';'
    >>> delimiter_of("id,comment\nR1,fine\n"), delimiter_of("just one column\n")
    (',', ',')
    """
    rows = text.splitlines()
    if len(rows) > 1 and not text.endswith(("\n", "\r")):
        rows = rows[:-1]  # the last line may be cut by the window read
    for sample in ("\n".join(rows[:lines]), rows[0] if rows else ""):
        try:
            return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            continue
    return ","


def _read_raw(path: Path, usecols: list[str] | None = None) -> pd.DataFrame:
    """Read a CSV file as text columns, detecting encoding and delimiter."""
    if not path.is_file():
        hint = "Check the folder name" if not path.parent.is_dir() else "Check the file name"
        raise CxkitError(
            f"Cannot find {path}. {hint}, or pass data_dir=None to use the shipped sample."
        )
    if path.stat().st_size == 0:
        raise CxkitError(
            f"{path} is empty (0 bytes). Export the table again, with a header row and data."
        )
    encoding, delimiter = sniff(path)
    try:
        frame = pd.read_csv(
            path,
            sep=delimiter,
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            usecols=usecols,
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise CxkitError(
            f"{path} is not a readable CSV file ({err}). Save it from your spreadsheet as "
            '"CSV UTF-8 (comma delimited)" and try again.'
        ) from None
    except ValueError as err:  # usecols names a column the file does not have
        raise CxkitError(f"{path}: {err}. Check the file's header row.") from None
    frame.attrs["delimiter"] = delimiter
    return frame


def _rows(frame: pd.DataFrame, mask: pd.Series, column: str) -> str:
    """Quote the first offending rows as spreadsheet line numbers (header = line 1)."""
    bad = frame.loc[mask, column].head(_SHOWN)
    quoted = ", ".join(f"line {int(i) + 2}: {v!r}" for i, v in bad.items())
    more = int(mask.sum()) - len(bad)
    return quoted + (f" (and {more} more)" if more > 0 else "")


def _read_checked(schema: Table, path: Path) -> pd.DataFrame:
    raw = _read_raw(path)
    _check_columns(raw, schema, path)
    if raw.empty:
        raise CxkitError(
            f"{path} has a header but no rows. Export the table again with its data, "
            "or check that the export's filter did not remove every row."
        )
    out = raw.copy()
    for col in schema.columns:
        out[col.name] = _convert(raw, col, path, raw.attrs.get("delimiter", ","))
    _validate(out, schema, path)
    return out


def _check_columns(raw: pd.DataFrame, schema: Table, path: Path) -> None:
    found = [str(c) for c in raw.columns]
    if len(found) == 1 and len(schema.columns) > 1:
        raise CxkitError(
            f"{path} reads as one wide column ({found[0][:60]}...): its separator is not a "
            "comma, semicolon, tab or |. Save it from your spreadsheet as "
            '"CSV UTF-8 (comma delimited)" and try again.'
        )
    missing = [c for c in schema.names if c not in found]
    if not missing:
        return
    name = missing[0]
    spare = [c for c in found if c not in schema.names]
    near = close_match(name, spare)
    fix = (
        f' The file has a column that looks like a misspelling of it:{near} Rename it to "{name}".'
        if near
        else " Add it, or rename the column that holds this information."
    )
    raise CxkitError(
        f'{path} is missing the column "{name}" ({schema.column(name).meaning}).{fix} '
        f"Columns expected: {', '.join(schema.names)}."
    )


def _convert(raw: pd.DataFrame, col: Column, path: Path, delimiter: str) -> pd.Series:
    text = raw[col.name].str.strip()
    present = text.notna()
    if col.kind in ("id", "text"):
        return text
    if col.kind == "bool":
        lowered = text.str.lower()
        mapping = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
        bad = present & ~lowered.isin(list(mapping))
        if bad.any():
            raise CxkitError(
                f'{path}, column "{col.name}": expected True or False, found '
                f"{_rows(raw, bad, col.name)}. Write True or False in every row."
            )
        if (~present).any():
            raise _missing(raw, col, ~present, path)
        return lowered.map(mapping).astype(bool)
    if col.kind in ("date", "datetime"):
        fmt = DATE_FORMAT if col.kind == "date" else DATETIME_FORMAT
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        bad = present & parsed.isna()
        if bad.any():
            shape = "YYYY-MM-DD" if col.kind == "date" else "YYYY-MM-DD HH:MM"
            raise CxkitError(
                f'{path}, column "{col.name}": {int(bad.sum())} value(s) are not a {col.kind} '
                f"written {shape}: {_rows(raw, bad, col.name)}. Fix these cells, or convert "
                f"the column to {shape} before loading."
            )
        return parsed
    if col.kind in ("int", "float"):
        numeric_text = text.str.replace(",", ".", regex=False) if delimiter == ";" else text
        number = pd.to_numeric(numeric_text, errors="coerce")
        bad = present & number.isna()
        if bad.any():
            raise CxkitError(
                f'{path}, column "{col.name}": expected a number, found '
                f"{_rows(raw, bad, col.name)}. Remove the text or units from these cells."
            )
        if col.kind == "float":
            return number.astype("float64")
        fractional = present & (number % 1 != 0)
        if fractional.any():
            raise CxkitError(
                f'{path}, column "{col.name}": expected whole numbers, found '
                f"{_rows(raw, fractional, col.name)}. Round these or check the scale."
            )
        return number.astype("Int64" if col.nullable else "int64")
    assert col.kind == "category" and col.values is not None
    bad = present & ~text.isin(list(col.values))
    if bad.any():
        first = str(raw.loc[bad, col.name].iloc[0])
        raise CxkitError(
            f'{path}, column "{col.name}": {int(bad.sum())} value(s) are not allowed: '
            f"{_rows(raw, bad, col.name)}.{close_match(first, col.values)} "
            f"Allowed values: {', '.join(col.values)}."
        )
    return pd.Series(pd.Categorical(text, categories=list(col.values)), index=raw.index)


def _missing(raw: pd.DataFrame, col: Column, mask: pd.Series, path: Path) -> CxkitError:
    return CxkitError(
        f'{path}, column "{col.name}": {int(mask.sum())} row(s) are empty, for example '
        f"line {int(mask[mask].index[0]) + 2}. Every row needs a value here ({col.meaning})."
    )


def _pandera_schema(schema: Table) -> pa.DataFrameSchema:
    import pandera.pandas as pa

    columns = {}
    for col in schema.columns:
        checks = []
        if col.low is not None:
            checks.append(pa.Check.ge(col.low))
        if col.high is not None:
            checks.append(pa.Check.le(col.high))
        columns[col.name] = pa.Column(
            nullable=col.nullable, unique=col.unique, checks=checks, coerce=False
        )
    return pa.DataFrameSchema(columns, strict=False)


def _plainly_valid(frame: pd.DataFrame, schema: Table) -> bool:
    """Whether the table passes its schema's checks, by a stricter test in plain pandas.

    True only when pandera would find nothing either: no empty value where
    none is allowed, no repeated value (empty ones included) in a unique
    column, every value present within its range. Anything else (or a column
    that cannot be compared) is for pandera to judge and put into words.
    Importing pandera and setting up its checks costs a notebook about 0.4 s
    of CPU on its first ``load``; a table that is valid never pays it.
    """
    for col in schema.columns:
        values = frame[col.name]
        if not col.nullable and values.isna().any():
            return False
        if col.unique and values.duplicated().any():
            return False
        present = values.dropna()
        try:
            if col.low is not None and not bool((present >= col.low).all()):
                return False
            if col.high is not None and not bool((present <= col.high).all()):
                return False
        except TypeError:
            return False
    return True


def _validate(frame: pd.DataFrame, schema: Table, path: Path) -> None:
    if _plainly_valid(frame, schema):
        return
    import pandera.pandas as pa

    try:
        _pandera_schema(schema).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        first = cases.iloc[0]
        name = str(first["column"])
        col = schema.column(name)
        rows = cases[cases["column"] == name]
        index = pd.to_numeric(rows["index"], errors="coerce").dropna().astype(int)
        mask = frame.index.isin(index)
        check = str(first["check"])
        if "not_nullable" in check:
            raise _missing(frame, col, frame[name].isna(), path) from None
        if "unique" in check:
            dupes = frame[name].duplicated(keep=False)
            raise CxkitError(
                f'{path}, column "{name}": {int(frame[name].duplicated().sum())} duplicate '
                f"id(s): {_rows(frame, dupes, name)}. Each {name} must appear once; remove the "
                "repeated rows or give them their own ids."
            ) from None
        hint = ""
        if name == "recommend":
            hint = " If your survey used another scale (1-10, 1-5), convert it to 0-10 first."
        elif name == "csat":
            hint = " CSAT is 1-5; a 0 usually means 'no answer': leave those cells empty."
        where = _rows(frame, pd.Series(mask, index=frame.index), name)
        raise CxkitError(
            f'{path}, column "{name}": {int(mask.sum())} value(s) are outside the allowed '
            f"range {col.range_text()} ({col.meaning}): {where}. Correct or remove these rows."
            f"{hint}"
        ) from None


def _check_reference(
    frame: pd.DataFrame, schema: Table, col: Column, keys: set[str], folder: Path
) -> None:
    assert col.references is not None
    values = frame[col.name]
    dangling = values.notna() & ~values.isin(keys)
    if dangling.any():
        parent = col.references.split(".")[0]
        raise CxkitError(
            f'{folder / (schema.name + ".csv")}, column "{col.name}": {int(dangling.sum())} '
            f"value(s) point to no row of {parent}.csv: {_rows(frame, dangling, col.name)}. "
            f"Add the missing {parent} rows, or remove these rows."
        )
