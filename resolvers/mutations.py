"""Staff changes: each mutation is a small ledger, checked by the importer's Validator and written
as ONE statement built from the write path's step statements.

How a change is made (``commit``):

1. read the revision of the nodes the change serialises on (the person, the unit, the merged
   communities);
2. ``plan`` reads what the change depends on (the open residence to close, say) and turns the
   input into ledger rows, exactly as they would appear in the CSV files of IMPORT.md: a move is
   the open residence re-stated with ``until`` plus the new one. Domain refusals that are not
   ledger rules (moving into the dwelling one already lives in) are raised here;
3. the Validator checks the rows against the graph, with the importer's rules and messages: every
   problem becomes a ``userError`` with a stable code and the input field it concerns;
4. one statement writes it all: it bumps the revisions only if they are still the ones read in
   step 1, runs each step's ``UNWIND $rows`` statement of ``resolvers/writes.py`` as a subquery,
   and creates the audit entry. Nothing else changes the graph in between: if a revision moved (a
   concurrent change), the statement matches nothing, writes nothing, and the change is planned
   again from step 1;
5. the payload is projected for the selection, as the read API does.

One statement is atomic on both backends, so a crash never leaves half a change, and 20
simultaneous moves of one person serialise into a consistent history.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from graph.base import Backend
from graph.model import NODE_KEYS
from resolvers import audit, flows, writes
from resolvers.audit import Actor
from resolvers.ledger import lookups
from resolvers.ledger.read import ParsedFile, SourceRow
from resolvers.ledger.spec import BY_NAME, GRADE, PAIRING_TARGET, ROLE, SCOPE_TYPE, SIDE
from resolvers.ledger.validate import SCOPE_LABEL, TARGET_LABEL, Validator
from resolvers.personal import PersonalData, mask_id_number, mask_phone
from resolvers.plan import Cypher, Sel
from resolvers.projections import pairing_item, project_community, project_person
from resolvers.queries import today

ATTEMPTS = 60  # plans of one change under contention before giving up with CONFLICT
CODES = ("INVALID", "NOT_FOUND", "CONFLICT", "NOT_A_MEMBER", "OVERLAP", "MERGED", "FORBIDDEN")


@dataclass(frozen=True)
class UserError:
    field: str | None
    code: str
    message: str


class Refused(Exception):
    """The change is not made; the errors say why (nothing was written)."""

    def __init__(self, *errors: UserError) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)


Projection = Callable[[Cypher, Sel], str]


@dataclass
class Change:
    """What a mutation wants written, as ledger rows, and what to say about it."""

    files: dict[str, list[dict[str, str | None]]]
    fields: dict[str, str]  # ledger column -> input field, for userErrors
    keys: list[str]  # what the audit entry is about
    before: Any
    after: Any
    result: Projection | None = None  # the payload's object, projected after the write


@dataclass
class Request:
    """Who asks, with what, and what they want back."""

    backend: Backend
    actor: Actor = field(default_factory=Actor)
    personal: PersonalData | None = None
    sel: Sel | None = None  # the payload field's selection (None: not asked)
    idempotency_key: str | None = None


# ---- the engine -----------------------------------------------------------------------------------
async def commit(
    request: Request,
    operation: str,
    locks: tuple[str, list[str]],
    plan: Callable[[], Awaitable[Change]],
) -> Any:
    """Make the change; returns the payload object (or None), raises ``Refused``."""
    backend = request.backend
    idem = f"{request.actor.name}|{request.idempotency_key}" if request.idempotency_key else None
    if idem is not None and (first := await _first_result(backend, idem, operation)) is not None:
        return first["result"]
    label, wanted = locks
    key = NODE_KEYS[label]
    for attempt in range(ATTEMPTS):
        found = await backend.read(  # each row: the entity's key, its Revision node's key, the revision
            f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k[0]}}) OPTIONAL MATCH (r:Revision {{key: k[1]}}) "
            f"RETURN n.{key} AS key, k[1] AS lock, coalesce(r.rev, 0) AS rev",
            {"keys": [[k, f"{label}|{k}"] for k in sorted(set(wanted))]},
        )
        try:
            change = await plan()
            steps = await _validate(request, change)
        except Refused:
            # a concurrent retry of this very call may have made the change since we looked
            if idem is not None and (first := await _first_result(backend, idem, operation)) is not None:
                return first["result"]
            raise
        q = _statement(request, operation, label, found, steps, change, idem)
        rows = await backend.write(q.text(), q.params)
        if rows:
            result = await _project(request, change)
            if idem is not None:
                await audit.store_response(backend, rows[0]["audit"], {"result": result})
            return result
        if idem is not None and (first := await _first_result(backend, idem, operation)) is not None:
            return first["result"]
        await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
    raise Refused(UserError(None, "CONFLICT", "the record kept changing under concurrent edits; try again"))


async def _first_result(backend: Backend, idem: str, operation: str) -> dict[str, Any] | None:
    """The stored result of the first call with this Idempotency-Key (waiting briefly for it)."""
    for _ in range(50):
        entry = await audit.find_idempotent(backend, idem)
        if entry is None:
            return None
        if entry["operation"] != operation:
            raise Refused(
                UserError(None, "CONFLICT", f"the Idempotency-Key was used for {entry['operation']}")
            )
        if entry.get("response") is not None:
            return json.loads(entry["response"])  # type: ignore[no-any-return]
        await asyncio.sleep(0.02)  # the first call has written; its result follows at once
    return {"result": None}


async def _validate(request: Request, change: Change) -> dict[str, list[dict[str, Any]]]:
    """The importer's checks on the change's rows; problems become userErrors."""
    parsed = {}
    for name, rows in change.files.items():
        spec = BY_NAME[name]
        parsed[name] = ParsedFile(
            spec,
            [c.name for c in spec.columns],
            [
                SourceRow(name, line, {c.name: _cell(row.get(c.name)) for c in spec.columns})
                for line, row in enumerate(rows, start=2)
            ],
        )
    outcome = await Validator(request.backend, request.personal, today()).run(parsed)
    if outcome.problems:
        errors: list[UserError] = []
        for problem in outcome.problems:
            error = UserError(
                change.fields.get(problem.column, problem.column), problem.code, problem.message
            )
            if error not in errors:
                errors.append(error)
        raise Refused(*errors)
    return outcome.steps


def _cell(value: str | None) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _statement(
    request: Request,
    operation: str,
    label: str,
    locks: list[dict[str, Any]],
    steps: dict[str, list[dict[str, Any]]],
    change: Change,
    idem: str | None,
) -> Cypher:
    q = Cypher(today())
    q.params["locks"] = locks
    q.line("UNWIND $locks AS l")
    q.line(f"MATCH (n:{label} {{{NODE_KEYS[label]}: l.key}})")
    # the revision lives on its own node: a SET on the entity re-indexes it in FalkorDB (its
    # range and full-text indexes), garbage collected later in a forked child beside the service
    q.line("MERGE (lock:Revision {key: l.lock})")
    # write first, compare after: on Neo4j the write takes the node's lock (waiting for a
    # concurrent change to commit), so the revision compared next is the committed one; compared
    # before any write, two concurrent changes could both see the old revision
    q.line("SET lock.held = true")
    q.line("WITH lock, l WHERE coalesce(lock.rev, 0) = l.rev")
    q.line("SET lock.rev = l.rev + 1")
    q.line(f"WITH count(lock) AS locked WHERE locked = {q.param(len(locks), 'count')}")
    for step, rows in writes.batches(steps):
        packed = writes.PACKED[step]
        rows_param = q.param(packed.rows(rows), "rows")
        text = packed.text.replace("$rows", rows_param)
        q.line(f"CALL {{ {text} RETURN count(*) AS {q.var('written')} }}")
    _keep_flows(q, steps)
    entry = audit.entry(
        request.actor, operation, change.keys, change.before, change.after, idempotencyKey=idem
    )
    audit.create_clause(q, entry)
    q.line("RETURN audit.id AS audit")
    return q


def _keep_flows(q: Cypher, steps: dict[str, list[dict[str, Any]]]) -> None:
    """The flow-matrix shortcuts of the persons the change touches, rebuilt in the same statement."""
    if steps.get("merges"):
        codes = q.param(sorted({row["old"] for row in steps["merges"]}), "codes")
        flows.touched_by_merge(q, codes, "flowPids")
        flows.refresh_clauses(q, "flowPids", imports=["flowPids"])
        return
    pids = sorted({row["pid"] for step in flows.TOUCHING_STEPS for row in steps.get(step, ())})
    if pids:
        flows.refresh_clauses(q, q.param(pids, "pids"))


async def _project(request: Request, change: Change) -> Any:
    """The payload's object as the selection asks, read after the write.

    Not in the write statement: FalkorDB reads a property whose name the graph had never seen
    before the statement began (the first merge's ``on``, say) as null in that same statement.
    """
    if change.result is None or request.sel is None:
        return None
    q = Cypher(today())
    expr = change.result(q, request.sel)
    q.line(f"RETURN {expr} AS result")
    rows = await request.backend.read(q.text(), q.params)
    return rows[0]["result"] if rows else None


# ---- what the plans read ----------------------------------------------------------------------------
TARGET_KEY = "coalesce(t.code, t.id, t.orgId, t.key, t.uscc, t.teamId)"


async def person_edges(backend: Backend, pid: str, rel: str) -> list[dict[str, Any]]:
    """Every ``rel`` period of a person (open and closed), with its properties."""
    return await backend.read(
        f"MATCH (p:Person {{pid: $pid}})-[r:{rel}]->(t) "
        f"RETURN labels(t)[0] AS label, {TARGET_KEY} AS target, properties(r) AS props",
        {"pid": pid},
    )


async def unit_pairings(backend: Backend, uscc: str) -> list[dict[str, Any]]:
    return await backend.read(
        f"MATCH (u:Unit {{uscc: $uscc}})-[r:PAIRED_WITH]->(t) "
        f"RETURN labels(t)[0] AS label, {TARGET_KEY} AS target, properties(r) AS props",
        {"uscc": uscc},
    )


def open_ones(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in edges if e["props"].get("until") is None]


def person_result(pid: str) -> Projection:
    def project(q: Cypher, sel: Sel) -> str:
        q.line(f"MATCH (out:Person {{pid: {q.param(pid, 'pid')}}})")
        return project_person(q, "out", sel)

    return project


def community_result(code: str) -> Projection:
    def project(q: Cypher, sel: Sel) -> str:
        q.line(f"MATCH (out:Community {{code: {q.param(code, 'code')}}})")
        return project_community(q, "out", sel)

    return project


def pairing_result(uscc: str, label: str, target: str, since: str) -> Projection:
    def project(q: Cypher, sel: Sel) -> str:
        q.line(
            f"MATCH (out:Unit {{uscc: {q.param(uscc, 'uscc')}}})-[rel:PAIRED_WITH {{since: {q.param(since, 'since')}}}]->"
            f"(t:{label} {{{NODE_KEYS[label]}: {q.param(target, 'target')}}})"
        )
        return pairing_item(q, sel, "rel", "out", "t")

    return project


def _period(edge: dict[str, Any]) -> dict[str, Any]:
    return {
        "target": edge["target"],
        "since": edge["props"].get("since"),
        "until": edge["props"].get("until"),
    }


# ---- one-at-a-time memberships: residence, hukou, report --------------------------------------------
@dataclass(frozen=True)
class Kind:
    """A membership a person holds one at a time, as its ledger file names it."""

    file: str
    rel: str
    target_column: str
    target_field: str
    extra: dict[str, str]  # ledger column -> relationship property, re-stated when closing
    noun: str


RESIDENCE = Kind("residences.csv", "LIVES_IN", "dwelling_id", "dwellingId", {"tenure": "tenure"}, "dwelling")
HUKOU = Kind(
    "hukou_members.csv",
    "HUKOU_MEMBER",
    "household_key",
    "householdKey",
    {"rel_to_head": "relToHead"},
    "household",
)
REPORT = Kind(
    "reports.csv", "REPORTED_TO", "community_code", "communityCode", {"grid_code": "gridCode"}, "community"
)


async def switch(
    request: Request,
    operation: str,
    kind: Kind,
    pid: str,
    target: str,
    since: str,
    extra: dict[str, str | None],
) -> Any:
    """Close the open membership of ``kind`` on ``since`` and open one at ``target``."""

    async def plan() -> Change:
        edges = await person_edges(request.backend, pid, kind.rel)
        current = open_ones(edges)
        rows: list[dict[str, str | None]] = []
        for edge in current:
            props = edge["props"]
            if edge["target"] == target:
                raise Refused(
                    UserError(
                        kind.target_field,
                        "CONFLICT",
                        f"already at {kind.noun} '{target}' since {props.get('since')}",
                    )
                )
            if since <= (props.get("since") or ""):
                raise Refused(
                    UserError(
                        "since",
                        "OVERLAP",
                        f"since {since} is not after the start ({props.get('since')}) of the current {kind.noun} "
                        f"'{edge['target']}'; back-dated changes that overlap history are refused",
                    )
                )
            rows.append(
                {"pid": pid, kind.target_column: edge["target"], "since": props.get("since"), "until": since}
                | {column: props.get(prop) for column, prop in kind.extra.items()}
            )
        rows.append({"pid": pid, kind.target_column: target, "since": since, "until": None} | extra)
        return Change(
            files={kind.file: rows},
            fields={"pid": "pid", kind.target_column: kind.target_field, "since": "since", "until": "since"}
            | {column: _camel(column) for column in kind.extra},
            keys=[pid, target],
            before=[_period(e) for e in current] or None,
            after={"target": target, "since": since, **{k: v for k, v in extra.items() if v is not None}},
            result=person_result(pid),
        )

    return await commit(request, operation, ("Person", [pid]), plan)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def move_person(request: Request, pid: str, dwelling_id: str, since: str, tenure: str | None) -> Any:
    return await switch(request, "movePerson", RESIDENCE, pid, dwelling_id, since, {"tenure": tenure})


async def transfer_hukou(
    request: Request, pid: str, household_key: str, since: str, rel_to_head: str | None
) -> Any:
    return await switch(
        request, "transferHukou", HUKOU, pid, household_key, since, {"rel_to_head": rel_to_head}
    )


async def report_to_community(
    request: Request, pid: str, community_code: str, grid_code: str | None, since: str
) -> Any:
    return await switch(
        request, "reportToCommunity", REPORT, pid, community_code, since, {"grid_code": grid_code}
    )


# ---- memberships that can be held side by side: teams, roles ------------------------------------
async def join(
    request: Request,
    operation: str,
    file: str,
    rel: str,
    row: dict[str, str | None],
    same: Callable[[dict[str, Any]], bool],
    fields: dict[str, str],
    what: str,
) -> Any:
    """Open a period unless the same one is open already."""
    pid = row["pid"] or ""

    async def plan() -> Change:
        current = [e for e in open_ones(await person_edges(request.backend, pid, rel)) if same(e)]
        if current:
            since = current[0]["props"].get("since")
            raise Refused(UserError(None, "CONFLICT", f"{what} is already open since {since}"))
        return Change({file: [row]}, fields, [v for v in row.values() if v], None, row, person_result(pid))

    return await commit(request, operation, ("Person", [pid]), plan)


async def leave(
    request: Request,
    operation: str,
    file: str,
    rel: str,
    row: dict[str, str | None],
    same: Callable[[dict[str, Any]], bool],
    extra: dict[str, str],
    fields: dict[str, str],
    what: str,
) -> Any:
    """Close the open period on ``row['until']``."""
    pid = row["pid"] or ""

    async def plan() -> Change:
        current = [e for e in open_ones(await person_edges(request.backend, pid, rel)) if same(e)]
        if not current:
            raise Refused(UserError(None, "NOT_A_MEMBER", f"{what} is not open"))
        props = current[0]["props"]
        closing = (
            row | {"since": props.get("since")} | {column: props.get(prop) for column, prop in extra.items()}
        )
        return Change(
            {file: [closing]},
            fields,
            [v for v in row.values() if v],
            _period(current[0]),
            closing,
            person_result(pid),
        )

    return await commit(request, operation, ("Person", [pid]), plan)


async def join_team(request: Request, pid: str, team_id: str, role: str | None, since: str) -> Any:
    row = {"pid": pid, "team_id": team_id, "role": role, "since": since, "until": None}
    fields = {"pid": "pid", "team_id": "teamId", "role": "role", "since": "since"}
    return await join(
        request,
        "joinTeam",
        "team_members.csv",
        "IN_TEAM",
        row,
        lambda e: e["target"] == team_id,
        fields,
        f"membership of team '{team_id}'",
    )


async def leave_team(request: Request, pid: str, team_id: str, until: str) -> Any:
    row: dict[str, str | None] = {"pid": pid, "team_id": team_id, "until": until}
    fields = {"pid": "pid", "team_id": "teamId", "until": "until", "since": "until"}
    return await leave(
        request,
        "leaveTeam",
        "team_members.csv",
        "IN_TEAM",
        row,
        lambda e: e["target"] == team_id,
        {"role": "role"},
        fields,
        f"membership of team '{team_id}'",
    )


def _scope_label(scope_type: str) -> str | None:
    code = SCOPE_TYPE.get(scope_type) or SCOPE_TYPE.get(scope_type.upper())
    return SCOPE_LABEL.get(code or "")


async def assign_role(request: Request, pid: str, role: str, scope_type: str, scope: str, since: str) -> Any:
    row = {"pid": pid, "role": role, "scope_type": scope_type, "scope": scope, "since": since, "until": None}
    fields = {"pid": "pid", "role": "role", "scope_type": "scopeType", "scope": "scope", "since": "since"}
    label = _scope_label(scope_type)
    return await join(
        request,
        "assignRole",
        "roles.csv",
        "SERVES_AS",
        row,
        lambda e: e["label"] == label and e["target"] == scope and _same_role(e, role),
        fields,
        f"role {role} at '{scope}'",
    )


async def end_role(request: Request, pid: str, role: str, scope_type: str, scope: str, until: str) -> Any:
    row: dict[str, str | None] = {
        "pid": pid,
        "role": role,
        "scope_type": scope_type,
        "scope": scope,
        "until": until,
    }
    fields = {
        "pid": "pid",
        "role": "role",
        "scope_type": "scopeType",
        "scope": "scope",
        "until": "until",
        "since": "until",
    }
    label = _scope_label(scope_type)
    return await leave(
        request,
        "endRole",
        "roles.csv",
        "SERVES_AS",
        row,
        lambda e: e["label"] == label and e["target"] == scope and _same_role(e, role),
        {},
        fields,
        f"role {role} at '{scope}'",
    )


def _same_role(edge: dict[str, Any], role: str) -> bool:
    return bool(edge["props"].get("role") == (ROLE.get(role) or ROLE.get(role.upper()) or role))


# ---- pairings (结对共建) -------------------------------------------------------------------------------
def target_label(target_type: str) -> str | None:
    code = PAIRING_TARGET.get(target_type) or PAIRING_TARGET.get(target_type.upper())
    return TARGET_LABEL.get(code or "")


PAIRING_FIELDS = {
    "uscc": "uscc",
    "target_type": "targetType",
    "target": "target",
    "since": "since",
    "until": "until",
    "agreement_no": "agreementNo",
}


async def pair_unit(
    request: Request, uscc: str, target_type: str, target: str, since: str, agreement_no: str | None
) -> Any:
    label = target_label(target_type)

    async def plan() -> Change:
        current = [
            e
            for e in open_ones(await unit_pairings(request.backend, uscc))
            if e["label"] == label and e["target"] == target
        ]
        if current:
            raise Refused(
                UserError(
                    "target",
                    "CONFLICT",
                    f"unit '{uscc}' is already paired with '{target}' since "
                    f"{current[0]['props'].get('since')}",
                )
            )
        row = {
            "uscc": uscc,
            "target_type": target_type,
            "target": target,
            "since": since,
            "until": None,
            "agreement_no": agreement_no,
        }
        result = pairing_result(uscc, label, target, since) if label else None
        return Change({"pairings.csv": [row]}, PAIRING_FIELDS, [uscc, target], None, row, result)

    return await commit(request, "pairUnit", ("Unit", [uscc]), plan)


async def end_pairing(request: Request, uscc: str, target_type: str, target: str, until: str) -> Any:
    label = target_label(target_type)

    async def plan() -> Change:
        current = [
            e
            for e in open_ones(await unit_pairings(request.backend, uscc))
            if e["label"] == label and e["target"] == target
        ]
        if not current:
            raise Refused(
                UserError("target", "NOT_FOUND", f"unit '{uscc}' has no open pairing with '{target}'")
            )
        props = current[0]["props"]
        row = {
            "uscc": uscc,
            "target_type": target_type,
            "target": target,
            "since": props.get("since"),
            "until": until,
            "agreement_no": props.get("agreementNo"),
        }
        fields = PAIRING_FIELDS | {"since": "until"}
        assert label is not None
        return Change(
            {"pairings.csv": [row]},
            fields,
            [uscc, target],
            _period(current[0]),
            row,
            pairing_result(uscc, label, target, props.get("since") or ""),
        )

    return await commit(request, "endPairing", ("Unit", [uscc]), plan)


# ---- merges (合并村/社区) ------------------------------------------------------------------------------
async def merge_communities(
    request: Request, old_codes: list[str], new_code: str, new_name: str | None, on: str, doc_no: str | None
) -> Any:
    if not old_codes:
        raise Refused(UserError("oldCodes", "INVALID", "name at least one community to merge"))
    if len(set(old_codes)) != len(old_codes):
        raise Refused(UserError("oldCodes", "INVALID", "a community is named twice"))

    async def plan() -> Change:
        known = await lookups.fetch(request.backend, "Community", sorted({*old_codes, new_code}))
        files: dict[str, list[dict[str, str | None]]] = {}
        new = known.get(new_code)
        model = known.get(old_codes[0])
        if new is None and model is not None:  # a new community, in the street of the first old one
            if not new_name:
                raise Refused(
                    UserError("newName", "INVALID", f"a name is needed for the new community '{new_code}'")
                )
            parent = (model.get("parent") or [None])[0]
            files["regions.csv"] = [
                {
                    "code": new_code,
                    "name": new_name,
                    "level": "COMMUNITY",
                    "kind": model.get("kind"),
                    "parent_code": parent,
                }
            ]
        elif new is not None and new_name:
            parent = (new.get("parent") or [None])[0]
            files["regions.csv"] = [
                {
                    "code": new_code,
                    "name": new_name,
                    "level": "COMMUNITY",
                    "kind": new.get("kind"),
                    "parent_code": parent,
                }
            ]
        files["merges.csv"] = [
            {"old_code": old, "new_code": new_code, "on": on, "doc_no": doc_no} for old in old_codes
        ]
        fields = {
            "old_code": "oldCodes",
            "new_code": "newCode",
            "on": "on",
            "doc_no": "docNo",
            "code": "newCode",
            "name": "newName",
            "parent_code": "oldCodes",
        }
        after = {"oldCodes": old_codes, "newCode": new_code, "newName": new_name, "on": on, "docNo": doc_no}
        return Change(files, fields, [*old_codes, new_code], None, after, community_result(new_code))

    return await commit(request, "mergeCommunities", ("Community", [*old_codes, new_code]), plan)


# ---- persons and evaluations ---------------------------------------------------------------------
PERSON_FIELDS = {
    "pid": "pid",
    "name": "name",
    "gender": "gender",
    "birth_date": "birthDate",
    "id_number": "idNumber",
    "phone": "phone",
    "ethnicity": "ethnicity",
    "tags": "tags",
}


async def upsert_person(request: Request, values: dict[str, str | None]) -> Any:
    """Create a person or change their attributes (an empty ID number / phone keeps the stored one)."""
    pid = values["pid"] or ""

    async def plan() -> Change:
        rows = await request.backend.read(
            "MATCH (p:Person {pid: $pid}) RETURN p {.name, .gender, .birthDate, .ethnicity, .tags, "
            ".idNumberMasked, .phoneMasked} AS person",
            {"pid": pid},
        )
        before = rows[0]["person"] if rows else None
        after: dict[str, Any] = {k: v for k, v in values.items() if k not in ("id_number", "phone")}
        if values.get("id_number"):  # masked forms only, in the audit trail
            after["idNumberMasked"] = mask_id_number(values["id_number"] or "")
        if values.get("phone"):
            after["phoneMasked"] = mask_phone(values["phone"] or "")
        return Change({"persons.csv": [values]}, PERSON_FIELDS, [pid], before, after, person_result(pid))

    return await commit(request, "upsertPerson", ("Person", [pid]), plan)


async def record_evaluation(request: Request, pid: str, year: int, side: str, grade: str) -> Any:
    async def plan() -> Change:
        side_code = SIDE.get(side) or SIDE.get(side.upper()) or side
        rows = await request.backend.read(
            "MATCH (e:Evaluation {key: $key}) RETURN e.grade AS grade", {"key": f"{pid}:{year}:{side_code}"}
        )
        if rows:
            wanted = GRADE.get(grade) or GRADE.get(grade.upper()) or grade
            if rows[0]["grade"] != wanted:
                raise Refused(
                    UserError(
                        "grade",
                        "CONFLICT",
                        f"the {year} {side_code} evaluation is already recorded as {rows[0]['grade']}",
                    )
                )
        row: dict[str, str | None] = {"pid": pid, "year": str(year), "side": side, "grade": grade}
        fields = {"pid": "pid", "year": "year", "side": "side", "grade": "grade"}
        return Change({"evaluations.csv": [row]}, fields, [pid, str(year)], None, row, person_result(pid))

    return await commit(request, "recordEvaluation", ("Person", [pid]), plan)
