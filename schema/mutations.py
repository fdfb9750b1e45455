"""The write side of the schema: staff mutations and the audit log.

Expected failures are data: every payload has ``userErrors { field code message }`` with a stable
``code``, and when there is one nothing was written. The work is in resolvers/mutations.py.
"""

from __future__ import annotations

import base64
import binascii
import json
import tempfile
from collections.abc import Awaitable, Callable
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from resolvers import audit, mutations, queries
from resolvers.audit import Actor
from resolvers.connections import shape_connection
from resolvers.ledger import import_bundle
from resolvers.ledger.spec import BY_NAME
from resolvers.plan import UNRESTRICTED, Sel, selection
from schema.types import Community, Date, PageInfo, Pairing, Person

WRITER_ROLES = ("ADMIN", "DISTRICT_STAFF", "STREET_STAFF", "COMMUNITY_STAFF")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # importBundle is for small ledgers; the CLI takes the big ones


@strawberry.enum(description="Why a change was refused. Stable: clients may switch on it.")
class UserErrorCode(Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    NOT_A_MEMBER = "NOT_A_MEMBER"
    OVERLAP = "OVERLAP"
    MERGED = "MERGED"
    FORBIDDEN = "FORBIDDEN"


@strawberry.type(description="An expected failure: the input field it concerns, a code, a message.")
class UserError:
    field: str | None
    code: UserErrorCode
    message: str


@strawberry.type
class PersonPayload:
    user_errors: list[UserError]
    person: Person | None


@strawberry.type
class PairingPayload:
    user_errors: list[UserError]
    pairing: Pairing | None


@strawberry.type
class CommunityPayload:
    user_errors: list[UserError]
    community: Community | None


@strawberry.type(description="What an uploaded ledger did: rows read, written, rejected.")
class ImportPayload:
    user_errors: list[UserError]
    wrote: bool
    rows_read: int
    rows_written: int
    rejected_rows: int


@strawberry.input(description="Move a person: close the open residence on `since`, open one at `dwellingId`.")
class MovePersonInput:
    pid: str
    dwelling_id: str
    since: Date
    tenure: str | None = strawberry.field(default=None, description="OWNER 自有 / TENANT 租住 / OTHER 其他")


@strawberry.input(description="Move a person's hukou to another household (户口迁移).")
class TransferHukouInput:
    pid: str
    household_key: str
    since: Date
    rel_to_head: str = strawberry.field(description="与户主关系, as in hukou_members.csv")


@strawberry.input(description="Pair a unit with a community, compound or party org (结对共建).")
class PairUnitInput:
    uscc: str
    target_type: str = strawberry.field(description="COMMUNITY / COMPOUND / PARTY_ORG")
    target: str
    since: Date
    agreement_no: str | None = None


@strawberry.input(description="End an open pairing on `until`.")
class EndPairingInput:
    uscc: str
    target_type: str
    target: str
    until: Date


@strawberry.input(description="An in-service party member reports to a community (在职党员报到).")
class ReportInput:
    pid: str
    community_code: str
    grid_code: str | None = None
    since: Date


@strawberry.input(description="Merge communities into one (合并村/社区); the old ones live on as areas.")
class MergeInput:
    old_codes: list[str]
    new_code: str
    new_name: str | None = strawberry.field(default=None, description="Needed when `newCode` is new.")
    on: Date
    doc_no: str | None = None


@strawberry.input(
    description="Create a person or change their attributes; an empty ID number or phone keeps the stored one."
)
class UpsertPersonInput:
    pid: str
    name: str
    gender: str = strawberry.field(description="M 男 / F 女")
    birth_date: Date | None = None
    id_number: str | None = None
    phone: str | None = None
    ethnicity: str | None = None
    tags: list[str] | None = None


@strawberry.input
class JoinTeamInput:
    pid: str
    team_id: str
    role: str | None = None
    since: Date


@strawberry.input
class LeaveTeamInput:
    pid: str
    team_id: str
    until: Date


@strawberry.input(
    description="A role (网格员, 楼栋长 …) at a community, grid, compound, building or party org."
)
class AssignRoleInput:
    pid: str
    role: str
    scope_type: str = strawberry.field(description="COMMUNITY / GRID / COMPOUND / BUILDING / PARTY_ORG")
    scope: str
    since: Date


@strawberry.input
class EndRoleInput:
    pid: str
    role: str
    scope_type: str
    scope: str
    until: Date


@strawberry.input(description="A 双重评议 grade for a year, from the party org (ORG) or the community.")
class RecordEvaluationInput:
    pid: str
    year: int
    side: str = strawberry.field(description="ORG 支部 / COMMUNITY 社区")
    grade: str = strawberry.field(description="EXCELLENT / QUALIFIED / BASICALLY_QUALIFIED / UNQUALIFIED")


@strawberry.input(description="One CSV file of IMPORT.md: its name and its text (or base64 of its bytes).")
class LedgerFileInput:
    name: str
    content: str
    base64: bool = False


@strawberry.input(description="A small ledger, checked exactly as `grassroots import` checks it.")
class ImportBundleInput:
    files: list[LedgerFileInput]
    partial: bool = False


@strawberry.type(description="One accepted write: who, when, what, and the state before and after.")
class AuditEntry:
    id: str
    at: str
    actor: str
    role: str
    operation: str
    keys: list[str]
    before: JSON | None
    after: JSON | None
    reason: str | None


@strawberry.type
class AuditEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditConnection:
    edges: list[AuditEdge]
    nodes: list[AuditEntry]
    page_info: PageInfo
    total_count: int


@strawberry.input
class AuditFilter:
    operation: str | None = None
    actor: str | None = None
    key: str | None = strawberry.field(default=None, description="A pid, code or USCC the entry is about.")
    since: str | None = strawberry.field(default=None, description="Entries at or after this ISO time.")
    until: str | None = strawberry.field(default=None, description="Entries before this ISO time.")


# ---- running a mutation --------------------------------------------------------------------------
def _actor(info: Info[Any, None]) -> Actor:
    principal = getattr(info.context, "principal", None)
    if principal is None:
        return Actor()
    role = getattr(principal, "role", "")
    name = getattr(principal, "name", "") or getattr(principal, "sub", "") or "unknown"
    return Actor(str(name), str(getattr(role, "value", role)))


def _request(info: Info[Any, None], payload_field: str) -> mutations.Request:
    raw = getattr(info.context, "request", None)
    key = raw.headers.get("idempotency-key") if raw is not None else None
    return mutations.Request(
        backend=info.context.backend,
        actor=_actor(info),
        personal=getattr(info.context, "personal", None),
        sel=selection(info).one(payload_field),
        idempotency_key=key or None,
    )


def _errors(refused: mutations.Refused) -> list[dict[str, Any]]:
    return [{"field": e.field, "code": e.code, "message": e.message} for e in refused.errors]


Subject = tuple[str, str, str]  # input field, label, key: what the change is about


async def _run(
    info: Info[Any, None],
    payload_field: str,
    change: Callable[[mutations.Request], Awaitable[Any]],
    subjects: list[Subject],
) -> Any:
    """Run a change for the caller. Each subject must be in the caller's scope: staff change only
    what they may see, and what they may not see is not found (nothing is written)."""
    request = _request(info, payload_field)
    try:
        if request.actor.role not in WRITER_ROLES:
            raise mutations.Refused(
                mutations.UserError(None, "FORBIDDEN", "your role may not change the graph")
            )
        for field, label, key in subjects:
            if not await _visible(info, label, key):
                raise mutations.Refused(
                    mutations.UserError(field, "NOT_FOUND", f"'{key}' is not in your scope")
                )
        result = await change(request)
    except mutations.Refused as refused:
        return {"userErrors": _errors(refused), payload_field: None}
    return {"userErrors": [], payload_field: result}


async def _visible(info: Info[Any, None], label: str, key: str) -> bool:
    scope = info.context.scope
    if scope is UNRESTRICTED:
        return True
    node = await queries.fetch_node(info.context.backend, label, key, Sel(label, label), scope=scope)
    return node is not None


def _pairing_target(target_type: str, target: str) -> list[Subject]:
    label = mutations.target_label(target_type)
    return [("target", label, target)] if label else []


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Move a person to another dwelling on a date (history kept).")
    async def move_person(self, info: Info[Any, None], input: MovePersonInput) -> PersonPayload:
        return await _run(  # type: ignore[no-any-return]
            info,
            "person",
            lambda r: mutations.move_person(r, input.pid, input.dwelling_id, input.since, input.tenure),
            [("pid", "Person", input.pid)],
        )

    @strawberry.mutation(description="Move a person's hukou to another household on a date.")
    async def transfer_hukou(self, info: Info[Any, None], input: TransferHukouInput) -> PersonPayload:
        return await _run(  # type: ignore[no-any-return]
            info,
            "person",
            lambda r: mutations.transfer_hukou(
                r, input.pid, input.household_key, input.since, input.rel_to_head
            ),
            [("pid", "Person", input.pid)],
        )

    @strawberry.mutation(description="Pair a unit with a community, compound or party org from a date.")
    async def pair_unit(self, info: Info[Any, None], input: PairUnitInput) -> PairingPayload:
        return await _run(  # type: ignore[no-any-return]
            info,
            "pairing",
            lambda r: mutations.pair_unit(
                r, input.uscc, input.target_type, input.target, input.since, input.agreement_no
            ),
            _pairing_target(input.target_type, input.target),
        )

    @strawberry.mutation(description="End an open pairing on a date.")
    async def end_pairing(self, info: Info[Any, None], input: EndPairingInput) -> PairingPayload:
        return await _run(  # type: ignore[no-any-return]
            info,
            "pairing",
            lambda r: mutations.end_pairing(r, input.uscc, input.target_type, input.target, input.until),
            _pairing_target(input.target_type, input.target),
        )

    @strawberry.mutation(description="A party member reports to a community (closes an earlier report).")
    async def report_to_community(self, info: Info[Any, None], input: ReportInput) -> PersonPayload:
        return await _run(  # type: ignore[no-any-return]
            info,
            "person",
            lambda r: mutations.report_to_community(
                r, input.pid, input.community_code, input.grid_code, input.since
            ),
            [("pid", "Person", input.pid)],
        )

    @strawberry.mutation(
        description="Merge communities (SPEC.md): the old ones become MERGED and live on as areas."
    )
    async def merge_communities(self, info: Info[Any, None], input: MergeInput) -> CommunityPayload:
        return await _run(  # type: ignore[no-any-return]
            info,
            "community",
            lambda r: mutations.merge_communities(
                r, input.old_codes, input.new_code, input.new_name, input.on, input.doc_no
            ),
            [("oldCodes", "Community", code) for code in input.old_codes],
        )

    @strawberry.mutation(description="Create a person or change their attributes.")
    async def upsert_person(self, info: Info[Any, None], input: UpsertPersonInput) -> PersonPayload:
        values: dict[str, str | None] = {
            "pid": input.pid,
            "name": input.name,
            "gender": input.gender,
            "birth_date": input.birth_date,
            "id_number": input.id_number,
            "phone": input.phone,
            "ethnicity": input.ethnicity,
            "tags": ";".join(input.tags) if input.tags else None,
        }
        exists = await info.context.backend.read(
            "MATCH (p:Person {pid: $pid}) RETURN p.pid AS pid", {"pid": input.pid}
        )  # a new person has no scope yet; an existing one must be in the caller's
        subjects: list[Subject] = [("pid", "Person", input.pid)] if exists else []
        return await _run(info, "person", lambda r: mutations.upsert_person(r, values), subjects)  # type: ignore[no-any-return]

    @strawberry.mutation(description="Join a volunteer team from a date.")
    async def join_team(self, info: Info[Any, None], input: JoinTeamInput) -> PersonPayload:
        return await _run(  # type: ignore[no-any-return]
            info,
            "person",
            lambda r: mutations.join_team(r, input.pid, input.team_id, input.role, input.since),
            [("pid", "Person", input.pid)],
        )

    @strawberry.mutation(description="Leave a volunteer team on a date.")
    async def leave_team(self, info: Info[Any, None], input: LeaveTeamInput) -> PersonPayload:
        return await _run(  # type: ignore[no-any-return]
            info,
            "person",
            lambda r: mutations.leave_team(r, input.pid, input.team_id, input.until),
            [("pid", "Person", input.pid)],
        )

    @strawberry.mutation(description="Give a person a role at a place from a date.")
    async def assign_role(self, info: Info[Any, None], input: AssignRoleInput) -> PersonPayload:
        return await _run(  # type: ignore[no-any-return]
            info,
            "person",
            lambda r: mutations.assign_role(
                r, input.pid, input.role, input.scope_type, input.scope, input.since
            ),
            [("pid", "Person", input.pid)],
        )

    @strawberry.mutation(description="End a person's role on a date.")
    async def end_role(self, info: Info[Any, None], input: EndRoleInput) -> PersonPayload:
        return await _run(  # type: ignore[no-any-return]
            info,
            "person",
            lambda r: mutations.end_role(
                r, input.pid, input.role, input.scope_type, input.scope, input.until
            ),
            [("pid", "Person", input.pid)],
        )

    @strawberry.mutation(
        description="Record a 双重评议 grade (a different grade for the same year is refused)."
    )
    async def record_evaluation(self, info: Info[Any, None], input: RecordEvaluationInput) -> PersonPayload:
        return await _run(  # type: ignore[no-any-return]
            info,
            "person",
            lambda r: mutations.record_evaluation(r, input.pid, input.year, input.side, input.grade),
            [("pid", "Person", input.pid)],
        )

    @strawberry.mutation(description="Import a small uploaded ledger (IMPORT.md), with the CLI's checks.")
    async def import_bundle(self, info: Info[Any, None], input: ImportBundleInput) -> ImportPayload:
        request = _request(info, "wrote")
        empty = {"wrote": False, "rowsRead": 0, "rowsWritten": 0, "rejectedRows": 0}
        if request.actor.role not in ("ADMIN", "DISTRICT_STAFF"):  # a ledger may touch any community
            error = {
                "field": None,
                "code": "FORBIDDEN",
                "message": "importBundle needs ADMIN or DISTRICT_STAFF",
            }
            return {"userErrors": [error], **empty}  # type: ignore[return-value]
        files, errors = _uploaded(input.files)
        if errors:
            return {"userErrors": errors, **empty}  # type: ignore[return-value]
        with tempfile.TemporaryDirectory(prefix="grassroots-upload-") as folder:
            for name, data in files.items():
                (Path(folder) / name).write_bytes(data)
            result = await import_bundle(
                request.backend, Path(folder), request.personal, partial=input.partial
            )
        problems = [
            {"field": f"{p.file}:{p.line}: {p.column}", "code": p.code, "message": str(p)}
            for p in result.problems
        ]
        written = sum(result.written.values())
        if result.wrote and written:
            after = {
                "rowsRead": result.total_rows,
                "rowsWritten": written,
                "rejectedRows": result.rejected_rows,
            }
            await audit.record(
                request.backend, audit.entry(request.actor, "importBundle", sorted(files), None, after)
            )
        return {  # type: ignore[return-value]
            "userErrors": problems,
            "wrote": result.wrote,
            "rowsRead": result.total_rows,
            "rowsWritten": written,
            "rejectedRows": result.rejected_rows,
        }


def _uploaded(files: list[LedgerFileInput]) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    found: dict[str, bytes] = {}
    errors: list[dict[str, Any]] = []
    total = 0
    for index, file in enumerate(files):
        name = PurePosixPath(file.name).name
        where = f"files[{index}]"
        if name not in BY_NAME:
            message = f"unknown file '{file.name[:80]}'; a bundle holds any of: {', '.join(sorted(BY_NAME))}"
            errors.append({"field": f"{where}.name", "code": "INVALID", "message": message})
            continue
        if name in found:
            errors.append(
                {"field": f"{where}.name", "code": "INVALID", "message": f"'{name}' is given twice"}
            )
            continue
        try:
            data = base64.b64decode(file.content, validate=True) if file.base64 else file.content.encode()
        except (binascii.Error, ValueError):
            errors.append({"field": f"{where}.content", "code": "INVALID", "message": "not valid base64"})
            continue
        total += len(data)
        found[name] = data
    if total > MAX_UPLOAD_BYTES:
        message = (
            f"{total} bytes uploaded; at most {MAX_UPLOAD_BYTES} (use `grassroots import` for big ledgers)"
        )
        errors.append({"field": "files", "code": "INVALID", "message": message})
    if not files:
        errors.append({"field": "files", "code": "INVALID", "message": "no files given"})
    return found, errors


async def audit_log(
    info: Info[Any, None], first: int | None, after: str | None, filter: AuditFilter | None
) -> AuditConnection:
    """Admin only (the security layer decides who is an admin)."""
    if _actor(info).role != "ADMIN":
        from schema import ClientError

        raise ClientError("auditLog: only ADMIN may read the audit trail")
    filters = {name: getattr(filter, name) for name in audit.FILTERS} if filter is not None else {}
    want_total = "totalCount" in selection(info)
    page = await audit.audit_log(info.context.backend, first, after, filters, want_total)
    for item in page["page"]:
        for side in ("before", "after"):
            text = item["node"].get(side)
            item["node"][side] = json.loads(text) if text else None
    return shape_connection(page)  # type: ignore[return-value]
