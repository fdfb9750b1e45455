"""An independent reference implementation ("oracle") of the pairing and party contract operations.

It reads an import bundle (../shared/contract/IMPORT.md) with the csv module and answers
CommunityPairings, UnitPairings, PairingCoverage, PairingSuggestions, ReportingByUnit,
DualResponsibility, PartyOrgTree and EvaluationGaps from SPEC.md's definitions and the comments of
contract/operations.graphql only — it shares no code with the service's resolvers. Where SPEC.md
is silent the choice documented in schema.graphql is followed, and each such choice says so.

Answers are plain data shaped exactly like the ``data`` of the contract operation. Lists whose
order neither the contract nor the schema fixes are returned in a canonical order; the
differential tests compare those as multisets.

Scope: canonical (English) headers and enumeration codes, as the seed generator and the example
write them.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Date = dt.date
Json = dict[str, Any]


def today() -> Date:
    """SPEC.md: "Queries answer 'now' by default" — the clock's date, as the service's."""
    return dt.date.today()


def to_global_id(label: str, key: str) -> str:
    """A Relay global id: base64 of ``Label:key`` without padding (the contract says only
    "opaque"; the tests check this against ``contract.gid``)."""
    return base64.b64encode(f"{label}:{key}".encode()).decode().rstrip("=")


def parse_date(text: str | None) -> Date | None:
    return dt.date.fromisoformat(text) if text else None


@dataclass
class Span:
    """One relationship with its period (SPEC.md "History is never overwritten")."""

    since: Date | None
    until: Date | None
    value: str

    def open_on(self, day: Date) -> bool:
        """SPEC.md: open on a date when ``since <= asOf AND (until IS NULL OR until > asOf)``; a
        structural edge without ``since`` (a grid's community before any merge) is open from the
        start."""
        return (self.since is None or self.since <= day) and (self.until is None or self.until > day)

    def overlaps(self, first: Date, last: Date) -> bool:
        """Open on at least one day of ``first..last`` (a span with ``since == until`` is open on
        no day: IMPORT.md allows ``since <= until``, SPEC.md opens it only while ``until > asOf``)."""
        start = max(self.since or first, first)
        return start <= last and (self.until is None or self.until > start)


def value_on(spans: list[Span], day: Date) -> str | None:
    """The target of the open edge on ``day`` (IMPORT.md: at most one is open)."""
    for span in spans:
        if span.open_on(day):
            return span.value
    return None


@dataclass
class Pairing:
    uscc: str
    target_type: str  # COMMUNITY / COMPOUND / PARTY_ORG
    target: str
    span: Span
    agreement_no: str | None


@dataclass
class RoleRow:
    pid: str
    role: str
    scope_type: str
    scope: str
    span: Span


def _rows(folder: Path, name: str) -> Iterator[dict[str, str]]:
    """IMPORT.md: UTF-8 with or without BOM, RFC 4180, one header row; empty cell = no value."""
    path = folder / name
    if not path.exists():
        return
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            yield {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}


def _or_none(text: str) -> str | None:
    return text or None


def mask_phone(phone: str | None) -> str | None:
    """SPEC.md "Personal data": phones shown masked, ``138****5678``. Only the mobile form is
    spelled out; a landline's mask is compared loosely (``LANDLINE``)."""
    if not phone:
        return None
    if len(phone) == 11 and phone.startswith("1"):
        return f"{phone[:3]}****{phone[-4:]}"
    return LANDLINE


LANDLINE = "<masked landline>"


class Ledger:
    """The bundle as history: every changeable relationship is a list of spans."""

    def __init__(self, folder: Path) -> None:
        folder = Path(folder)
        self.regions: dict[str, dict[str, str]] = {}
        self.communities: dict[str, dict[str, str]] = {}
        for row in _rows(folder, "regions.csv"):
            self.regions[row["code"]] = row
            if row["level"] == "COMMUNITY":
                self.communities[row["code"]] = row
        self.merged_into: dict[str, tuple[str, Date]] = {}

        self.grid_name: dict[str, str] = {}
        self.grid_in: dict[str, list[Span]] = {}
        for row in _rows(folder, "grids.csv"):
            self.grid_name[row["code"]] = row["name"]
            self.grid_in[row["code"]] = [Span(None, None, row["community_code"])]
        self.compound: dict[str, dict[str, str]] = {}
        self.compound_in: dict[str, list[Span]] = {}
        for row in _rows(folder, "compounds.csv"):
            self.compound[row["id"]] = row
            self.compound_in[row["id"]] = [Span(None, None, row["community_code"])]
        self.building: dict[str, dict[str, str]] = {
            row["code"]: row for row in _rows(folder, "buildings.csv")
        }
        self.dwelling: dict[str, str] = {
            row["id"]: row["building_code"] for row in _rows(folder, "dwellings.csv")
        }
        self.hukou_at: dict[str, list[Span]] = {
            row["key"]: [Span(parse_date(row.get("since")), None, row["hukou_code"])]
            for row in _rows(folder, "households.csv")
        }
        self.person: dict[str, dict[str, str]] = {row["pid"]: row for row in _rows(folder, "persons.csv")}

        self.hukou_member = self._spans(folder, "hukou_members.csv", "household_key")
        self.lives_in = self._spans(folder, "residences.csv", "dwelling_id")
        self.party_member = self._spans(folder, "party_members.csv", "org_id")
        self.employed = self._spans(folder, "employments.csv", "uscc")
        self.reported = self._spans(folder, "reports.csv", "community_code")

        self.org: dict[str, dict[str, str]] = {}
        self.based_in: dict[str, list[Span]] = {}
        for row in _rows(folder, "party_orgs.csv"):
            self.org[row["id"]] = row
            self.based_in[row["id"]] = [Span(None, None, row["community_code"])]
        self.unit: dict[str, dict[str, str]] = {}
        self.located_in: dict[str, list[Span]] = {}
        for row in _rows(folder, "units.csv"):
            self.unit[row["uscc"]] = row
            self.located_in[row["uscc"]] = [Span(None, None, row["community_code"])]

        self.pairings = [
            Pairing(
                row["uscc"],
                row["target_type"],
                row["target"],
                Span(parse_date(row["since"]), parse_date(row.get("until")), row["target"]),
                _or_none(row.get("agreement_no", "")),
            )
            for row in _rows(folder, "pairings.csv")
        ]
        self.roles = [
            RoleRow(
                row["pid"],
                row["role"],
                row["scope_type"],
                row["scope"],
                Span(parse_date(row["since"]), parse_date(row.get("until")), row["scope"]),
            )
            for row in _rows(folder, "roles.csv")
        ]
        self.evaluations: dict[tuple[str, int, str], str] = {
            (row["pid"], int(row["year"]), row["side"]): row["grade"]
            for row in _rows(folder, "evaluations.csv")
        }
        self.pairings_of: dict[str, list[Pairing]] = defaultdict(list)
        for pairing in self.pairings:
            self.pairings_of[pairing.uscc].append(pairing)
        self.pairings_to: dict[tuple[str, str], list[Pairing]] = defaultdict(list)
        for pairing in self.pairings:
            self.pairings_to[pairing.target_type, pairing.target].append(pairing)
        self.roles_at: dict[tuple[str, str], list[RoleRow]] = defaultdict(list)
        for role in self.roles:
            self.roles_at[role.scope_type, role.scope].append(role)
        self._members: dict[Date, dict[str, list[str]]] = {}
        merges = [
            (row["old_code"], row["new_code"], parse_date(row["on"])) for row in _rows(folder, "merges.csv")
        ]
        for old, new, on in sorted(merges, key=lambda m: m[2] or dt.date.min):
            assert on is not None
            self._merge(old, new, on)

    @staticmethod
    def _spans(folder: Path, name: str, column: str) -> dict[str, list[Span]]:
        spans: dict[str, list[Span]] = defaultdict(list)
        for row in _rows(folder, name):
            spans[row["pid"]].append(
                Span(parse_date(row["since"]), parse_date(row.get("until")), row[column])
            )
        return spans

    def _merge(self, old: str, new: str, on: Date) -> None:
        """IMPORT.md: "a merge re-points what is current at the old communities to the new one as
        of `on`, closing the old edges"; SPEC.md: "current hukou, grids, compounds, units and
        party-org seats move to the new community as of the merge date, and the closed edges stay"."""
        self.merged_into[old] = (new, on)
        for table in (self.hukou_at, self.grid_in, self.compound_in, self.located_in, self.based_in):
            for spans in table.values():
                for span in list(spans):
                    if span.until is None and span.value == old:
                        if span.since is not None and span.since >= on:
                            span.value = new  # opened after the merge: current at the successor
                            continue
                        span.until = on
                        spans.append(Span(on, None, new))

    # ---- definitions (SPEC.md "Definitions the answers depend on") ------------------------------
    def active_on(self, code: str, day: Date) -> bool:
        """A community is ACTIVE until its merge date; MERGED from it on (SPEC.md "merge")."""
        merged = self.merged_into.get(code)
        return merged is None or merged[1] > day

    def residence(self, pid: str, day: Date) -> tuple[str, str, str, str] | None:
        """Residence community: "the community of the grid of the building of the dwelling of their
        open LIVES_IN" -> (dwelling, building, grid, community)."""
        dwelling = value_on(self.lives_in.get(pid, []), day)
        if dwelling is None:
            return None
        building = self.dwelling[dwelling]
        grid = self.building[building]["grid_code"]
        community = value_on(self.grid_in[grid], day)
        if community is None:
            return None
        return dwelling, building, grid, community

    def residence_community(self, pid: str, day: Date) -> str | None:
        found = self.residence(pid, day)
        return found[3] if found else None

    def hukou_place(self, pid: str, day: Date) -> str | None:
        """Hukou place: "the HUKOU_AT target of the household of their open HUKOU_MEMBER"."""
        household = value_on(self.hukou_member.get(pid, []), day)
        return None if household is None else value_on(self.hukou_at[household], day)

    def place(self, code: str) -> Json:
        return {"code": code, "name": self.regions[code]["name"]}

    def pairing_target(self, pairing: Pairing) -> Json:
        if pairing.target_type == "COMMUNITY":
            return {"__typename": "Community", **self.place(pairing.target)}
        if pairing.target_type == "COMPOUND":
            return {
                "__typename": "Compound",
                "id": to_global_id("Compound", pairing.target),
                "name": self.compound[pairing.target]["name"],
            }
        return {"__typename": "PartyOrg", "orgId": pairing.target, "name": self.org[pairing.target]["name"]}

    def open_pairings(self, uscc: str, day: Date) -> list[Pairing]:
        return [p for p in self.pairings_of.get(uscc, []) if p.span.open_on(day)]

    def _pairing(self, p: Pairing, day: Date) -> Json:
        return {
            "since": p.span.since.isoformat() if p.span.since else None,
            "until": p.span.until.isoformat() if p.span.until else None,
            "active": p.span.open_on(day),
        }

    @staticmethod
    def _shown(p: Pairing, day: Date, include_ended: bool) -> bool:
        """schema.graphql Unit.pairings: "ended ones only with includeEnded". A pairing that starts
        after ``asOf`` is neither open nor ended on that date and is not shown."""
        started = p.span.since is None or p.span.since <= day
        return started and (include_ended or p.span.open_on(day))

    # ---- the operations -------------------------------------------------------------------------
    def community_pairings(
        self, code: str, as_of: Date | None = None, include_ended: bool | None = None
    ) -> Json:
        """CommunityPairings: units paired with the community (Community.pairings); active = open
        on ``asOf``; SPEC.md lists no move of pairings in a merge, so they stay at their target."""
        if code not in self.communities:
            return {"community": None}
        day = as_of or today()
        rows = [
            {
                **self._pairing(p, day),
                "agreementNo": p.agreement_no,
                "unit": {
                    "uscc": p.uscc,
                    "name": self.unit[p.uscc]["name"],
                    "category": self.unit[p.uscc]["category"],
                },
            }
            for p in self.pairings_to.get(("COMMUNITY", code), [])
            if self._shown(p, day, bool(include_ended))
        ]
        rows.sort(key=lambda r: (r["since"], r["unit"]["uscc"]))
        return {"community": {**self.place(code), "pairings": rows}}

    def unit_pairings(self, uscc: str) -> Json:
        """UnitPairings: the unit, its community today, and all its pairings (includeEnded)."""
        if uscc not in self.unit:
            return {"unit": None}
        day = today()
        row = self.unit[uscc]
        located = value_on(self.located_in[uscc], day)
        pairings = [
            {**self._pairing(p, day), "target": self.pairing_target(p)}
            for p in self.pairings_of.get(uscc, [])
            if self._shown(p, day, True)
        ]
        pairings.sort(key=lambda r: (r["since"], repr(r["target"])))
        return {
            "unit": {
                "uscc": uscc,
                "name": row["name"],
                "category": row["category"],
                "community": self.place(located) if located else None,
                "pairings": pairings,
            }
        }

    def pairing_coverage(self, scope: str, as_of: Date | None = None) -> Json:
        """PairingCoverage: "Every active community under the scope with its open pairings count,
        and the units located in it that have no open pairing at all". Active and located are read
        on ``asOf``; pairedUnits counts units with an open pairing to the community itself (the
        example's hand-written answers count neither compounds nor party orgs)."""
        day = as_of or today()
        paired: dict[str, set[str]] = defaultdict(set)
        any_open: set[str] = set()
        for p in self.pairings:
            if p.span.open_on(day):
                any_open.add(p.uscc)
                if p.target_type == "COMMUNITY":
                    paired[p.target].add(p.uscc)
        local: dict[str, list[str]] = defaultdict(list)
        for uscc, spans in self.located_in.items():
            located = value_on(spans, day)
            if located is not None and uscc not in any_open:
                local[located].append(uscc)
        rows = []
        for code in sorted(self.communities):
            if code.startswith(scope) and self.active_on(code, day):
                rows.append(
                    {
                        "community": self.place(code),
                        "pairedUnits": len(paired[code]),
                        "unpairedLocalUnits": [
                            {"uscc": u, "name": self.unit[u]["name"]} for u in sorted(local[code])
                        ],
                    }
                )
        return {"pairingCoverage": rows}

    def suggestion_scores(self, code: str, day: Date | None = None) -> list[Json]:
        """Every candidate of PairingSuggestions with its score, best first. Reasons from the
        operation's comment; score and exclusion from schema.graphql: "score = employeesLivingHere
        + 3 × sameStreet − currentPairings (units already paired with the community are not
        suggested)"; ties by USCC (the order the example's hand-written answers use).

        Neither SPEC.md nor the schema limits the candidates further, so every unit without an open
        pairing with the community is one (one whose pairing ended may pair again)."""
        day = day or today()
        street = self.communities[code]["parent_code"]
        living_here: dict[str, int] = defaultdict(int)
        for pid, spans in self.employed.items():
            uscc = value_on(spans, day)
            if uscc is not None and self.residence_community(pid, day) == code:
                living_here[uscc] += 1
        rows = []
        for uscc, unit in self.unit.items():
            current = self.open_pairings(uscc, day)
            if any(p.target_type == "COMMUNITY" and p.target == code for p in current):
                continue  # "already paired with the community": an open pairing
            located = value_on(self.located_in[uscc], day)
            same_street = located is not None and self.communities[located]["parent_code"] == street
            score = living_here[uscc] + 3 * same_street - len(current)
            rows.append(
                {
                    "score": float(score),
                    "unit": {"uscc": uscc, "name": unit["name"]},
                    "reasons": {
                        "employeesLivingHere": living_here[uscc],
                        "sameStreet": same_street,
                        "currentPairings": len(current),
                    },
                }
            )
        rows.sort(key=lambda r: (-r["score"], r["unit"]["uscc"]))
        return rows

    def pairing_suggestions(self, code: str, first: int | None = 10) -> Json:
        """PairingSuggestions: the best ``first`` (schema default 10) candidates."""
        rows = self.suggestion_scores(code)
        return {"pairingSuggestions": rows[: 10 if first is None else first]}

    def reporting_by_unit(self, scope: str) -> Json:
        """ReportingByUnit: "In-service members per unit under the scope: party members employed by
        the unit, and how many of them have an open report to a community" — all read today; a
        unit is under the scope when its community is; units without such members have no row."""
        day = today()
        members: dict[str, int] = defaultdict(int)
        reported: dict[str, int] = defaultdict(int)
        for pid, spans in self.employed.items():
            uscc = value_on(spans, day)
            if uscc is None or value_on(self.party_member.get(pid, []), day) is None:
                continue
            located = value_on(self.located_in[uscc], day)
            if located is None or not located.startswith(scope):
                continue
            members[uscc] += 1
            if value_on(self.reported.get(pid, []), day) is not None:
                reported[uscc] += 1
        rows = [
            {
                "unit": {"uscc": u, "name": self.unit[u]["name"]},
                "members": n,
                "reported": reported[u],
                "unreported": n - reported[u],
            }
            for u, n in members.items()
        ]
        rows.sort(key=lambda r: r["unit"]["uscc"])
        return {"reportingByUnit": rows}

    def _contacts(self, scopes: list[tuple[str, str, str]], day: Date) -> list[Json]:
        """The open SERVES_AS roles on each (scope type, scope key, scope name)."""
        contacts = []
        for scope_type, key, name in scopes:
            for role in self.roles_at.get((scope_type, key), []):
                if role.span.open_on(day):
                    holder = self.person[role.pid]
                    contacts.append(
                        {
                            "role": role.role,
                            "name": holder["name"],
                            "phoneMasked": mask_phone(holder.get("phone")),
                            "scopeName": name,
                        }
                    )
        contacts.sort(key=lambda c: (c["role"], c["name"], c["scopeName"]))
        return contacts

    def dual_responsibility(self, pid: str) -> Json:
        """DualResponsibility: "Hukou side: SERVES_AS roles on that community. Residence side: roles
        on the community, the grid of the dwelling and the building of the dwelling". A side is null
        when its place is unknown; a hukou place outside the district (a Region) has no roles."""
        if pid not in self.person:
            return {"dualResponsibility": None}
        day = today()
        hukou = self.hukou_place(pid, day)
        hukou_side = None
        if hukou is not None:
            scopes = [("COMMUNITY", hukou, self.regions[hukou]["name"])] if hukou in self.communities else []
            hukou_side = {"place": self.place(hukou), "contacts": self._contacts(scopes, day)}
        residence_side = None
        found = self.residence(pid, day)
        if found is not None:
            _, building, grid, community = found
            scopes = [
                ("COMMUNITY", community, self.regions[community]["name"]),
                ("GRID", grid, self.grid_name[grid]),
                ("BUILDING", building, self.building[building]["name"]),
            ]
            residence_side = {"place": self.place(community), "contacts": self._contacts(scopes, day)}
        return {
            "dualResponsibility": {
                "person": {"pid": pid, "name": self.person[pid]["name"]},
                "hukouSide": hukou_side,
                "residenceSide": residence_side,
            }
        }

    def members_of(self, org_id: str, day: Date) -> list[str]:
        """Current members: an open PARTY_MEMBER_OF to the org itself (the example's hand-written
        answers count a committee's branch members at the branch only)."""
        if day not in self._members:
            index: dict[str, list[str]] = defaultdict(list)
            for pid, spans in self.party_member.items():
                org = value_on(spans, day)
                if org is not None:
                    index[org].append(pid)
            self._members[day] = index
        return self._members[day].get(org_id, [])

    def party_org_tree(self, org_id: str) -> Json:
        """PartyOrgTree; members "by name" (schema.graphql), then pid."""
        if org_id not in self.org:
            return {"partyOrg": None}
        day = today()
        row = self.org[org_id]
        home = value_on(self.based_in[org_id], day)
        parent = self.org.get(row.get("parent_id", ""))
        members = sorted(self.members_of(org_id, day), key=lambda pid: (self.person[pid]["name"], pid))
        children = [
            {"orgId": o, "name": r["name"], "level": r["level"], "memberCount": len(self.members_of(o, day))}
            for o, r in sorted(self.org.items())
            if r.get("parent_id") == org_id
        ]
        return {
            "partyOrg": {
                "orgId": org_id,
                "name": row["name"],
                "level": row["level"],
                "kind": _or_none(row.get("kind", "")),
                "homeCommunity": self.place(home) if home else None,
                "parent": {"orgId": parent["id"], "name": parent["name"], "level": parent["level"]}
                if parent
                else None,
                "children": children,
                "memberCount": len(members),
                "members": {
                    "totalCount": len(members),
                    "nodes": [{"pid": pid, "name": self.person[pid]["name"]} for pid in members[:20]],
                },
            }
        }

    def evaluation_gaps(self, code: str, year: int) -> Json:
        """EvaluationGaps: "reported members of the community whose two evaluations for the year are
        missing or differ". Reported members for a year: a report to the community open on at
        least one day of that year (the example's answers: none for 2020, reported 2021-03-01)."""
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        pids = {
            pid
            for pid, spans in self.reported.items()
            if any(s.value == code and s.overlaps(first, last) for s in spans)
        }
        rows = []
        for pid in pids:
            org = self.evaluations.get((pid, year, "ORG"))
            community = self.evaluations.get((pid, year, "COMMUNITY"))
            if org is None or community is None or org != community:
                rows.append(
                    {
                        "person": {"pid": pid, "name": self.person[pid]["name"]},
                        "orgGrade": org,
                        "communityGrade": community,
                    }
                )
        rows.sort(key=lambda r: (r["person"]["name"], r["person"]["pid"]))
        return {"evaluationGaps": rows}
