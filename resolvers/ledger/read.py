"""Reading a bundle (a folder or a .zip of one) into rows with file and line numbers.

Decoding and CSV problems are reported, never raised: a file that cannot be read yields a
problem and no rows, and the rest of the bundle is still checked.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from resolvers.ledger.spec import BY_NAME, FileSpec

csv.field_size_limit(1 << 20)  # a 1 MiB cell is an error we report, not a crash
# what reading a truncated or corrupted (data or names), encrypted or oddly compressed zip raises
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, NotImplementedError, RuntimeError)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    message: str
    code: str = "INVALID"  # what kind of problem: INVALID, NOT_FOUND, OVERLAP, MERGED, NOT_A_MEMBER, CONFLICT

    def __str__(self) -> str:  # one line of the report, even when a quoted cell held a line break
        text = f"{self.file}:{self.line}: {self.column}: {self.message}"
        return text.replace("\r", "\\r").replace("\n", "\\n")


@dataclass
class SourceRow:
    """One data row: canonical column -> stripped cell (``None`` when empty)."""

    file: str
    line: int
    values: dict[str, str | None]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class ParsedFile:
    spec: FileSpec
    header: list[str]
    rows: list[SourceRow]


def bundle_files(path: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """The CSV files of a bundle by file name, from a folder or a zip (one folder level deep)."""
    problems: list[Problem] = []
    found: dict[str, bytes] = {}
    if path.is_dir():
        entries = {
            p.name: p.read_bytes for p in sorted(path.iterdir()) if p.is_file() and p.suffix.lower() == ".csv"
        }
        contents = {name: read() for name, read in entries.items()}
    elif path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)):
        try:
            with zipfile.ZipFile(path) as archive:
                names = [
                    n
                    for n in archive.namelist()
                    if n.lower().endswith(".csv") and not n.startswith("__MACOSX")
                ]
                depth = min((len(PurePosixPath(n).parts) for n in names), default=1)
                contents = {
                    PurePosixPath(n).name: archive.read(n)
                    for n in names
                    if len(PurePosixPath(n).parts) == depth
                }
        except ZIP_ERRORS as exc:
            return {}, [Problem(path.name, 0, "-", f"damaged .zip file ({exc}); zip the bundle again")]
    else:
        raise FileNotFoundError(f"{path}: not a folder or a .zip file")
    for name, data in contents.items():
        if name not in BY_NAME:
            problems.append(
                Problem(name, 0, "-", f"unknown file; a bundle holds any of: {', '.join(sorted(BY_NAME))}")
            )
        else:
            found[name] = data
    if not found and not problems:
        problems.append(Problem(str(path), 0, "-", "no CSV files of the import format found"))
    return found, problems


def decode(name: str, data: bytes) -> tuple[str | None, Problem | None]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, Problem(
            name, line, "-", f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        )


def parse(name: str, text: str) -> tuple[ParsedFile | None, list[Problem]]:
    """Header mapping (English or Chinese), cell count checks, one SourceRow per record."""
    spec = BY_NAME[name]
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header_cells = next(reader, None)
    except csv.Error as exc:
        return None, [Problem(name, reader.line_num, "-", f"broken CSV in the header: {exc}")]
    if not header_cells:
        return None, [
            Problem(name, 1, "-", f"empty file: the header row is missing; expected {spec.describe()}")
        ]
    header: list[str] = []
    for cell in header_cells:
        label = cell.strip().lstrip("\ufeff")
        canonical = spec.by_alias.get(label) or spec.by_alias.get(label.lower())
        if canonical is None:
            problems.append(
                Problem(name, 1, label or "(empty)", f"unknown column; expected {spec.describe()}")
            )
        elif canonical in header:
            problems.append(Problem(name, 1, label, f"column '{canonical}' appears twice"))
        header.append(canonical or "")
    missing = [c for c in spec.required if c not in header]
    if missing:
        problems.append(
            Problem(name, 1, ",".join(missing), f"required column missing; expected {spec.describe()}")
        )
    if problems:
        return None, problems
    rows: list[SourceRow] = []
    absent = [c.name for c in spec.columns if c.name not in header]  # optional columns not given: empty
    width = len(header)
    last_line = reader.line_num
    try:
        for cells in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) != width:
                problems.append(
                    Problem(name, line, "-", f"row has {len(cells)} cells but the header has {width}")
                )
                continue
            values: dict[str, str | None] = dict.fromkeys(absent)
            for column, cell in zip(header, cells, strict=True):
                cell = cell.strip()
                values[column] = cell or None
            rows.append(SourceRow(name, line, values))
    except csv.Error as exc:
        problems.append(Problem(name, last_line + 1, "-", f"broken CSV (check the quotes): {exc}"))
    return ParsedFile(spec, header, rows), problems


class Bundle(Mapping[str, ParsedFile]):
    """The bundle's files, each decoded and parsed when first asked for.

    Parsing file by file lets an import into an empty graph start writing the first files while
    later ones are still unread. Decoding and CSV problems go to ``problems`` as files are
    parsed; a file that cannot be parsed is absent.
    """

    def __init__(self, files: dict[str, bytes], problems: list[Problem]) -> None:
        self._raw = files
        self._parsed: dict[str, ParsedFile | None] = {}
        self.problems = problems

    def _load(self, name: str) -> ParsedFile | None:
        if name not in self._parsed:
            data = self._raw.pop(name, None)
            result = None
            if data is not None:
                text, problem = decode(name, data)
                if problem is not None or text is None:
                    self.problems.append(problem or Problem(name, 0, "-", "unreadable"))
                else:
                    result, found = parse(name, text)
                    self.problems.extend(found)
            self._parsed[name] = result
        return self._parsed[name]

    def __getitem__(self, name: str) -> ParsedFile:
        found = self._load(name) if isinstance(name, str) else None
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._load(name) is not None

    def __iter__(self) -> Iterator[str]:
        names = [*self._parsed, *self._raw]
        return iter([name for name in names if self._load(name) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def read_bundle(path: Path) -> tuple[Bundle, list[Problem]]:
    """The bundle's files (parsed lazily, see Bundle) and its problems, which grow as files are
    parsed: read ``bundle.problems`` after using the files."""
    files, problems = bundle_files(path)
    bundle = Bundle(files, problems)
    return bundle, bundle.problems


def iter_rows(parsed: dict[str, ParsedFile], name: str) -> Iterator[SourceRow]:
    if name in parsed:
        yield from parsed[name].rows
