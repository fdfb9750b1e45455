"""Personal data on request: find a person by ID number, and reveal clear values with an audit entry.

``person_by_id_number`` looks the keyed hash up in the ``Person.idNumberHash`` index (the clear
number never reaches the database). ``reveal`` reads the encrypted fields and CREATEs the audit
entry in ONE statement, under the caller's scope: an entry exists exactly when values were
handed out, and an out-of-scope person is not found (and nothing is recorded). The entry holds
who, when, the pid, which fields and the reason; never a value.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from graph.base import Backend
from resolvers import audit
from resolvers.personal import PersonalData
from resolvers.plan import Cypher, Scope, Sel
from resolvers.projections import project_person
from resolvers.queries import today

FIELDS: dict[str, Literal["idNumber", "phone"]] = {"ID_NUMBER": "idNumber", "PHONE": "phone"}
MAX_REASON = 10_000
_DIGIT_RUN = re.compile(r"\d{7,}")


class BadReveal(ValueError):
    """A reveal request the client must fix; the message names the argument."""


def lookup_hash(personal: PersonalData, id_number: str) -> str:
    """The keyed hash of an ID number as the importer stores it (trimmed, check letter upper case)."""
    return personal.hash("idNumber", id_number.strip().upper())


async def person_by_id_number(
    backend: Backend, sel: Sel, id_hash: str, as_of: str | None, scope: Scope
) -> dict[str, Any] | None:
    q = Cypher(as_of or today(), scope)
    q.params["idHash"] = id_hash
    q.line("MATCH (n:Person {idNumberHash: $idHash})")
    if (restriction := q.scope.person(q, "n")) is not None:
        q.line(restriction)
    q.line(f"RETURN {project_person(q, 'n', sel)} AS result LIMIT 1")
    rows = await backend.read(q.text(), q.params)
    return rows[0]["result"] if rows else None


def check_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise BadReveal("reason: say why the clear values are needed (it is written to the audit log)")
    if len(text) > MAX_REASON:
        raise BadReveal(f"reason: at most {MAX_REASON} characters")
    if _DIGIT_RUN.search(re.sub(r"[\s-]", "", text)):
        raise BadReveal("reason: must not contain an ID number or a phone (the audit log never holds one)")
    return reason


async def reveal(
    backend: Backend,
    personal: PersonalData,
    pid: str,
    fields: list[str],
    reason: str,
    actor: audit.Actor,
    scope: Scope,
) -> dict[str, Any] | None:
    """Clear values of ``fields`` (``ID_NUMBER``, ``PHONE``) of a person in scope, audited."""
    check_reason(reason)
    wanted = list(dict.fromkeys(fields))
    if not wanted:
        raise BadReveal("fields: name at least one of ID_NUMBER, PHONE")
    q = Cypher(today(), scope)
    q.params["pid"] = pid
    q.line("MATCH (p:Person {pid: $pid})")
    if (restriction := q.scope.person(q, "p")) is not None:
        q.line(restriction)
    props = audit.entry(actor, "revealPersonalData", [pid], None, None, reason=reason, fields=wanted)
    audit.create_clause(q, props)
    q.line("RETURN p.idNumberEnc AS idNumber, p.phoneEnc AS phone")
    rows = await backend.write(q.text(), q.params)
    if not rows:
        return None
    result: dict[str, Any] = {"pid": pid, "idNumber": None, "phone": None}
    for name in wanted:
        field = FIELDS[name]
        stored = rows[0][field]
        result[field] = personal.decrypt(field, stored) if stored else None
    return result
