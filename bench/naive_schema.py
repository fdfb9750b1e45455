"""The read benchmark's straw man: PersonCard's and ResidenceMismatches' types served the classic way.

Same SDL shape as the real schema for the types those two operations touch, but every object field
has its own resolver that runs one small Cypher query keyed by its parent (N+1 round trips per
request: no planner, no DataLoader). Answers are meant to equal the real service's; read_bench.py
asserts that before timing.

    python bench/naive_schema.py --socket DATA/falkordb.sock --port 8123   # serves /graphql, /health
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import enum
import json
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NewType, TypeVar

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.base import Backend
from graph.falkor_backend import FalkorBackend

T = TypeVar("T")
Date = NewType("Date", str)
DATE_SCALAR = strawberry.scalar(name="Date", serialize=str, parse_value=str)


@dataclass
class Context:
    backend: Backend


def today() -> str:
    return dt.date.today().isoformat()


def global_id(label: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{label}:{key}".encode()).decode().rstrip("=")


def opened(rel: str, date: str = "$asOf") -> str:
    """The relationship is open on ``date`` (the same rule as the service's planner)."""
    return f"coalesce({rel}.since, '') <= {date} AND ({rel}.until IS NULL OR {rel}.until > {date})"


async def rows(info: Info[Context, None], query: str, **params: Any) -> list[dict[str, Any]]:
    return await info.context.backend.read(query, params)


async def first_row(info: Info[Context, None], query: str, **params: Any) -> dict[str, Any] | None:
    found = await rows(info, query, **params)
    return found[0] if found else None


# ---- places and small nodes ---------------------------------------------------------------------
@strawberry.interface
class Place:
    code: str
    name: str


@strawberry.type
class Community(Place):
    code: str
    name: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Community", self.code))


@strawberry.type
class Region(Place):
    code: str
    name: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Region", self.code))


async def community_by_code(info: Info[Context, None], code: str | None) -> Community | None:
    if code is None:
        return None
    row = await first_row(
        info, "MATCH (c:Community {code: $code}) RETURN c.code AS code, c.name AS name", code=code
    )
    return Community(code=row["code"], name=row["name"]) if row else None


@strawberry.type
class Area:
    key: str
    name: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Area", self.key))


@strawberry.type
class Grid:
    code: str
    name: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Grid", self.code))


@strawberry.type
class Compound:
    key: str
    name: str
    type: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Compound", self.key))


@strawberry.type
class Building:
    code: str
    name: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Building", self.code))

    @strawberry.field
    async def compound(self, info: Info[Context, None]) -> Compound | None:
        row = await first_row(
            info,
            "MATCH (:Building {code: $code})-[:IN_COMPOUND]->(x:Compound) "
            "RETURN x.id AS key, x.name AS name, x.type AS type LIMIT 1",
            code=self.code,
        )
        return Compound(**row) if row else None

    @strawberry.field
    async def grid(self, info: Info[Context, None]) -> Grid | None:
        row = await first_row(
            info,
            "MATCH (:Building {code: $code})-[:IN_GRID]->(g:Grid) RETURN g.code AS code, g.name AS name LIMIT 1",
            code=self.code,
        )
        return Grid(**row) if row else None


@strawberry.type
class Dwelling:
    key: str
    room: str | None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Dwelling", self.key))

    @strawberry.field
    async def building(self, info: Info[Context, None]) -> Building | None:
        row = await first_row(
            info,
            "MATCH (:Dwelling {id: $key})-[:IN_BUILDING]->(b:Building) RETURN b.code AS code, b.name AS name LIMIT 1",
            key=self.key,
        )
        return Building(**row) if row else None


# ---- a person's relationships ---------------------------------------------------------------------
@strawberry.type
class HouseholdMembership:
    key: str
    type: str
    rel_to_head: str | None
    since: Date
    until: Date | None
    as_of: strawberry.Private[str]

    @strawberry.field
    async def hukou_place(self, info: Info[Context, None]) -> Place | None:
        row = await first_row(
            info,
            f"MATCH (:Household {{key: $key}})-[a:HUKOU_AT]->(pl) WHERE {opened('a')} "
            "RETURN labels(pl)[0] AS label, pl.code AS code, pl.name AS name LIMIT 1",
            key=self.key,
            asOf=self.as_of,
        )
        if row is None:
            return None
        place = Community if row["label"] == "Community" else Region
        return place(code=row["code"], name=row["name"])


@strawberry.type
class Residence:
    since: Date
    until: Date | None
    tenure: str | None
    dwelling_key: strawberry.Private[str]
    on: strawberry.Private[str]  # the date whose community is meant: asOf, or the history item's since

    @strawberry.field
    async def dwelling(self, info: Info[Context, None]) -> Dwelling | None:
        row = await first_row(
            info, "MATCH (d:Dwelling {id: $key}) RETURN d.id AS key, d.room AS room", key=self.dwelling_key
        )
        return Dwelling(**row) if row else None

    @strawberry.field
    async def community(self, info: Info[Context, None]) -> Community | None:
        row = await first_row(
            info,
            "MATCH (:Dwelling {id: $key})-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)"
            f"-[gc:IN_COMMUNITY]->(c:Community) WHERE {opened('gc', '$on')} "
            "RETURN c.code AS code, c.name AS name LIMIT 1",
            key=self.dwelling_key,
            on=self.on,
        )
        return Community(**row) if row else None


@strawberry.type
class PartyOrg:
    org_id: str
    name: str
    level: str
    as_of: strawberry.Private[str]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("PartyOrg", self.org_id))

    @strawberry.field
    async def home_community(self, info: Info[Context, None]) -> Community | None:
        row = await first_row(
            info,
            f"MATCH (:PartyOrg {{orgId: $orgId}})-[r:BASED_IN]->(c:Community) WHERE {opened('r')} "
            "RETURN c.code AS code, c.name AS name LIMIT 1",
            orgId=self.org_id,
            asOf=self.as_of,
        )
        return Community(**row) if row else None


@strawberry.type
class PartyMembership:
    type: str
    joined: Date | None
    since: Date
    until: Date | None
    org_key: strawberry.Private[str]
    as_of: strawberry.Private[str]

    @strawberry.field
    async def org(self, info: Info[Context, None]) -> PartyOrg | None:
        row = await first_row(
            info,
            "MATCH (o:PartyOrg {orgId: $orgId}) RETURN o.orgId AS org_id, o.name AS name, o.level AS level",
            orgId=self.org_key,
        )
        return PartyOrg(**row, as_of=self.as_of) if row else None


@strawberry.type
class Report:
    since: Date
    until: Date | None
    grid_code: str | None
    community_code: strawberry.Private[str]

    @strawberry.field
    async def community(self, info: Info[Context, None]) -> Community | None:
        return await community_by_code(info, self.community_code)


@strawberry.type
class Unit:
    uscc: str
    name: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Unit", self.uscc))


@strawberry.type
class Employment:
    since: Date
    until: Date | None
    unit_key: strawberry.Private[str]

    @strawberry.field
    async def unit(self, info: Info[Context, None]) -> Unit | None:
        row = await first_row(
            info, "MATCH (u:Unit {uscc: $uscc}) RETURN u.uscc AS uscc, u.name AS name", uscc=self.unit_key
        )
        return Unit(**row) if row else None


@strawberry.type
class Role:
    role: str
    since: Date
    until: Date | None
    scope_type: str
    scope_code: str
    scope_name: str | None


@strawberry.type
class VolunteerTeam:
    team_id: str
    name: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("VolunteerTeam", self.team_id))


@strawberry.type
class TeamMembership:
    role: str | None
    since: Date
    until: Date | None
    team_key: strawberry.Private[str]

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> VolunteerTeam | None:
        row = await first_row(
            info,
            "MATCH (t:VolunteerTeam {teamId: $teamId}) RETURN t.teamId AS team_id, t.name AS name",
            teamId=self.team_key,
        )
        return VolunteerTeam(**row) if row else None


@strawberry.type
class CollectiveOrg:
    uscc: str
    name: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("CollectiveOrg", self.uscc))

    @strawberry.field
    async def area(self, info: Info[Context, None]) -> Area | None:
        row = await first_row(
            info,
            "MATCH (:CollectiveOrg {uscc: $uscc})-[:OF_AREA]->(a:Area) RETURN a.id AS key, a.name AS name LIMIT 1",
            uscc=self.uscc,
        )
        return Area(**row) if row else None


@strawberry.type
class CollectiveMembership:
    since: Date
    until: Date | None
    org_key: strawberry.Private[str]

    @strawberry.field
    async def org(self, info: Info[Context, None]) -> CollectiveOrg | None:
        row = await first_row(
            info,
            "MATCH (o:CollectiveOrg {uscc: $uscc}) RETURN o.uscc AS uscc, o.name AS name",
            uscc=self.org_key,
        )
        return CollectiveOrg(**row) if row else None


SCOPE_TYPE = (
    "CASE WHEN t:Community THEN 'COMMUNITY' WHEN t:Grid THEN 'GRID' WHEN t:Compound THEN 'COMPOUND' "
    "WHEN t:Building THEN 'BUILDING' ELSE 'PARTY_ORG' END"
)


@strawberry.type
class Person:
    pid: str
    name: str
    gender: str | None
    birth_year: int | None
    id_number_masked: str | None
    phone_masked: str | None
    tags: list[str]
    as_of: strawberry.Private[str]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Person", self.pid))

    @strawberry.field
    async def household(self, info: Info[Context, None]) -> HouseholdMembership | None:
        row = await first_row(
            info,
            f"MATCH (:Person {{pid: $pid}})-[m:HUKOU_MEMBER]->(h:Household) WHERE {opened('m')} "
            "RETURN h.key AS key, h.type AS type, m.relToHead AS rel_to_head, m.since AS since, m.until AS until LIMIT 1",
            pid=self.pid,
            asOf=self.as_of,
        )
        return HouseholdMembership(**row, as_of=self.as_of) if row else None

    @strawberry.field
    async def residence(self, info: Info[Context, None]) -> Residence | None:
        row = await first_row(
            info,
            f"MATCH (:Person {{pid: $pid}})-[r:LIVES_IN]->(d:Dwelling) WHERE {opened('r')} "
            "RETURN r.since AS since, r.until AS until, r.tenure AS tenure, d.id AS dwelling_key LIMIT 1",
            pid=self.pid,
            asOf=self.as_of,
        )
        return Residence(**row, on=self.as_of) if row else None

    @strawberry.field
    async def residence_history(self, info: Info[Context, None]) -> list[Residence]:
        found = await rows(
            info,
            "MATCH (:Person {pid: $pid})-[r:LIVES_IN]->(d:Dwelling) "
            "RETURN r.since AS since, r.until AS until, r.tenure AS tenure, d.id AS dwelling_key ORDER BY r.since",
            pid=self.pid,
        )
        return [Residence(**row, on=row["since"]) for row in found]

    @strawberry.field
    async def party_membership(self, info: Info[Context, None]) -> PartyMembership | None:
        row = await first_row(
            info,
            f"MATCH (:Person {{pid: $pid}})-[m:PARTY_MEMBER_OF]->(o:PartyOrg) WHERE {opened('m')} "
            "RETURN m.type AS type, m.joined AS joined, m.since AS since, m.until AS until, o.orgId AS org_key LIMIT 1",
            pid=self.pid,
            asOf=self.as_of,
        )
        return PartyMembership(**row, as_of=self.as_of) if row else None

    @strawberry.field
    async def reported_to(self, info: Info[Context, None]) -> Report | None:
        row = await first_row(
            info,
            f"MATCH (:Person {{pid: $pid}})-[r:REPORTED_TO]->(c:Community) WHERE {opened('r')} "
            "RETURN r.since AS since, r.until AS until, r.gridCode AS grid_code, c.code AS community_code LIMIT 1",
            pid=self.pid,
            asOf=self.as_of,
        )
        return Report(**row) if row else None

    @strawberry.field
    async def employer(self, info: Info[Context, None]) -> Employment | None:
        row = await first_row(
            info,
            f"MATCH (:Person {{pid: $pid}})-[e:EMPLOYED_BY]->(u:Unit) WHERE {opened('e')} "
            "RETURN e.since AS since, e.until AS until, u.uscc AS unit_key LIMIT 1",
            pid=self.pid,
            asOf=self.as_of,
        )
        return Employment(**row) if row else None

    @strawberry.field
    async def roles(self, info: Info[Context, None]) -> list[Role]:
        found = await rows(
            info,
            f"MATCH (:Person {{pid: $pid}})-[s:SERVES_AS]->(t) WHERE {opened('s')} "
            f"RETURN s.role AS role, s.since AS since, s.until AS until, {SCOPE_TYPE} AS scope_type, "
            "coalesce(t.code, t.id, t.orgId) AS scope_code, t.name AS scope_name ORDER BY s.since, s.role",
            pid=self.pid,
            asOf=self.as_of,
        )
        return [Role(**row) for row in found]

    @strawberry.field
    async def teams(self, info: Info[Context, None]) -> list[TeamMembership]:
        found = await rows(
            info,
            f"MATCH (:Person {{pid: $pid}})-[m:IN_TEAM]->(t:VolunteerTeam) WHERE {opened('m')} "
            "RETURN m.role AS role, m.since AS since, m.until AS until, t.teamId AS team_key "
            "ORDER BY m.since, t.teamId",
            pid=self.pid,
            asOf=self.as_of,
        )
        return [TeamMembership(**row) for row in found]

    @strawberry.field
    async def collective_memberships(self, info: Info[Context, None]) -> list[CollectiveMembership]:
        found = await rows(
            info,
            f"MATCH (:Person {{pid: $pid}})-[m:COLLECTIVE_MEMBER_OF]->(o:CollectiveOrg) WHERE {opened('m')} "
            "RETURN m.since AS since, m.until AS until, o.uscc AS org_key ORDER BY m.since, o.uscc",
            pid=self.pid,
            asOf=self.as_of,
        )
        return [CollectiveMembership(**row) for row in found]


PERSON_FIELDS = (
    "p.pid AS pid, p.name AS name, p.gender AS gender, p.birthYear AS birth_year, "
    "p.idNumberMasked AS id_number_masked, p.phoneMasked AS phone_masked, coalesce(p.tags, []) AS tags"
)


async def person_by_pid(info: Info[Context, None], pid: str, as_of: str) -> Person | None:
    row = await first_row(info, f"MATCH (p:Person {{pid: $pid}}) RETURN {PERSON_FIELDS}", pid=pid)
    return Person(**row, as_of=as_of) if row else None


# ---- mismatches -----------------------------------------------------------------------------------
@strawberry.enum
class MismatchKind(enum.Enum):
    HUKOU = "HUKOU"
    PARTY = "PARTY"
    COLLECTIVE = "COLLECTIVE"


@strawberry.enum
class MismatchDirection(enum.Enum):
    LIVING_ELSEWHERE = "LIVING_ELSEWHERE"
    REGISTERED_ELSEWHERE = "REGISTERED_ELSEWHERE"


HOME = {  # from (p) to the open home of each kind, bound to {place}
    "HUKOU": "(p)-[a:HUKOU_MEMBER]->(:Household)-[b:HUKOU_AT]->({place})",
    "PARTY": "(p)-[a:PARTY_MEMBER_OF]->(:PartyOrg)-[b:BASED_IN]->({place}:Community)",
    "COLLECTIVE": "(p)-[a:COLLECTIVE_MEMBER_OF]->(:CollectiveOrg)-[:OF_AREA]->(:Area)-[b:PART_OF]->({place}:Community)",
}
HOME_OPEN = f"{opened('a')} AND {opened('b')}"
RESIDENCE = "(p)-[lr:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[lg:IN_COMMUNITY]->({place})"
RESIDENCE_OPEN = f"{opened('lr')} AND {opened('lg')}"


FLOW = {
    "HUKOU": "HUKOU_FLOW",
    "PARTY": "PARTY_FLOW",
}  # the shortcuts the write path keeps (resolvers/flows.py)


def mismatch_match(kind: str, direction: str) -> str:
    """Rows (p, home, res) of the mismatches of community ``$code`` (the home or the residence),
    from the flow shortcuts where they exist, as the served schema and the hand query do."""
    if kind in FLOW:
        flow = (
            f"(c)-[f:{FLOW[kind]}]->(res:Community)"
            if direction == "LIVING_ELSEWHERE"
            else f"(home)-[f:{FLOW[kind]}]->(c)"
        )
        rows = "p, c AS home, res" if direction == "LIVING_ELSEWHERE" else "p, home, c AS res"
        return (
            f"MATCH (c:Community {{code: $code}}) MATCH {flow} WHERE {opened('f')} "
            f"CALL {{ WITH f MATCH (p:Person {{pid: f.pid}}) RETURN p }} WITH DISTINCT {rows}"
        )
    if direction == "LIVING_ELSEWHERE":
        return (
            f"MATCH (c:Community {{code: $code}}) MATCH {HOME[kind].format(place='c')} WHERE {HOME_OPEN} "
            f"MATCH {RESIDENCE.format(place='res:Community')} WHERE {RESIDENCE_OPEN} AND res <> c "
            "WITH DISTINCT p, c AS home, res"
        )
    return (
        f"MATCH (c:Community {{code: $code}}) MATCH {RESIDENCE.format(place='c')} WHERE {RESIDENCE_OPEN} "
        f"MATCH {HOME[kind].format(place='home')} WHERE {HOME_OPEN} AND home <> c "
        "WITH DISTINCT p, home, c AS res"
    )


def found(value: T | None) -> T:
    if value is None:
        raise LookupError("a row of the page vanished")
    return value


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode()


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Mismatch:
    pid: strawberry.Private[str]
    home_label: strawberry.Private[str]
    home_code: strawberry.Private[str]
    residence_code: strawberry.Private[str]
    as_of: strawberry.Private[str]

    @strawberry.field
    async def person(self, info: Info[Context, None]) -> Person:
        return found(await person_by_pid(info, self.pid, self.as_of))

    @strawberry.field
    async def home(self, info: Info[Context, None]) -> Place:
        if self.home_label == "Community":
            return found(await community_by_code(info, self.home_code))
        row = await first_row(
            info, "MATCH (r:Region {code: $code}) RETURN r.code AS code, r.name AS name", code=self.home_code
        )
        return Region(**found(row))

    @strawberry.field
    async def residence(self, info: Info[Context, None]) -> Community:
        return found(await community_by_code(info, self.residence_code))


@strawberry.type
class MismatchEdge:
    cursor: str
    node: Mismatch


@strawberry.type
class MismatchConnection:
    code: strawberry.Private[str]
    kind: strawberry.Private[str]
    direction: strawberry.Private[str]
    as_of: strawberry.Private[str]
    keys: strawberry.Private[list[list[Any]]]  # [name, pid, home code, residence code, home label]
    first: strawberry.Private[int]

    @strawberry.field
    async def total_count(self, info: Info[Context, None]) -> int:
        row = await first_row(
            info,
            f"{mismatch_match(self.kind, self.direction)} RETURN count(DISTINCT [p.pid, home.code]) AS n",
            code=self.code,
            asOf=self.as_of,
        )
        return int(row["n"]) if row else 0

    def page(self) -> list[MismatchEdge]:
        return [
            MismatchEdge(
                cursor=encode_cursor(key[:3]),
                node=Mismatch(
                    pid=key[1], home_code=key[2], residence_code=key[3], home_label=key[4], as_of=self.as_of
                ),
            )
            for key in self.keys[: self.first]
        ]

    @strawberry.field
    def edges(self) -> list[MismatchEdge]:
        return self.page()

    @strawberry.field
    def nodes(self) -> list[Mismatch]:
        return [edge.node for edge in self.page()]

    @strawberry.field
    def page_info(self) -> PageInfo:
        page = self.keys[: self.first]
        return PageInfo(
            has_next_page=len(self.keys) > self.first,
            has_previous_page=False,
            start_cursor=encode_cursor(page[0][:3]) if page else None,
            end_cursor=encode_cursor(page[-1][:3]) if page else None,
        )


@strawberry.type
class Query:
    @strawberry.field
    async def person(self, info: Info[Context, None], pid: str, as_of: Date | None = None) -> Person | None:
        return await person_by_pid(info, pid, as_of or today())

    @strawberry.field
    async def residence_mismatches(
        self,
        info: Info[Context, None],
        community_code: str,
        kind: MismatchKind,
        direction: MismatchDirection,
        as_of: Date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> MismatchConnection:
        count = 20 if first is None else first
        name, pid, code = (
            json.loads(base64.urlsafe_b64decode(after.encode())) if after else (None, None, None)
        )
        where = (
            "WHERE p.name > $name OR (p.name = $name AND p.pid > $pid) "
            "OR (p.name = $name AND p.pid = $pid AND home.code > $homeCode)"
            if after
            else ""
        )
        found = await rows(
            info,
            f"{mismatch_match(kind.value, direction.value)} {where} "
            "RETURN [p.name, p.pid, home.code, res.code, labels(home)[0]] AS key "
            "ORDER BY p.name, p.pid, home.code LIMIT $limit",
            code=community_code,
            asOf=as_of or today(),
            name=name,
            pid=pid,
            homeCode=code,
            limit=count + 1,
        )
        return MismatchConnection(
            code=community_code,
            kind=kind.value,
            direction=direction.value,
            as_of=as_of or today(),
            keys=[row["key"] for row in found],
            first=count,
        )


schema = strawberry.Schema(
    query=Query, types=[Community, Region], config=StrawberryConfig(scalar_map={Date: DATE_SCALAR})
)


def create_app(socket_path: str, graph_key: str = "grassroots") -> Starlette:
    """``/graphql`` on the naive schema and ``/health``, over the FalkorDB at ``socket_path``."""
    state: dict[str, Backend] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state["backend"] = FalkorBackend(graph_key=graph_key, query_timeout=30, unix_socket=socket_path)
        try:
            yield
        finally:
            await state["backend"].close()

    class NaiveGraphQL(GraphQL[Context, None]):
        async def get_context(self, request: Any, response: Any) -> Context:
            return Context(backend=state["backend"])

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok" if await state["backend"].health() else "unavailable"})

    app = Starlette(routes=[Route("/health", health)], lifespan=lifespan)
    app.add_route("/graphql", NaiveGraphQL(schema, graphql_ide=None), methods=["POST"])  # type: ignore[arg-type]
    return app


def serve(create: Callable[[str, str], Starlette], description: str, argv: list[str] | None) -> int:
    """Serve ``create(socket, graph_key)`` under uvicorn with the service's event loop; the command
    line of the bench's reference servers (this one and bench/hand_server.py)."""
    import uvicorn

    from service.cli import EVENT_LOOP

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--socket", required=True, help="the FalkorDB unix socket")
    parser.add_argument("--graph-key", default="grassroots")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    uvicorn.run(
        create(args.socket, args.graph_key),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        loop=EVENT_LOOP,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return serve(create_app, (__doc__ or "").splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
