"""The object types. Values are the maps the planner fetched; no field here touches the database.

Fields without arguments are read by the schema's default resolver (``resolve_from_map``);
fields with arguments (``stats``, ``grids``, ``pairings``, ``members``) were fetched under their
response key, so two aliases with different arguments both work.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from typing import Annotated, Any, NewType

import strawberry
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from resolvers.connections import shape_connection
from resolvers.projections import KEYS
from resolvers.queries import global_id

Date = NewType("Date", str)


def parse_date(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a real date (YYYY-MM-DD)") from exc


def parse_date_literal(node: Any, _variables: Any = None) -> str:
    return parse_date(getattr(node, "value", None))


DATE_SCALAR = strawberry.scalar(
    name="Date",
    description="An ISO date, YYYY-MM-DD.",
    serialize=str,
    parse_value=parse_date,
    parse_literal=parse_date_literal,
)


@functools.cache
def graphql_name(python_name: str) -> str:
    return to_camel_case(python_name)


def resolve_from_map(obj: Any, name: str) -> Any:
    """The default resolver: fetched maps are read by GraphQL field name; ``id`` is derived."""
    if isinstance(obj, dict):
        if name == "id" and "__typename" in obj:  # a node map: its id is derived from its key
            typename = obj["__typename"]
            return global_id(typename, obj[KEYS[typename]])
        return obj.get(graphql_name(name))
    return getattr(obj, name)


def by_response_key(root: Any, info: Info) -> Any:
    return root.get(info.path.key)


def typed(typename: str) -> Any:
    @classmethod  # type: ignore[misc]
    def is_type_of(cls: Any, obj: Any, _info: Any) -> bool:
        return isinstance(obj, dict) and obj.get("__typename") == typename

    return is_type_of


def typename_of(obj: Any, _info: Any, _abstract_type: Any) -> str | None:
    """The concrete type of a fetched map: its ``__typename`` (asking each implementation's
    ``is_type_of`` in turn cost more than the query for a matrix of 18,000 cells)."""
    return obj.get("__typename") if isinstance(obj, dict) else None


@strawberry.interface(description="An object with a global id; `node(id)` resolves every one.")
class Node:
    id: strawberry.ID
    resolve_type = staticmethod(typename_of)


@strawberry.interface(description="A place a household can be registered at: a Community or a Region.")
class Place:
    code: str
    name: str
    resolve_type = staticmethod(typename_of)


@strawberry.enum
class CommunityKind(enum.Enum):
    COMMUNITY = "COMMUNITY"
    VILLAGE = "VILLAGE"


@strawberry.enum
class CommunityStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    MERGED = "MERGED"


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class District(Node):
    code: str
    name: str
    is_type_of = typed("District")


@strawberry.type
class Street(Node):
    code: str
    name: str
    is_type_of = typed("Street")


@strawberry.type(description="A place outside the district (hukou elsewhere).")
class Region(Node, Place):
    code: str
    name: str
    is_type_of = typed("Region")


@strawberry.type(description="An original village or community inside a merged one (片区).")
class Area(Node):
    key: str = strawberry.field(description="The area's ledger id (片区编号).")
    name: str
    community: Community | None
    is_type_of = typed("Area")


@strawberry.type(description="A grid (网格) of about 300 households, in one community.")
class Grid(Node):
    code: str
    name: str
    target_households: int | None
    is_type_of = typed("Grid")


@strawberry.type
class GridEdge:
    cursor: str
    node: Grid


@strawberry.type
class GridConnection:
    total_count: int
    edges: list[GridEdge]
    nodes: list[Grid]
    page_info: PageInfo


@strawberry.type(description="A compound (小区).")
class Compound(Node):
    key: str = strawberry.field(description="The compound's ledger id (小区编号).")
    name: str
    type: str
    is_type_of = typed("Compound")


@strawberry.type(description="A building (楼栋).")
class Building(Node):
    code: str
    name: str
    compound: Compound | None
    grid: Grid | None
    area: Area | None
    is_type_of = typed("Building")


@strawberry.type(description="A dwelling (户室): one home in one building.")
class Dwelling(Node):
    key: str = strawberry.field(description="The dwelling's ledger id (房屋编号).")
    room: str | None
    building: Building | None
    is_type_of = typed("Dwelling")


@strawberry.type(
    description="Counts for a community on a date (SPEC.md definitions). A count of persons is null "
    "when withheld: 1 to 4 persons, for a role that may not see persons (ANALYST)."
)
class CommunityStats:
    residents: int | None
    registered: int | None
    living_elsewhere: int | None
    registered_elsewhere: int | None
    residence_unknown: int | None
    party_members: int | None
    reported_members: int | None
    paired_units: int
    volunteer_teams: int


@strawberry.type
class Merge:
    community: Community
    on: Date
    doc_no: str | None


@strawberry.type(description="A community (社区) or village (村).")
class Community(Node, Place):
    code: str
    name: str
    kind: CommunityKind | None
    status: CommunityStatus
    street: Street | None
    merged_into: Community | None = strawberry.field(description="The successor, for a MERGED community.")
    merged_from: list[Merge] = strawberry.field(description="The communities merged into this one.")
    areas: list[Area] = strawberry.field(description="The areas (片区) of the community today.")

    @strawberry.field(description="The community's grids by code.")
    def grids(self, info: Info, first: int | None = None, after: str | None = None) -> GridConnection:
        return shape_connection(by_response_key(self, info))  # type: ignore[return-value]

    @strawberry.field(description="Counts on a date; `asOf` defaults to today.")
    def stats(self, info: Info, as_of: Date | None = None) -> CommunityStats:
        return by_response_key(self, info)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Units paired with the community (结对共建): open on asOf (default today); with "
        "includeEnded also those ended by then."
    )
    def pairings(
        self, info: Info, as_of: Date | None = None, include_ended: bool | None = False
    ) -> list[Pairing]:
        return by_response_key(self, info)  # type: ignore[no-any-return]

    is_type_of = typed("Community")


@strawberry.type(description="A party organisation (党组织).")
class PartyOrg(Node):
    org_id: str
    name: str
    level: str
    kind: str | None
    home_community: Community | None
    parent: PartyOrg | None
    children: list[PartyOrg]
    member_count: int

    @strawberry.field(description="Current members by name.")
    def members(self, info: Info, first: int | None = None, after: str | None = None) -> PersonConnection:
        return shape_connection(by_response_key(self, info))  # type: ignore[return-value]

    is_type_of = typed("PartyOrg")


PairingTarget = Annotated[Community | Compound | PartyOrg, strawberry.union("PairingTarget")]


@strawberry.type(description="A pairing (结对共建) of a unit with a community, compound or party org.")
class Pairing:
    since: Date
    until: Date | None
    agreement_no: str | None
    active: bool = strawberry.field(
        description="Open on the date the list answers for (its asOf, else the query's, else today)."
    )
    unit: Unit | None
    target: PairingTarget | None


@strawberry.type(description="A unit (驻区单位), identified by its USCC.")
class Unit(Node):
    uscc: str
    name: str
    category: str
    community: Community | None

    @strawberry.field(
        description="The unit's pairings open on asOf (default today); with includeEnded also those ended by then."
    )
    def pairings(
        self, info: Info, as_of: Date | None = None, include_ended: bool | None = False
    ) -> list[Pairing]:
        return by_response_key(self, info)  # type: ignore[no-any-return]

    is_type_of = typed("Unit")


@strawberry.type(description="A volunteer team (志愿服务队).")
class VolunteerTeam(Node):
    team_id: str
    name: str
    type: str | None
    is_type_of = typed("VolunteerTeam")


@strawberry.type(description="A collective economic organisation (集体经济组织) of an area.")
class CollectiveOrg(Node):
    uscc: str
    name: str
    area: Area | None
    is_type_of = typed("CollectiveOrg")


@strawberry.type(description="A hukou household (户).")
class Household(Node):
    key: str
    type: str
    is_type_of = typed("Household")


@strawberry.type
class HouseholdMembership:
    key: str
    type: str
    rel_to_head: str | None
    since: Date
    until: Date | None
    hukou_place: Place | None


@strawberry.type
class Residence:
    since: Date
    until: Date | None
    tenure: str | None
    dwelling: Dwelling | None
    community: Community | None = strawberry.field(description="The community of the dwelling's grid then.")


@strawberry.type
class PartyMembership:
    type: str
    joined: Date | None
    since: Date
    until: Date | None
    org: PartyOrg | None


@strawberry.type
class Report:
    since: Date
    until: Date | None
    grid_code: str | None
    community: Community | None


@strawberry.type
class Employment:
    since: Date
    until: Date | None
    unit: Unit | None


@strawberry.type
class Role:
    role: str
    since: Date
    until: Date | None
    scope_type: str
    scope_code: str
    scope_name: str | None


@strawberry.type
class TeamMembership:
    role: str | None
    since: Date
    until: Date | None
    team: VolunteerTeam | None


@strawberry.type
class CollectiveMembership:
    since: Date
    until: Date | None
    org: CollectiveOrg | None


@strawberry.type(description="A resident (居民). ID number and phone are shown masked.")
class Person(Node):
    pid: str
    name: str
    gender: str | None
    birth_year: int | None
    ethnicity: str | None
    id_number_masked: str | None
    phone_masked: str | None
    tags: list[str]
    household: HouseholdMembership | None
    residence: Residence | None
    residence_history: list[Residence]
    party_membership: PartyMembership | None
    reported_to: Report | None
    employer: Employment | None
    roles: list[Role]
    teams: list[TeamMembership]
    collective_memberships: list[CollectiveMembership]
    is_type_of = typed("Person")


@strawberry.type
class PersonEdge:
    cursor: str
    node: Person


@strawberry.type
class PersonConnection:
    total_count: int
    edges: list[PersonEdge]
    nodes: list[Person]
    page_info: PageInfo


NODE_TYPES: list[type] = [
    District, Street, Region, Area, Grid, Compound, Building, Dwelling, Community, PartyOrg, Unit,
    VolunteerTeam, CollectiveOrg, Household, Person,
]  # fmt: skip


@strawberry.type(description="A 双重评议 grade given to a party member for a year by one side.")
class Evaluation(Node):
    key: str
    year: int
    side: str
    grade: str
    is_type_of = typed("Evaluation")


NODE_TYPES.append(Evaluation)


@strawberry.enum(description="Which home a mismatch compares with the residence community.")
class MismatchKind(enum.Enum):
    HUKOU = "HUKOU"
    PARTY = "PARTY"
    COLLECTIVE = "COLLECTIVE"


@strawberry.enum
class MismatchDirection(enum.Enum):
    LIVING_ELSEWHERE = "LIVING_ELSEWHERE"
    REGISTERED_ELSEWHERE = "REGISTERED_ELSEWHERE"


@strawberry.type(description="A person whose home and residence community differ.")
class Mismatch:
    person: Person
    home: Place
    residence: Community


@strawberry.type
class MismatchEdge:
    cursor: str
    node: Mismatch


@strawberry.type
class MismatchConnection:
    total_count: int
    edges: list[MismatchEdge]
    nodes: list[Mismatch]
    page_info: PageInfo


@strawberry.type(description="Persons whose home is `home` and who live in `residence`.")
class MatrixCell:
    home: Place
    residence: Place
    persons: int


@strawberry.type(description="插花式: a collective org's members and how many live outside its Area.")
class CollectiveElsewhere:
    org: CollectiveOrg
    members: int
    living_elsewhere: int
    residence_unknown: int
    share: float | None = strawberry.field(description="livingElsewhere / (members - residenceUnknown)")


@strawberry.type
class CoverageRow:
    community: Community
    paired_units: int
    unpaired_local_units: list[Unit]


@strawberry.type
class SuggestionReasons:
    employees_living_here: int | None = strawberry.field(
        description="Null for ANALYST when under 5 (small counts are withheld); the score then counts 0."
    )
    same_street: bool
    current_pairings: int


@strawberry.type(
    description="score = employeesLivingHere + 3 × sameStreet − currentPairings; every unit is a candidate "
    "except those with an open pairing with the community; ties by USCC."
)
class PairingSuggestion:
    score: float
    unit: Unit
    reasons: SuggestionReasons


@strawberry.type
class UnitReporting:
    unit: Unit
    members: int
    reported: int
    unreported: int


@strawberry.type
class Contact:
    role: str
    name: str | None
    phone_masked: str | None
    scope_name: str | None


@strawberry.type
class ResponsibilitySide:
    place: Place
    contacts: list[Contact]


@strawberry.type(description="双重负责: who answers for a person where registered and where living.")
class DualResponsibility:
    person: Person
    hukou_side: ResponsibilitySide | None
    residence_side: ResponsibilitySide | None


@strawberry.type
class EvaluationGap:
    person: Person
    org_grade: str | None
    community_grade: str | None


@strawberry.type
class GraphNode:
    id: strawberry.ID
    label: str
    name: str | None


@strawberry.type
class GraphEdge:
    type: str
    from_: strawberry.ID = strawberry.field(name="from")
    to: strawberry.ID
    since: Date | None
    until: Date | None


@strawberry.type
class Path:
    length: int
    nodes: list[GraphNode]
    edges: list[GraphEdge]


@strawberry.type
class Neighborhood:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool


@strawberry.type
class SearchHit:
    id: strawberry.ID
    label: str
    name: str | None
