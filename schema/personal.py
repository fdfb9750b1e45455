"""Root fields over personal data: ``personByIdNumber`` and ``revealPersonalData``.

Responses otherwise show only masked forms. A reveal is a read whose every use is written to
the audit log (in the same statement, resolvers/reveal.py); it is a query field because it
changes nothing in the graph that another read would see.
"""

from __future__ import annotations

import enum
from typing import Any

import strawberry

from resolvers import reveal
from resolvers.audit import Actor
from resolvers.personal import PersonalData
from resolvers.plan import selection
from resolvers.scope import STAFF, Role
from schema.permissions import Forbidden, require_role


@strawberry.enum(description="A personal field that can be revealed.")
class PersonalField(enum.Enum):
    ID_NUMBER = "ID_NUMBER"
    PHONE = "PHONE"


@strawberry.type(description="Clear personal values of one person; fields not asked for are null.")
class RevealedPersonalData:
    pid: str
    id_number: str | None
    phone: str | None


class PersonalDataUnavailable(Exception):
    """The service has no GRASSROOTS_SECRET_KEY, so it cannot hash or decrypt."""


def _personal(info: Any) -> PersonalData:
    personal: PersonalData | None = info.context.personal
    if personal is None:
        raise PersonalDataUnavailable(
            "personal data is not available: the service has no GRASSROOTS_SECRET_KEY"
        )
    return personal


async def person_by_id_number(info: Any, id_number: str, as_of: str | None) -> Any:
    require_role(info, Role.ADMIN, *STAFF)
    id_hash = reveal.lookup_hash(_personal(info), id_number)
    return await reveal.person_by_id_number(
        info.context.backend, selection(info), id_hash, as_of, info.context.scope
    )


async def reveal_personal_data(info: Any, pid: str, fields: list[PersonalField], reason: str) -> Any:
    principal = require_role(info, Role.ADMIN, *STAFF)
    if principal.role is not Role.ADMIN and not info.context.policy.staff_reveal:
        raise Forbidden("FORBIDDEN: only ADMIN may reveal personal data (GRASSROOTS_STAFF_REVEAL is off)")
    actor = Actor(name=principal.name or principal.sub, role=principal.role.value)
    return await reveal.reveal(
        info.context.backend,
        _personal(info),
        pid,
        [f.value for f in fields],
        reason,
        actor,
        info.context.scope,
    )
