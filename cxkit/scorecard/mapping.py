"""Map a company's own survey export onto cxkit's tables, and list everything wrong with it.

Real exports never look like the sample: other column names, a 1-10 recommend
scale, "Very satisfied" instead of 5, department names of their own, dates
written 03/15/2026. A *mapping file* (TOML or YAML) says how to read one::

    name = "Our survey tool"
    region = "GB"                      # how to read phone numbers when redacting

    [departments]                      # your name = cxkit's department
    Warehouse = "logistics"

    [surveys]
    file = "export.csv"
    skip_rows = 2                      # rows under the header that hold no answers
    [surveys.columns]                  # cxkit column = your column
    response_id = "ResponseId"
    recommend = "Q1"
    [surveys.dates]
    response_date = "%d/%m/%Y %H:%M"   # one format per column (default ISO 8601)
    [surveys.scales.recommend]
    from = [1, 10]                     # your scale; converted linearly to 0-10
    [surveys.values.csat]
    "Very satisfied" = 5

``read_mapping`` reads and checks the file; ``read_table`` reads one table
through it in chunks, keeping only the columns asked for in compact dtypes,
and records every problem (file, column, spreadsheet lines, fix) in a
``Problems`` list instead of stopping at the first.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from cxkit.data.schema import DEPARTMENTS, SCHEMAS, Column
from cxkit.errors import CxkitError, close_match

TABLES = ("surveys", "touchpoints", "tickets", "handoffs")
FREE_TEXT = {("surveys", "touchpoint"), ("surveys", "survey_type"), ("touchpoints", "touchpoint")}
DEPARTMENT_COLUMNS = {"department", "from_department", "to_department"}
TOP_KEYS = {"name", "region", "departments", "own_departments", "touchpoint_owners", *TABLES}
TABLE_KEYS = {"file", "skip_rows", "columns", "constants", "dates", "scales", "values"}
# without a mapping, survey responses are surveys.csv and any later export beside it
# (surveys_2026-07.csv ...): a month's export added to the folder is read with the others
DEFAULT_FILES = {"surveys": "surveys*.csv"}
GLOB = "*?["
GUESSES = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
_SHOWN = 5


@dataclass(frozen=True)
class Scale:
    """A conversion of answers from the export's scale to cxkit's.

    Examples
    --------
    >>> s = Scale("recommend", (1, 10), (0, 10))
    >>> s.apply(pd.Series([1.0, 10.0, 6.0])).tolist()
    [0.0, 10.0, 6.0]
    >>> s.rule()
    'recommend: answered on 1-10, converted to 0-10 as round((x - 1) x 10 / 9)'
    """

    column: str
    source: tuple[float, float]
    target: tuple[float, float]

    def apply(self, values: pd.Series) -> pd.Series:
        """Convert linearly, rounding halves up so that the result stays on whole points."""
        (a, b), (c, d) = self.source, self.target
        return np.floor(c + (values - a) * (d - c) / (b - a) + 0.5)

    def rule(self) -> str:
        """The rule in words, for the report."""
        (a, b), (c, d) = self.source, self.target
        shift = f"(x - {a:g})" if a else "x"
        offset = f"{c:g} + " if c else ""
        return (
            f"{self.column}: answered on {a:g}-{b:g}, converted to {c:g}-{d:g} as "
            f"round({offset}{shift} x {d - c:g} / {b - a:g})"
        )


@dataclass
class TableMapping:
    """How one cxkit table is read from one file of the export."""

    table: str
    file: str
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    scales: dict[str, Scale] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    skip_rows: int = 0


@dataclass
class Mapping:
    """A whole mapping: tables, department names, touchpoint owners."""

    name: str = "cxkit's own layout"
    source: str = "(no mapping file: cxkit's own column names)"
    region: str = "NL"
    tables: dict[str, TableMapping] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)
    own_departments: tuple[str, ...] = ()
    touchpoint_owners: dict[str, str] = field(default_factory=dict)

    @property
    def known_departments(self) -> tuple[str, ...]:
        """cxkit's departments and the company's own, in that order."""
        return DEPARTMENTS + tuple(d for d in self.own_departments if d not in DEPARTMENTS)

    def rules(self) -> list[str]:
        """Every conversion the mapping makes, in words, for the report."""
        out = [s.rule() for t in self.tables.values() for s in t.scales.values()]
        for t in self.tables.values():
            for col, labels in t.values.items():
                pairs = ", ".join(f'"{k}" = {v}' for k, v in labels.items())
                out.append(f"{col}: answers written as labels, read as {pairs}")
            for col, fmt in t.dates.items():
                out.append(f"{col}: dates read as {fmt}")
            for col, value in t.constants.items():
                out.append(f'{col}: "{value}" for every row of {t.file}')
        if self.departments:
            pairs = ", ".join(f"{k} = {v}" for k, v in self.departments.items())
            out.append(f"departments renamed: {pairs}")
        return out


@dataclass
class Problem:
    """One thing wrong with the data or the mapping, with where and how to fix it."""

    file: str
    column: str
    what: str
    fix: str
    count: int = 0
    lines: list[int] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        where = f'{self.file}, column "{self.column}"' if self.column else self.file
        rows = ""
        if self.lines:
            shown = ", ".join(
                f"line {n}: {v!r}" if v else f"line {n}"
                for n, v in zip(self.lines, self.examples or [""] * len(self.lines), strict=False)
            )
            more = self.count - len(self.lines)
            rows = f" ({self.count} row(s): {shown}{f' and {more} more' if more > 0 else ''})"
        return f"{where}: {self.what}{rows}. Fix: {self.fix}"


class Problems(list[Problem]):
    """Problems found so far; the same problem found in several chunks is merged."""

    def add(
        self,
        file: str,
        column: str,
        what: str,
        fix: str,
        lines: Sequence[int] | np.ndarray = (),
        examples: Sequence[Any] | pd.Series = (),
        count: int | None = None,
    ) -> None:
        """Record a problem, or add rows to the same one found in an earlier chunk."""
        for p in self:
            if (p.file, p.column, p.what) == (file, column, what):
                break
        else:
            p = Problem(file, column, what, fix)
            self.append(p)
        p.count += len(lines) if count is None else count
        room = _SHOWN - len(p.lines)
        p.lines += [int(n) for n in lines[:room]]
        p.examples += [str(v) for v in list(examples)[:room]]

    def text(self) -> str:
        """All problems as a numbered list."""
        return "\n".join(f"{i}. {p}" for i, p in enumerate(self, start=1))


# --- reading the mapping file ----------------------------------------------------------------


def _load_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CxkitError(f"Cannot find the mapping file {path}. Check its name and folder.")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".toml":
            return tomllib.loads(text)
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            loaded = yaml.safe_load(text)
            if not isinstance(loaded, dict):
                raise CxkitError(f"{path} holds no mapping (keys and values). See the examples.")
            return loaded
    except tomllib.TOMLDecodeError as err:
        raise CxkitError(f"{path} is not valid TOML ({err}). Fix that line.") from None
    except Exception as err:  # yaml.YAMLError, without importing yaml for TOML users
        if isinstance(err, CxkitError):
            raise
        raise CxkitError(f"{path} is not valid YAML ({err}). Fix that line.") from None
    raise CxkitError(
        f"{path}: a mapping file ends in .toml, .yaml or .yml, not {path.suffix or 'nothing'}."
    )


def _pairs(raw: Any, where: str, problems: Problems, source: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(source, where, "must be a table of name = value pairs", "see the examples")
        return {}
    return {str(k): v for k, v in raw.items()}


def read_mapping(path: Path | None, data_dir: Path, problems: Problems) -> Mapping:
    """Read a mapping file (or, with None, cxkit's own layout) and record what is wrong in it.

    Parameters
    ----------
    path : Path or None
        A ``.toml``, ``.yaml`` or ``.yml`` file; None reads ``<table>.csv`` files
        laid out like the sample company.
    data_dir : Path
        The folder holding the export's files.
    problems : Problems
        Where problems with the mapping are recorded.

    Returns
    -------
    Mapping

    Examples
    --------
    >>> found = Problems()
    >>> from cxkit.data.load import sample_dir
    >>> m = read_mapping(None, sample_dir(), found)
    >>> sorted(m.tables), len(found)
    (['handoffs', 'surveys', 'tickets', 'touchpoints'], 0)
    """
    if path is None:
        tables = {
            t: TableMapping(t, DEFAULT_FILES.get(t, f"{t}.csv"), {c: c for c in SCHEMAS[t].names})
            for t in TABLES
            if export_files(data_dir, DEFAULT_FILES.get(t, f"{t}.csv"))
        }
        return Mapping(tables=tables)
    raw = _load_file(path)
    src = path.name
    for key in raw:
        if key not in TOP_KEYS:
            problems.add(
                src,
                str(key),
                "is not a mapping key",
                f"use one of {', '.join(sorted(TOP_KEYS))}.{close_match(str(key), TOP_KEYS)}",
            )
    mapping = Mapping(name=str(raw.get("name", path.stem)), source=src)
    mapping.region = str(raw.get("region", "NL")).upper()
    if len(mapping.region) != 2:
        problems.add(
            src,
            "region",
            f'"{mapping.region}" is not a two-letter country code',
            'write e.g. region = "GB"; it is used to find phone numbers in comments',
        )
        mapping.region = "NL"
    own = raw.get("own_departments", [])
    mapping.own_departments = tuple(str(d) for d in own) if isinstance(own, list) else ()
    known = mapping.known_departments
    mapping.departments = {
        k: str(v) for k, v in _pairs(raw.get("departments"), "departments", problems, src).items()
    }
    owners = _pairs(raw.get("touchpoint_owners"), "touchpoint_owners", problems, src)
    mapping.touchpoint_owners = {k: str(v) for k, v in owners.items()}
    for section, values in (
        ("departments", mapping.departments),
        ("touchpoint_owners", mapping.touchpoint_owners),
    ):
        for name, dept in values.items():
            if dept not in known:
                problems.add(
                    src,
                    f"{section}.{name}",
                    f'maps to "{dept}", which is not a department',
                    f"use one of {', '.join(known)}, or list it under own_departments."
                    f"{close_match(dept, known)}",
                )
    for table in TABLES:
        if table in raw:
            spec = _pairs(raw[table], table, problems, src)
            mapping.tables[table] = _table_mapping(table, spec, data_dir, problems, src)
    if "surveys" not in mapping.tables:
        problems.add(
            src,
            "surveys",
            "is missing: the scorecard needs survey responses",
            "add a [surveys] section with file = and [surveys.columns].",
        )
    return mapping


def _table_mapping(
    table: str, spec: dict[str, Any], data_dir: Path, problems: Problems, src: str
) -> TableMapping:
    schema = SCHEMAS[table]
    for key in spec:
        if key not in TABLE_KEYS:
            problems.add(
                src,
                f"{table}.{key}",
                "is not a table setting",
                f"use {', '.join(sorted(TABLE_KEYS))}.{close_match(key, TABLE_KEYS)}",
            )
    file = str(spec.get("file", f"{table}.csv"))
    columns = {
        k: str(v) for k, v in _pairs(spec.get("columns"), f"{table}.columns", problems, src).items()
    }
    tm = TableMapping(table, file, columns)
    tm.constants = {
        k: str(v)
        for k, v in _pairs(spec.get("constants"), f"{table}.constants", problems, src).items()
    }
    tm.dates = {
        k: str(v) for k, v in _pairs(spec.get("dates"), f"{table}.dates", problems, src).items()
    }
    tm.values = {
        k: _pairs(v, f"{table}.values.{k}", problems, src)
        for k, v in _pairs(spec.get("values"), f"{table}.values", problems, src).items()
    }
    skip = spec.get("skip_rows", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
        problems.add(
            src,
            f"{table}.skip_rows",
            f"{skip!r} is not a number of rows",
            "write a whole number, 0 or more.",
        )
    else:
        tm.skip_rows = skip
    named = [*tm.columns, *tm.constants, *tm.dates, *tm.values]
    for name in dict.fromkeys(named):
        if name not in schema.names:
            problems.add(
                src,
                f"{table}.{name}",
                f"is not a column of cxkit's {table} table",
                f"use one of {', '.join(schema.names)}.{close_match(name, schema.names)}",
            )
    for name in tm.dates:
        if name in schema.names and schema.column(name).kind not in ("date", "datetime"):
            problems.add(
                src,
                f"{table}.dates.{name}",
                "is not a date column",
                "give formats only for dates and times.",
            )
    for name, raw_scale in _pairs(spec.get("scales"), f"{table}.scales", problems, src).items():
        col = schema.column(name) if name in schema.names else None
        scale = _scale(table, name, col, raw_scale, problems, src)
        if scale is not None:
            tm.scales[name] = scale
    paths = export_files(data_dir, file)
    if not paths:
        problems.add(
            f"{data_dir.name}/{file}",
            "",
            "matches no file" if any(c in file for c in GLOB) else "does not exist",
            f'put the export there, or correct "file" under [{table}] in {src}.',
        )
        return tm
    header = _header(paths[0])
    for name in schema.names:  # columns the export already names as cxkit does
        if name not in tm.columns and name not in tm.constants and name in header:
            tm.columns[name] = name
    for path in paths:
        header = _header(path)
        for cx, theirs in tm.columns.items():
            if theirs not in header:
                problems.add(
                    src,
                    f"{table}.columns.{cx}",
                    f'names "{theirs}", which is not a column of {path.name}',
                    f"use one of the file's columns: {', '.join(header[:20])}."
                    f"{close_match(theirs, header)}",
                )
    return tm


def export_files(data_dir: Path, file: str) -> list[Path]:
    """The files of one table: ``file`` itself, or every file its pattern matches, by name.

    A pattern (``responses-*.csv``) reads exports that keep arriving: next month's
    file, dropped into the folder, is read with the others.

    Examples
    --------
    >>> from cxkit.data.load import sample_dir
    >>> [p.name for p in export_files(sample_dir(), "surveys*.csv")]
    ['surveys.csv']
    """
    if any(c in file for c in GLOB):
        return sorted(p for p in data_dir.glob(file) if p.is_file())
    path = data_dir / file
    return [path] if path.is_file() else []


def _scale(
    table: str, name: str, col: Column | None, raw: Any, problems: Problems, src: str
) -> Scale | None:
    where = f"{table}.scales.{name}"
    if col is None:
        return None
    if col.kind != "int" or col.low is None or col.high is None:
        problems.add(src, where, "is not a score column", "convert only scores.")
        return None
    given = raw.get("from") if isinstance(raw, dict) else None
    ok = (
        isinstance(given, list)
        and len(given) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in given)
        and given[0] < given[1]
    )
    if not ok:
        problems.add(
            src,
            where,
            f"has no usable from = [low, high] (found {given!r})",
            "write the export's scale, e.g. from = [1, 10].",
        )
        return None
    assert isinstance(given, list)
    return Scale(name, (float(given[0]), float(given[1])), (float(col.low), float(col.high)))


# --- reading the data --------------------------------------------------------------------------


def _header(path: Path) -> list[str]:
    from cxkit.data.load import sniff

    encoding, delimiter = sniff(path)
    try:
        return [
            str(c)
            for c in pd.read_csv(path, sep=delimiter, encoding=encoding, nrows=0, dtype=str).columns
        ]
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        return []


def _chunks(path: Path, usecols: list[str], skip: int, size: int) -> Iterator[pd.DataFrame]:
    from cxkit.data.load import sniff

    encoding, delimiter = sniff(path)
    yield from pd.read_csv(
        path,
        sep=delimiter,
        encoding=encoding,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        usecols=usecols,
        skiprows=range(1, 1 + skip),
        chunksize=size,
    )


def read_table(
    data_dir: Path,
    tm: TableMapping,
    mapping: Mapping,
    wanted: Sequence[str],
    problems: Problems,
    chunksize: int = 50_000,
    slim: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> pd.DataFrame | None:
    """Read the ``wanted`` cxkit columns of one table through the mapping, chunk by chunk.

    Scores come back as float32 (NaN = not answered), departments and touchpoints
    as categoricals, dates as datetime64; nothing else is kept, and ``slim`` may
    shrink each chunk further before the next is read. Every problem is recorded
    in ``problems`` with the file's line numbers (header = line 1).
    Returns None when the file cannot be read at all.
    """
    paths = export_files(data_dir, tm.file)
    if not paths:
        return None
    header = _header(paths[0])
    present = [c for c in wanted if c in tm.columns and tm.columns[c] in header]
    source_cols = list(dict.fromkeys(tm.columns[c] for c in present))
    if not source_cols:
        return None
    parts: list[dict[str, pd.Series]] = []  # column by column: see _join
    files: list[tuple[str, int]] = []  # each file read, and its rows
    for path in paths:
        shown = f"{data_dir.name}/{path.name}"
        rows = _read_file(path, shown, tm, mapping, present, problems, chunksize, slim, parts)
        if rows is None:
            return None
        files.append((shown, rows))
    if not parts:
        return None
    frame = _join(parts)
    for name, value in tm.constants.items():
        if name in wanted and name not in frame:
            frame[name] = pd.Categorical([value] * len(frame))
    frame.attrs["first_line"] = 2 + tm.skip_rows
    frame.attrs["file"] = files[0][0] if len(files) == 1 else f"{data_dir.name}/{tm.file}"
    frame.attrs["files"] = files
    return frame


def _read_file(
    path: Path,
    shown: str,
    tm: TableMapping,
    mapping: Mapping,
    present: list[str],
    problems: Problems,
    chunksize: int,
    slim: Callable[[pd.DataFrame], pd.DataFrame] | None,
    parts: list[dict[str, pd.Series]],
) -> int | None:
    """Read one file of a table into ``parts``; its rows, or None when it cannot be read."""
    if path.stat().st_size == 0:
        problems.add(shown, "", "is empty (0 bytes)", "export the table again with its data.")
        return None
    schema = SCHEMAS[tm.table]
    source_cols = list(dict.fromkeys(tm.columns[c] for c in present))
    rows = 0
    start = 2 + tm.skip_rows  # the first data row's line number
    try:
        for chunk in _chunks(path, source_cols, tm.skip_rows, chunksize):
            lines = np.arange(start, start + len(chunk))
            start += len(chunk)
            out = pd.DataFrame(index=pd.RangeIndex(len(chunk)))
            for name in present:
                col = schema.column(name)
                raw = chunk[tm.columns[name]].reset_index(drop=True)
                out[name] = _convert(raw, col, tm, mapping, lines, problems, shown)
            piece = slim(out) if slim else out
            parts.append({str(c): piece[c] for c in piece.columns})
            rows += len(piece)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        problems.add(
            shown,
            "",
            f"is not a readable CSV file ({str(err).strip()[:120]})",
            'save it as "CSV UTF-8 (comma delimited)" and try again.',
        )
        return None
    if rows == 0:
        problems.add(shown, "", "has a header but no rows", "export the table again with its data.")
        return None
    return rows


def locate(frame: pd.DataFrame, positions: np.ndarray) -> list[tuple[str, int]]:
    """Where rows of a table read by :func:`read_table` come from: (file, spreadsheet line).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": range(5)})
    >>> frame.attrs = {"first_line": 2, "files": [("a.csv", 3), ("b.csv", 2)]}
    >>> locate(frame, np.array([0, 4]))
    [('a.csv', 2), ('b.csv', 3)]
    """
    files = frame.attrs.get("files") or [(frame.attrs["file"], len(frame))]
    ends = np.cumsum([rows for _, rows in files])
    out = []
    for position in positions:
        number = int(np.searchsorted(ends, position, side="right"))
        before = int(ends[number - 1]) if number else 0
        out.append((files[number][0], int(position) - before + int(frame.attrs["first_line"])))
    return out


def _join(parts: list[dict[str, pd.Series]]) -> pd.DataFrame:
    """Concatenate chunks column by column, freeing each chunk's column as it goes.

    ``pd.concat`` of whole chunks holds the table twice at its peak; this holds it
    once plus one column. Categories that differ between chunks are united.
    """
    columns: dict[str, Any] = {}
    for name in list(parts[0]):
        pieces = [p.pop(name) for p in parts]
        if isinstance(pieces[0].dtype, pd.CategoricalDtype):
            united = union_categoricals([p.array for p in pieces])
            columns[name] = pd.Series(united)
        else:
            columns[name] = pd.concat(pieces, ignore_index=True)
        del pieces
    return pd.DataFrame(columns, copy=False)


def per_value(column: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``convert`` applied once per distinct value, and spread back over the rows.

    A column of answers holds few distinct values (scores, team names, days):
    converting those, not a million rows one by one, is what keeps a large export
    fast. Missing values stay missing and are not converted.

    Examples
    --------
    >>> per_value(pd.Series([" 9", "10 ", " 9", None]), lambda v: v.str.strip()).tolist()
    ['9', '10', '9', nan]
    """
    head = column.iloc[:1000]
    if head.nunique() > len(head) // 2:  # mostly distinct (ids): convert the column itself
        return convert(column)
    codes, uniques = pd.factorize(column)
    converted = convert(pd.Series(uniques, dtype=column.dtype)).to_numpy()
    if np.issubdtype(converted.dtype, np.number):
        out = converted.astype(float)[codes]
        out[codes < 0] = np.nan
        return pd.Series(out, index=column.index)
    taken = np.asarray(converted, dtype=object)[codes]
    taken[codes < 0] = None
    return pd.Series(taken, index=column.index, dtype=column.dtype)


def _lines_of(mask: np.ndarray, lines: np.ndarray) -> np.ndarray:
    return lines[np.flatnonzero(mask)[:_SHOWN]]


def _convert(
    raw: pd.Series,
    col: Column,
    tm: TableMapping,
    mapping: Mapping,
    lines: np.ndarray,
    problems: Problems,
    shown: str,
) -> Any:
    text = per_value(raw, lambda values: values.str.strip())
    present = text.notna().to_numpy() & (text != "").fillna(False).to_numpy()
    name = col.name
    if not col.nullable and col.kind != "int" and (~present).any():
        problems.add(
            shown,
            tm.columns[name],
            f"is empty, but every row needs {name} ({col.meaning})",
            "fill in these cells or leave the rows out.",
            _lines_of(~present, lines),
            count=int((~present).sum()),
        )
    if col.kind in ("id", "text"):
        return text
    if col.kind in ("date", "datetime"):
        return _dates(text, present, col, tm, lines, problems, shown)
    if col.kind == "int":
        scores = _scores(text, present, col, tm, lines, problems, shown)
        if tm.table == "surveys":
            return scores  # float32, NaN where not answered
        return scores.astype("Int64" if scores.isna().any() else "int64")
    if col.kind == "bool":
        lowered = text.str.lower()
        truth = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
        bad = present & ~lowered.isin(list(truth)).to_numpy()
        if bad.any():
            problems.add(
                shown,
                tm.columns[name],
                "is not True or False",
                "write True or False.",
                _lines_of(bad, lines),
                text[bad].head(_SHOWN),
                int(bad.sum()),
            )
        return lowered.map(truth).fillna(False).astype(bool)
    if name in DEPARTMENT_COLUMNS:
        renamed = text.replace(mapping.departments)
        known = mapping.known_departments
        bad = present & ~renamed.isin(known).to_numpy()
        for value in pd.unique(text[bad])[:20]:
            where = bad & (text == value).to_numpy()
            typo = close_match(str(value), mapping.departments)
            hint = close_match(str(value), known).replace(" Did you mean ", "").rstrip("?")
            fix = (
                f"correct it in the export or add it under [departments]:{typo}"
                if typo
                else f'add "{value}" = {hint or "<a department>"} under [departments] in the '
                f"mapping, or list it under own_departments (cxkit's departments: "
                f"{', '.join(known)})"
            )
            problems.add(
                shown,
                tm.columns[name],
                f'has the unknown department "{value}"',
                fix,
                _lines_of(where, lines),
                count=int(where.sum()),
            )
        return pd.Categorical(renamed.where(~pd.Series(bad)), categories=list(known))
    if (tm.table, name) in FREE_TEXT or col.values is None:
        return pd.Categorical(text)
    bad = present & ~text.isin(list(col.values)).to_numpy()
    if bad.any():
        problems.add(
            shown,
            tm.columns[name],
            "has values that are not allowed",
            f"use {', '.join(col.values)}, or map them under [{tm.table}.values.{name}]",
            _lines_of(bad, lines),
            text[bad].head(_SHOWN),
            int(bad.sum()),
        )
    return pd.Categorical(text.where(~pd.Series(bad)), categories=list(col.values))


def _guess_format(values: pd.Series) -> str:
    for fmt in GUESSES:
        if pd.to_datetime(values.str.slice(0, 10), format=fmt, errors="coerce").notna().all():
            return fmt
    return ""


def _dates(
    text: pd.Series,
    present: np.ndarray,
    col: Column,
    tm: TableMapping,
    lines: np.ndarray,
    problems: Problems,
    shown: str,
) -> pd.Series:
    fmt = tm.dates.get(col.name, "ISO8601")
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    bad = present & parsed.isna().to_numpy()
    if bad.any():
        wrong = text[bad]
        other = _guess_format(wrong.head(50))
        expected = "ISO 8601 (YYYY-MM-DD, optionally with a time)" if fmt == "ISO8601" else fmt
        what = f"has dates not written {expected}"
        if bad.sum() < present.sum():
            what += ": mixed date formats in one column"
        if other:
            what += f" (these look like {other})"
        problems.add(
            shown,
            tm.columns[col.name],
            what,
            "export every date in one format, or fix these rows; give the format as "
            f'{col.name} = "<format>" under [{tm.table}.dates]',
            _lines_of(bad, lines),
            wrong.head(_SHOWN),
            int(bad.sum()),
        )
    return parsed.astype("datetime64[s]")


def _scores(
    text: pd.Series,
    present: np.ndarray,
    col: Column,
    tm: TableMapping,
    lines: np.ndarray,
    problems: Problems,
    shown: str,
) -> pd.Series:
    labels = tm.values.get(col.name)
    source = tm.columns[col.name]
    if labels:
        text = per_value(text, lambda values: values.map(lambda v: labels.get(v, v)))
    number = per_value(text, lambda values: pd.to_numeric(values, errors="coerce"))
    bad = present & number.isna().to_numpy()
    if bad.any():
        problems.add(
            shown,
            source,
            f"has answers that are not numbers (expected {col.name})",
            f"map text answers to numbers under [{tm.table}.values.{col.name}], "
            "or clear these cells",
            _lines_of(bad, lines),
            text[bad].head(_SHOWN),
            int(bad.sum()),
        )
    scale = tm.scales.get(col.name)
    low, high = scale.source if scale else (col.low, col.high)
    assert low is not None and high is not None
    outside = present & ~bad & ~number.between(low, high).to_numpy()
    fraction = present & ~bad & ~outside & (number % 1 != 0).to_numpy()
    for mask, what in (
        (outside, f"has answers outside {low:g}-{high:g}"),
        (fraction, "has answers that are not whole numbers"),
    ):
        if mask.any():
            fix = (
                f"if the question used another scale, give it as from = [low, high] under "
                f"[{tm.table}.scales.{col.name}]"
                if scale is None and mask is outside
                else "correct or clear these cells"
            )
            problems.add(
                shown,
                source,
                what,
                fix,
                _lines_of(mask, lines),
                text[mask].head(_SHOWN),
                int(mask.sum()),
            )
    keep = number.where(~(outside | fraction))
    if scale is not None:
        keep = scale.apply(keep)
    return keep.astype("float32")


def hash_ids(ids: pd.Series) -> np.ndarray:
    """Ids as 64-bit hashes: 8 bytes a row instead of a Python string (about 60).

    Examples
    --------
    >>> keys = hash_ids(pd.Series(["R1", "R2", "R1"]))
    >>> str(keys.dtype), bool(keys[0] == keys[2]), bool(keys[0] == keys[1])
    ('uint64', True, False)
    """
    return pd.util.hash_array(ids.fillna("").to_numpy(dtype=object))


def row_keys(rows: pd.DataFrame) -> np.ndarray:
    """One 64-bit key per row from all its values: an id for exports that have none.

    Google Forms exports a timestamp and the answers, and no response id. The same
    row (same time, same answers) gets the same key in every chunk and every run,
    so a response exported twice is found as a duplicate.

    Examples
    --------
    >>> rows = pd.DataFrame({"when": ["2026-03-01 10:02:11"] * 3, "recommend": [9, 9, 4]})
    >>> keys = row_keys(rows)
    >>> bool(keys[0] == keys[1]), bool(keys[0] == keys[2])
    (True, False)
    """
    return pd.util.hash_pandas_object(rows, index=False).to_numpy()


def duplicates(keys: np.ndarray) -> tuple[int, np.ndarray]:
    """Count repeated ids (or their hashes); return (count, positions of the first rows involved).

    Examples
    --------
    >>> count, where = duplicates(hash_ids(pd.Series(["a", "b", "a"])))
    >>> count, where.tolist()
    (1, [0, 2])
    """
    series = pd.Series(keys)
    repeated = series.duplicated(keep=False).to_numpy()
    return int(series.duplicated().sum()), np.flatnonzero(repeated)[:_SHOWN]


def values_at(data_dir: Path, tm: TableMapping, name: str, positions: np.ndarray) -> list[str]:
    """Read one column again to quote the values at some row positions (for messages)."""
    column = tm.columns[name]
    values = pd.concat(
        chunk[column]
        for path in export_files(data_dir, tm.file)
        for chunk in _chunks(path, [column], tm.skip_rows, 500_000)
    )
    return [str(v) for v in values.iloc[positions]]


def describe_period(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    """The period in words.

    Examples
    --------
    >>> describe_period(pd.Timestamp("2026-01-01"), None)
    'from 2026-01-01'
    """
    if start is None and end is None:
        return "all responses"
    if end is None:
        return f"from {start:%Y-%m-%d}"
    if start is None:
        return f"up to {end:%Y-%m-%d}"
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"


def parse_period(text: str | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Read ``--period``: ``START:END`` (either may be empty), ``2026``, ``2026-Q1`` or ``2026-03``.

    Both ends are included.

    Examples
    --------
    >>> parse_period("2026-01-01:2026-06-30")
    (Timestamp('2026-01-01 00:00:00'), Timestamp('2026-06-30 00:00:00'))
    >>> parse_period("2026-Q2")
    (Timestamp('2026-04-01 00:00:00'), Timestamp('2026-06-30 00:00:00'))
    """
    if not text:
        return None, None
    text = text.strip()
    try:
        if ":" in text:
            left, right = text.split(":", 1)
            start = pd.Timestamp(left) if left.strip() else None
            end = pd.Timestamp(right) if right.strip() else None
        elif len(text) == 4 and text.isdigit():
            start, end = pd.Timestamp(f"{text}-01-01"), pd.Timestamp(f"{text}-12-31")
        elif "-Q" in text.upper():
            p = pd.Period(text.upper().replace("-", ""), freq="Q")
            start, end = p.start_time.normalize(), p.end_time.normalize()
        elif len(text) == 7:
            p = pd.Period(text, freq="M")
            start, end = p.start_time.normalize(), p.end_time.normalize()
        else:
            raise ValueError(text)
    except ValueError:
        raise CxkitError(
            f'--period "{text}" is not a period. Write START:END as dates (2026-01-01:2026-06-30,'
            " either side may be empty), a year (2026), a quarter (2026-Q1) or a month (2026-03)."
        ) from None
    if start is not None and end is not None and end < start:
        raise CxkitError(f'--period "{text}" ends before it starts. Swap the two dates.')
    return start, end
