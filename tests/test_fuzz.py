"""Fuzzing (issue 8): generated GraphQL over HTTP and damaged import bundles, on the real database.

* GraphQL: documents generated from the schema the app serves (its introspection), queries and
  mutations, with random arguments given inline (hypothesis-graphql) or as variables (our own
  generator below), full of nasty values: quotes, backticks, braces, ``$``, Cypher keywords, NUL,
  lone surrogates, very long strings, rare Unicode, huge and negative ints, bad dates, ids and
  cursors. Every answer is JSON GraphQL, never a 500, and never the masked "Unexpected error."
  that an unhandled exception in our code turns into.
* Bundles: the example bundle with random damage (truncated files and rows, dropped, duplicated
  and swapped cells, wrong encodings, 2 MB fields, broken quotes, NUL and random bytes, bad dates,
  broken zips) imported into an empty graph: no exception escapes, every problem reads
  ``file:line: column: message`` naming a file of the bundle, and nothing is written, unless
  the damage left a valid bundle (then it imports).

Hypothesis runs derandomized (the same examples every run) without an example database.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, TEST_SECRET, TODAY, bearer, dump
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes
from starlette.testclient import TestClient

from graph.base import Backend
from graph.embedded import EmbeddedFalkorDB
from resolvers.ledger import import_bundle
from resolvers.personal import PersonalData
from schema import Context, schema
from service.settings import Settings

FUZZ = settings(
    derandomize=True,  # reproducible in CI: the same examples every run
    database=None,  # no .hypothesis/ folder in the work tree
    deadline=None,  # the database answers in variable time
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MASKED = "Unexpected error."  # strawberry's MaskErrors message: an unhandled exception in our code

# ---- values ---------------------------------------------------------------------------------------
KNOWN = [  # keys of the example bundle, so generated requests also reach rows that exist
    *(f"P00{i}" for i in range(1, 7)),
    "430105", "430105001", "430105001001", "430105001002", "43010500100101", "43010500100201",
    "4301050010010001", "4301050010020001", "C-A1", "C-B1", "D-A1-101", "D-A1-102", "D-B1-201",
    "H-001", "H-002", "PO-A", "PO-A1", "PO-U1", "T-A1", "11430105000010011C", "12430105000010022D",
    "COMMUNITY", "COMPOUND", "PARTY_ORG", "GRID", "BUILDING", "GRID_WORKER", "BUILDING_HEAD",
    "ORG", "EXCELLENT", "QUALIFIED", "M", "F", "OWNER", "TENANT", "户主", "王建国", "社区",
]  # fmt: skip
NASTY = [
    "", " ", "'", '"', "`", "\\", "\\'", "''", '""', "{", "}", "{}", "[]", "()", "$", "$x", "${x}",
    "$$", "%", "_", "*", "'; MATCH (n) DETACH DELETE n //", '" OR 1=1 //', "}) RETURN 1 AS x //",
    "`) DETACH DELETE n //", "MATCH (n) RETURN n", "CALL db.labels()", "UNION ALL", "LOAD CSV",
    "\x00", "P0\x0001", "\ud800", "a\udfffb", "𠮷", "𠮷野家", "\u200b", "\ufeff", "\u202e",
    "🙂", "\r\n", "\n", "\t", "null", "true", "-1", "0", "1e309", "NaN", "%s%n", "../../etc/passwd",
    "<script>alert(1)</script>", "ＡＢＣ１２３", "²", "①", "٣", "P001" + "'" * 50,
]  # fmt: skip
LONG = st.sampled_from([("x", 10_000), ("𠮷", 5_000), ("'", 2_000), ("汉", 1_000), ("a", 300_000)]).flatmap(
    lambda cn: st.just(cn[0] * cn[1]) if cn[1] < 300_000 else st.sampled_from([cn[0] * 100, cn[0] * cn[1]])
)  # rarely over the body limit (413)
STRINGS = st.one_of(
    st.sampled_from(KNOWN),
    st.sampled_from(NASTY),
    LONG,
    st.text(max_size=40),
    st.text(st.characters(codec=None), max_size=20),  # any code point, surrogates too
    st.tuples(st.sampled_from(KNOWN), st.sampled_from(NASTY)).map("".join),
)
LABELS = ["Person", "Community", "Unit", "PartyOrg", "Street", "District", "Grid", "Compound", "Area",
          "Building", "Dwelling", "Household", "Region", "Evaluation", "VolunteerTeam", "CollectiveOrg",
          "Audit", "Nope", "", "person"]  # fmt: skip


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode()


IDS = st.one_of(
    st.tuples(st.sampled_from(LABELS), st.one_of(st.sampled_from(KNOWN), STRINGS)).map(
        lambda lk: b64(f"{lk[0]}:{lk[1]}").rstrip("=")
    ),
    STRINGS,
)
JSON_KEYS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63, max_value=2**200),
    st.floats(allow_nan=False, allow_infinity=False), STRINGS,
)  # fmt: skip
CURSORS = st.one_of(
    st.lists(JSON_KEYS, max_size=3).map(lambda key: b64(json.dumps(key))),
    st.recursive(JSON_KEYS, lambda inner: st.lists(inner, max_size=2), max_leaves=4).map(
        lambda key: b64(json.dumps(key))
    ),
    st.sampled_from([b64('["\\u0000"]'), b64('["\\ud800"]'), b64("[" * 5000 + "]" * 5000), b64("{}")]),
    STRINGS,
)
INTS_32 = st.one_of(
    st.sampled_from([0, 1, -1, 2, 3, 4, 6, 7, 10, 99, 100, 101, 500, 501, 1000, 1920, 1921, 2024, 9999,
                     2**31 - 1, -(2**31)]),
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
)  # fmt: skip
INTS = st.one_of(
    INTS_32, st.sampled_from([2**31, -(2**31) - 1, 2**63, 10**30])
)  # the last: not a GraphQL Int
BAD_DATES = st.one_of(
    st.sampled_from(["2023-02-30", "2023-13-01", "2024-00-10", "0000-00-00", "0001-01-01", "9999-12-31",
                     "2099-01-01", "20240101", "2024/01/01", "2024-1-1", "２０２４-０１-０１", "2024-01-01T00:00",
                     " 2024-01-01", "-2024-01-01", "+12024-01-01", "2024-W01-1", "2023-02-29", ""]),
    STRINGS,
)  # fmt: skip
REAL_DATES = st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat)
DATES = st.one_of(REAL_DATES, BAD_DATES)
ANY_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
              STRINGS),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(STRINGS, inner, max_size=3)),
    max_leaves=6,
)  # fmt: skip


def rarely(
    strategy: st.SearchStrategy[Any], other: st.SearchStrategy[Any], one_in: int
) -> st.SearchStrategy[Any]:
    return st.integers(1, one_in).flatmap(lambda n: other if n == 1 else strategy)


def scalar_values(name: str, argument: str, hostile: bool) -> st.SearchStrategy[Any]:
    if argument == "after":
        return CURSORS
    if name == "Date":
        return DATES if hostile else rarely(REAL_DATES, BAD_DATES, 10)
    if name == "Int" and not hostile:
        return INTS_32
    return {
        "String": STRINGS,
        "ID": IDS,
        "Int": INTS,
        "Float": st.floats(allow_nan=False, allow_infinity=False),
        "Boolean": st.booleans(),
    }.get(name, ANY_JSON)


def values(type_: GraphQLInputType, argument: str = "", hostile: bool = False) -> st.SearchStrategy[Any]:
    """JSON values for a variable of ``type_``: of the type with nasty strings, or (``hostile``) also
    null for non-null, values of other types, unknown enum values, bad dates and 64-bit ints."""
    if isinstance(type_, GraphQLNonNull):
        inner = typed_values(type_.of_type, argument, hostile)
        return rarely(inner, st.none(), 20) if hostile else inner
    return rarely(typed_values(type_, argument, hostile), st.none(), 5)


def typed_values(type_: GraphQLInputType, argument: str, hostile: bool) -> st.SearchStrategy[Any]:
    strategy: st.SearchStrategy[Any]
    if isinstance(type_, GraphQLList):
        strategy = st.lists(values(type_.of_type, argument, hostile), max_size=4)
    elif isinstance(type_, GraphQLEnumType):
        known = st.sampled_from(sorted(type_.values))
        strategy = rarely(known, STRINGS, 5) if hostile else known
    elif isinstance(type_, GraphQLInputObjectType):
        fields = sorted(type_.fields.items())
        required = {n: values(f.type, n, hostile) for n, f in fields if isinstance(f.type, GraphQLNonNull)}
        optional = {
            n: values(f.type, n, hostile) for n, f in fields if not isinstance(f.type, GraphQLNonNull)
        }
        strategy = st.fixed_dictionaries(required, optional=optional)
    else:
        assert isinstance(type_, GraphQLScalarType)
        strategy = scalar_values(type_.name, argument, hostile)
    return rarely(strategy, ANY_JSON, 10) if hostile else strategy


# ---- documents with variables, generated from the served schema -------------------------------------
@st.composite
def operations(draw: st.DrawFn, served: GraphQLSchema) -> tuple[str, dict[str, Any]]:
    """One root field (query or mutation) with every argument a variable, and a random selection
    down to depth 3 whose own arguments are variables too."""
    assert served.query_type is not None and served.mutation_type is not None
    roots = [(served.query_type, n) for n in served.query_type.fields]
    roots += [(served.mutation_type, n) for n in served.mutation_type.fields]
    root, name = draw(st.sampled_from(roots))
    hostile = draw(st.integers(1, 5)) == 1  # one request in five breaks the variables' types too
    declarations: list[str] = []
    variables: dict[str, Any] = {}

    def arguments(field: Any) -> str:
        given_args = []
        for arg_name, arg in sorted(field.args.items()):
            required = isinstance(arg.type, GraphQLNonNull)
            if not required and draw(st.booleans()):
                continue
            variable = f"v{len(declarations)}"
            declarations.append(f"${variable}: {arg.type}")
            if not (hostile and required and draw(st.integers(1, 10)) == 1):  # a required one missing
                variables[variable] = draw(values(arg.type, arg_name, hostile))
            given_args.append(f"{arg_name}: ${variable}")
        return f"({', '.join(given_args)})" if given_args else ""

    def selection(type_: GraphQLNamedType, depth: int) -> str:
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            possible = sorted(served.get_possible_types(type_), key=lambda t: t.name)
            chosen = draw(st.lists(st.sampled_from(possible), max_size=2, unique_by=lambda t: t.name))
            return "{ __typename " + " ".join(f"... on {t.name} {selection(t, depth)}" for t in chosen) + " }"
        assert isinstance(type_, GraphQLObjectType)
        fields = sorted(type_.fields.items())
        chosen_fields = draw(
            st.lists(st.sampled_from(fields), min_size=1, max_size=5, unique_by=lambda f: f[0])
        )
        parts = []
        for field_name, field in chosen_fields:
            named = get_named_type(field.type)
            if is_leaf_type(named):
                parts.append(f"{field_name}{arguments(field)}")
            elif depth < 3:
                parts.append(f"{field_name}{arguments(field)} {selection(named, depth + 1)}")
        return "{ " + (" ".join(parts) or "__typename") + " }"

    field = root.fields[name]
    named = get_named_type(field.type)
    body = f"{name}{arguments(field)}"
    if not is_leaf_type(named):
        body += " " + selection(named, 1)
    kind = "query" if root is served.query_type else "mutation"
    header = f"({', '.join(declarations)})" if declarations else ""
    return f"{kind}{header} {{ {body} }}", variables


# ---- the app over HTTP ------------------------------------------------------------------------------
class Failures(logging.Handler):
    """Tracebacks strawberry logs for errors raised in resolvers (masked for the client)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.tracebacks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.tracebacks.append(logging.Formatter().formatException(record.exc_info))


class Service:
    def __init__(self, client: TestClient, failures: Failures) -> None:
        self.client, self.failures = client, failures
        self.headers = bearer()  # one ADMIN token: the test app has no rate limit
        introspection = client.post(
            "/graphql", json={"query": get_introspection_query()}, headers=self.headers
        )
        self.schema = build_client_schema(introspection.json()["data"])

    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST a GraphQL request and check the answer; the parsed JSON body."""
        seen = len(self.failures.tracebacks)
        response = self.client.post(  # ASCII JSON: a lone surrogate travels as its \\ud800 escape
            "/graphql", content=json.dumps(body), headers={**self.headers, "Content-Type": "application/json"}
        )
        assert response.status_code < 500, (response.status_code, response.text[:2000])
        assert response.headers["content-type"].startswith("application/json"), response.headers
        answer = response.json()
        assert isinstance(answer, dict) and ("data" in answer or "errors" in answer), answer
        errors = answer.get("errors") or []
        assert isinstance(errors, list)
        for error in errors:
            assert isinstance(error, dict) and isinstance(error.get("message"), str), error
            assert error["message"] != MASKED, "\n".join(
                [*self.failures.tracebacks[seen:], repr(body)[:3000]]
            )
        if currently_in_test_context():
            event(outcome(response.status_code, answer))
        return answer


def outcome(status: int, answer: dict[str, Any]) -> str:
    """What kind of answer this was, for ``--hypothesis-show-statistics``."""
    errors = answer.get("errors") or []
    if not errors:
        return f"{status} data"
    first = errors[0]
    code = (first.get("extensions") or {}).get("code")
    kind = code or (
        "resolver" if first.get("path") else re.sub(r"'[^']*'|\"[^\"]*\"", "…", first["message"])[:70]
    )
    return f"{status} error: {kind}"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, falkor_server: EmbeddedFalkorDB) -> Iterator[Service]:
    """The app on its own graph of the session's FalkorDB, the example bundle loaded, no rate limit."""
    from service.app import create_app

    settings_ = Settings(
        graph_uri=f"unix://{falkor_server.socket_path}",
        graph_key="fuzz-http",
        data_dir=tmp_path_factory.mktemp("fuzz") / "data",
        secret_key=TEST_SECRET,
        rate_limit=0,  # thousands of requests from one token
    )

    async def load(backend: Backend) -> None:
        await backend.clear()
        assert (await import_bundle(backend, EXAMPLE, PersonalData.from_secret(TEST_SECRET), today=TODAY)).ok

    failures = Failures()
    logger = logging.getLogger("strawberry.execution")
    logger.addHandler(failures)
    try:
        with TestClient(create_app(settings_, prepare=load)) as client:
            yield Service(client, failures)
    finally:
        logger.removeHandler(failures)


@settings(FUZZ, max_examples=400)
@given(data=st.data())
def test_generated_operations_with_variables(service: Service, data: st.DataObject) -> None:
    document, variables = data.draw(operations(service.schema), label="operation")
    service.post({"query": document, "variables": variables})


def inline_scalars() -> dict[str, st.SearchStrategy[Any]]:
    return {
        "String": STRINGS.map(nodes.String),
        "ID": IDS.map(nodes.String),
        "Int": INTS.map(nodes.Int),
        "Date": rarely(REAL_DATES, BAD_DATES, 10).map(nodes.String),
    }


@settings(FUZZ, max_examples=400)
@given(data=st.data())
def test_generated_documents_with_inline_arguments(service: Service, data: st.DataObject) -> None:
    served = service.schema
    assert served.query_type is not None and served.mutation_type is not None
    fields = sorted({*served.query_type.fields, *served.mutation_type.fields})
    field = data.draw(st.sampled_from(fields), label="field")
    document = data.draw(
        from_schema(served, fields=[field], custom_scalars=inline_scalars()), label="document"
    )
    service.post({"query": document})


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_invalid_documents_are_refused_with_graphql_errors(service: Service, data: st.DataObject) -> None:
    served = service.schema
    assert served.query_type is not None and served.mutation_type is not None
    fields = sorted({*served.query_type.fields, *served.mutation_type.fields})
    field = data.draw(st.sampled_from(fields), label="field")
    document = data.draw(
        from_schema(served, fields=[field], custom_scalars=inline_scalars(), mode=Mode.NEGATIVE),
        label="document",
    )
    answer = service.post({"query": document})
    assert answer.get("errors"), answer


# ---- damaged bundles --------------------------------------------------------------------------------
ORIGINAL = {p.name: p.read_bytes() for p in sorted(EXAMPLE.glob("*.csv"))}
PROBLEM = re.compile(r"(?P<file>[^:\n]+):(?P<line>\d+): (?P<column>[^\n]+?): (?P<message>[^\n]+)")
ENCODINGS = ["gbk", "gb18030", "big5", "shift_jis", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1"]
BAD_CELLS = [
    "2023-02-30", "2023-13-01", "0000-00-00", "2020/01/01", "2020-1-1", "２０２０-０１-０１", "2020-W01-1",
    "99999-01-01", "2099-01-01", "1800-01-01", "-5", "0", "1e9", "99999999999999999999", "²", "①", "１２",
    "٣", "NaN", "", " ", '"', '""', '"x', 'x"y', "a,b", "a\nb", '"a\nb"', "\x00", "\r", "'", "`", "\\",
    "$x", "{}", "'; MATCH (n) DETACH DELETE n //", "𠮷", "\ufeff", "\u202e", "男", "女", "正式", "ORG ",
    "430105001001 ", "43010500100", "4301050010011", "P001", "C-A1", "11430105000010011C",
    "11430105000010011c", "12430105000010022I",
]  # fmt: skip
HUGE = [b"x" * 2_000_000, "汉".encode() * 700_000, b'"' + b"x" * 2_000_000 + b'"']
UNKNOWN_NAMES = ["people.csv", "Persons.CSV", "persons .csv", "regions.csv.csv", "台账.csv"]


def line_and_cells(draw: st.DrawFn, data: bytes) -> tuple[list[bytes], int, list[bytes]]:
    lines = data.split(b"\n")
    i = draw(st.integers(0, len(lines) - 1))
    return lines, i, lines[i].split(b",")


def damage_cells(kind: str, draw: st.DrawFn, data: bytes) -> bytes:
    lines, i, cells = line_and_cells(draw, data)
    j = draw(st.integers(0, max(len(cells) - 1, 0)))
    k = draw(st.integers(0, max(len(cells) - 1, 0)))
    if kind == "drop cell":
        del cells[j]
    elif kind == "duplicate cell":
        cells.insert(j, cells[j])
    elif kind == "swap cells":
        cells[j], cells[k] = cells[k], cells[j]
    elif kind == "bad cell":
        cells[j] = draw(st.sampled_from(BAD_CELLS)).encode("utf-8")
    elif kind == "huge cell":
        cells[j] = draw(st.sampled_from(HUGE))
    elif kind == "swap columns":
        for n, line in enumerate(lines):
            row = line.split(b",")
            if max(j, k) < len(row):
                row[j], row[k] = row[k], row[j]
                lines[n] = b",".join(row)
        return b"\n".join(lines)
    lines[i] = b",".join(cells)
    return b"\n".join(lines)


def damage_bytes(kind: str, draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    if kind == "truncate":
        return data[:at]
    if kind == "broken quote":
        lines, i, _ = line_and_cells(draw, data)
        cut = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:cut] + b'"' + lines[i][cut:]
        return b"\n".join(lines)
    if kind == "NUL":
        return data[:at] + b"\x00" + data[at:]
    if kind == "random bytes":
        return data[:at] + draw(st.binary(min_size=1, max_size=12)) + data[at:]
    if kind == "overwrite bytes":
        noise = draw(st.binary(min_size=1, max_size=8))
        return data[:at] + noise + data[at + len(noise) :]
    if kind == "encoding":
        return data.decode("utf-8", "replace").encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if kind == "BOM":
        return (
            draw(st.sampled_from([b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
            + data
        )
    if kind == "line ends":
        return data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n", b"\r\r\n", b"\n\r"])))
    if kind == "drop line" or kind == "duplicate line":
        lines, i, _ = line_and_cells(draw, data)
        lines[i : i + 1] = [] if kind == "drop line" else [lines[i], lines[i]]
        return b"\n".join(lines)
    assert kind == "empty"
    return b""


CELL_DAMAGE = ["drop cell", "duplicate cell", "swap cells", "bad cell", "huge cell", "swap columns"]
BYTE_DAMAGE = ["truncate", "broken quote", "NUL", "random bytes", "overwrite bytes", "encoding", "BOM",
               "line ends", "drop line", "duplicate line", "empty"]  # fmt: skip
FILE_DAMAGE = ["delete file", "unknown file"]


@st.composite
def damaged_files(draw: st.DrawFn, spare: tuple[str, ...] = ()) -> tuple[dict[str, bytes], list[str]]:
    """The example bundle's files with 1 to 3 random damages (not to the ``spare`` files)."""
    files = dict(ORIGINAL)
    done = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(n for n in files if n not in spare)))
        kind = draw(st.sampled_from(CELL_DAMAGE + BYTE_DAMAGE + FILE_DAMAGE))
        if kind == "delete file":
            del files[name]
        elif kind == "unknown file":
            files[draw(st.sampled_from(UNKNOWN_NAMES))] = files.pop(name)
        elif kind in CELL_DAMAGE:
            files[name] = damage_cells(kind, draw, files[name])
        else:
            files[name] = damage_bytes(kind, draw, files[name])
        done.append(f"{kind}: {name}")
        if not files:
            break
    return files, done


@st.composite
def damaged_bundles(draw: st.DrawFn) -> tuple[dict[str, bytes], list[str], bytes | None]:
    """Damaged files, sometimes packed in a zip that may itself be damaged."""
    files, done = draw(damaged_files())
    if draw(st.integers(1, 4)) > 1:
        return files, done, None
    folder = draw(st.sampled_from(["", "台账/", "bundle/inner/"]))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(folder + name, data)
    archive_bytes = packed.getvalue()
    if draw(st.booleans()):
        at = draw(st.integers(0, len(archive_bytes)))
        if draw(st.booleans()):
            archive_bytes = archive_bytes[:at]
            done.append("truncate: bundle.zip")
        else:
            noise = draw(st.binary(min_size=1, max_size=8))
            archive_bytes = archive_bytes[:at] + noise + archive_bytes[at + len(noise) :]
            done.append("overwrite bytes: bundle.zip")
    return files, done, archive_bytes


def one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def lines_of(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") + 1


def check_problems(problems: list[Any], files: dict[str, bytes], bundle: str, done: list[str]) -> None:
    """Each problem reads ``file:line: column: message``, names a file of the bundle (or the bundle
    itself) and a line that file has."""
    assert problems, done
    for problem in problems:
        text = str(problem)
        match = PROBLEM.fullmatch(text)
        assert match, (text, done)
        name = match["file"]
        assert name in files or name == bundle, (text, sorted(files), done)
        assert int(match["line"]) <= lines_of(files.get(name, b"")) + 1, (text, done)


async def node_count(backend: Backend) -> int:
    return int((await backend.read("MATCH (n) RETURN count(n) AS n"))[0]["n"])


BUNDLE_FUZZ = settings(
    FUZZ, suppress_health_check=[*FUZZ.suppress_health_check, HealthCheck.function_scoped_fixture]
)


@settings(BUNDLE_FUZZ, max_examples=600)
@given(bundle=damaged_bundles())
async def test_damaged_bundle_is_rejected_with_file_line_and_nothing_written(
    backend: Backend, personal: PersonalData, bundle: tuple[dict[str, bytes], list[str], bytes | None]
) -> None:
    """One graph for every example (the fixture is per test): it is empty before and after each."""
    files, done, archive = bundle
    if await node_count(backend):  # an earlier example failed; its failure is reported on its own
        await backend.clear()
    with tempfile.TemporaryDirectory(prefix="fuzz-bundle-") as folder:
        if archive is None:
            path = Path(folder) / "bundle"
            path.mkdir()
            for name, data in files.items():
                (path / name).write_bytes(data)
        else:
            path = Path(folder) / "bundle.zip"
            path.write_bytes(archive)
        result = await import_bundle(backend, path, personal, today=TODAY)
    event("imported" if result.ok else "rejected")
    if result.ok:  # the damage left a valid bundle (a dropped optional row, a BOM, CRLF ...)
        assert result.wrote
        await backend.clear()
        return
    check_problems(result.problems, files, path.name, done)
    assert not result.wrote and not result.written
    assert await node_count(backend) == 0, (done, [str(p) for p in result.problems][:5])


LOADED: dict[int, Any] = {}  # id(backend) -> the example graph's dump


@settings(BUNDLE_FUZZ, max_examples=150)
@given(bundle=damaged_files())
async def test_damaged_bundle_into_a_loaded_graph_changes_nothing(
    backend: Backend, personal: PersonalData, bundle: tuple[dict[str, bytes], list[str]]
) -> None:
    """The graph holds the example bundle: lookups go to the database (not the empty-graph path)."""
    files, done = bundle
    if id(backend) not in LOADED:
        await backend.clear()
        assert (await import_bundle(backend, EXAMPLE, personal, today=TODAY)).ok
        LOADED[id(backend)] = await dump(backend)
    with tempfile.TemporaryDirectory(prefix="fuzz-bundle-") as folder:
        for name, data in files.items():
            (Path(folder) / name).write_bytes(data)
        result = await import_bundle(backend, Path(folder), personal, today=TODAY)
    event("imported" if result.ok else "rejected")
    if result.ok:  # a still-valid bundle may change names or add rows: start again from the example
        del LOADED[id(backend)]
        return
    check_problems(result.problems, files, "", done)
    assert not result.wrote and not result.written
    assert await dump(backend) == LOADED[id(backend)], done


IMPORT = (
    "mutation($input: ImportBundleInput!) { importBundle(input: $input) { "
    "userErrors { field code message } wrote rowsRead rowsWritten rejectedRows } }"
)
UPLOAD_FIELD = re.compile(r"files(\[\d+\]\.(name|content))?")


@settings(BUNDLE_FUZZ, max_examples=150)
@given(bundle=damaged_files(spare=("persons.csv",)), as_base64=st.booleans())
async def test_damaged_upload_through_import_bundle_mutation(
    backend: Backend, personal: PersonalData, bundle: tuple[dict[str, bytes], list[str]], as_base64: bool
) -> None:
    """The importBundle mutation with damaged files, as text or base64. persons.csv is left whole: a
    problem may quote a cell, and a moved ID number would then be quoted back (conftest's leak check)."""
    files, done = bundle
    if await node_count(backend):
        await backend.clear()

    def upload(name: str, data: bytes) -> dict[str, Any]:
        try:
            if not as_base64:
                return {"name": name, "content": data.decode("utf-8")}
        except UnicodeDecodeError:
            pass
        return {"name": name, "content": base64.b64encode(data).decode(), "base64": True}

    variables = {"input": {"files": [upload(n, d) for n, d in files.items()]}}
    result = await schema.execute(
        IMPORT, variable_values=variables, context_value=Context(backend=backend, personal=personal)
    )
    assert await node_count(backend) == 0 or (result.data and result.data["importBundle"]["wrote"]), done
    if result.errors:  # only the request's own refusal: a NUL in a text upload
        assert all("NUL" in e.message for e in result.errors), (result.errors, done)
        event("refused")
        return
    assert result.data is not None
    payload = result.data["importBundle"]
    event("imported" if payload["wrote"] else "rejected")
    if payload["wrote"]:
        assert not payload["userErrors"]
        await backend.clear()
        return
    assert payload["userErrors"] and payload["rowsWritten"] == 0, (payload, done)
    for error in payload["userErrors"]:
        if UPLOAD_FIELD.fullmatch(error["field"] or ""):
            continue  # about the upload itself: too large, bad base64, a file given twice or unknown
        check_problems([error["message"]], files, "", done)
        assert error["message"].startswith(one_line(error["field"]) + ": "), error


# ---- regressions: what the fuzzing found, one case each ---------------------------------------------
REQUEST_ERRORS = [  # (query, variables, the start of the clear message the client now gets)
    (
        "query($p: String!) { person(pid: $p) { pid } }",
        {},
        "Variable '$p' has invalid value: Expected a value of non-null type 'String!' to be provided.",
    ),
    (
        'query($d: Date) { person(pid: "P001", asOf: $d) { pid } }',
        {"d": "2023-02-30"},
        "Variable '$d' has invalid value: Expected value of type 'Date', but encountered error "
        "''2023-02-30' is not a real date (YYYY-MM-DD)'",
    ),
    (
        '{ person(pid: "P001", asOf: "2023-02-30") { pid } }',
        {},
        "Expected value of type 'Date', but encountered error ''2023-02-30' is not a real date",
    ),
    (
        'query($n: Int) { search(text: "王", first: $n) { id } }',
        {"n": 2**40},
        "Variable '$n' has invalid value: Int cannot represent non 32-bit signed integer value",
    ),
    (
        "query($p: String!) { person(pid: $p) { pid } }",
        {"p": "P0\ud80001"},
        "NUL characters and lone surrogates",
    ),
    *(
        (
            'query($a: String) { partyOrg(orgId: "PO-A1") { members(after: $a) { totalCount } } }',
            {"a": b64(json.dumps(key))},
            "after: '",
        )
        for key in (["\u0000"], ["\ud800"], [2**70])
    ),
    (
        '{ mismatchMatrix(scopeCode: "430105", kind: HUKOU) { home { ... on Community { mergedFrom { on } } } } }',
        {},
        "mismatchMatrix: home gives code, name, kind and status",
    ),
]


@pytest.mark.parametrize(("query", "variables", "expected"), REQUEST_ERRORS)
def test_bad_requests_get_a_clear_error_not_a_masked_one(
    service: Service, query: str, variables: dict[str, Any], expected: str
) -> None:
    answer = service.post({"query": query, "variables": variables})
    assert answer["errors"][0]["message"].startswith(expected), answer


def test_community_fields_of_a_place_are_planned(service: Service) -> None:
    """``... on Community`` under a Place asked object fields the planner left out (a masked error
    for non-null ones, a silent null for the others)."""
    answer = service.post(
        {
            "query": '{ person(pid: "P003") { household { hukouPlace { __typename code ... on Community '
            "{ street { code } mergedFrom { on } areas { key } grids { totalCount } stats { residents } } } } } }"
        }
    )
    assert "errors" not in answer, answer
    place = answer["data"]["person"]["household"]["hukouPlace"]
    assert place["code"] == "430105001002" and place["street"] == {"code": "430105001"}
    assert place["mergedFrom"] == [] and place["areas"] == [{"key": "430105001002"}]
    assert place["grids"]["totalCount"] == 1 and place["stats"]["residents"] >= 1


def zipped(files: dict[str, bytes]) -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return packed.getvalue()


def corrupt_member(archive: bytes) -> bytes:
    at = archive.index(b"PK\x03\x04", 10)  # the second member's local header
    return archive[:at] + b"XX" + archive[at + 2 :]


def corrupt_name(archive: bytes) -> bytes:
    return archive.replace("台账".encode(), b"\x8f\xff\xfe\xfd\xfc\xfb", 1)


DAMAGED_ZIPS: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda archive: archive[: len(archive) // 2],
    "corrupt member header": corrupt_member,
    "corrupt UTF-8 name": corrupt_name,
}


@pytest.mark.parametrize("damage", list(DAMAGED_ZIPS))
async def test_damaged_zip_is_a_problem_not_a_crash(
    backend: Backend, personal: PersonalData, tmp_path: Path, damage: str
) -> None:
    archive = zipped({f"台账/{name}": data for name, data in ORIGINAL.items()})
    path = tmp_path / "bundle.zip"
    path.write_bytes(DAMAGED_ZIPS[damage](archive))
    result = await import_bundle(backend, path, personal, today=TODAY)
    assert [str(p).split(" (")[0] for p in result.problems] == ["bundle.zip:0: -: damaged .zip file"]
    assert not result.wrote and await dump(backend) == ([], [])


async def test_optional_column_may_be_left_out(
    backend: Backend, personal: PersonalData, tmp_path: Path
) -> None:
    """teams.csv without its optional ``type`` column (and regions.csv without ``kind`` for a
    bundle that has no community) raised KeyError."""
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLE, bundle)
    (bundle / "teams.csv").write_text(
        "id,name,community_code\nT-A1,德雅银发先锋队,430105001001\n", encoding="utf-8"
    )
    result = await import_bundle(backend, bundle, personal, today=TODAY)
    assert result.ok, result.problems
    teams = await backend.read("MATCH (t:VolunteerTeam) RETURN t.teamId AS id, t.type AS type")
    assert teams == [{"id": "T-A1", "type": None}]


async def test_nul_in_a_reference_into_a_loaded_graph(
    backend: Backend, personal: PersonalData, tmp_path: Path
) -> None:
    """A NUL in a referenced key went to the database lookup (refused there) and crashed the import."""
    assert (await import_bundle(backend, EXAMPLE, personal, today=TODAY)).ok
    before = await dump(backend)
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "employments.csv").write_text("pid,uscc,since,until\nP003,1143010500\x000010011C,2011-07-01,\n")
    result = await import_bundle(backend, bundle, personal, today=TODAY)
    assert [str(p) for p in result.problems] == ["employments.csv:2: uscc: contains a NUL character"]
    assert await dump(backend) == before


async def test_unexpected_failure_while_checking_leaves_nothing_written(
    backend: Backend, personal: PersonalData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an empty graph the writer runs beside the validator: an exception in a check used to
    leave the files written so far in the graph (31 nodes of the example)."""
    from resolvers.ledger.validate import Validator

    async def failing(self: Validator, file: Any) -> None:
        raise RuntimeError("a check failed unexpectedly")

    monkeypatch.setattr(Validator, "check_roles", failing)
    with pytest.raises(RuntimeError, match="a check failed unexpectedly"):
        await import_bundle(backend, EXAMPLE, personal, today=TODAY)
    assert await dump(backend) == ([], [])


async def test_a_problem_is_one_line_of_the_report(
    backend: Backend, personal: PersonalData, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLE, bundle)
    (bundle / "teams.csv").write_text('id,"na\nme",community_code\n', encoding="utf-8")
    result = await import_bundle(backend, bundle, personal, today=TODAY)
    assert str(result.problems[0]).startswith("teams.csv:1: na\\nme: unknown column; expected id")
