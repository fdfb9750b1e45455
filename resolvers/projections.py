"""Per-type projections: which Cypher builds each GraphQL object, for only the fields asked for.

Each ``project_<type>(q, var, sel)`` returns a Cypher map expression for the node bound to
``var``; object fields are fetched by nested subqueries added to ``q`` first. Every map carries
``__typename`` and the node's key, from which the schema derives the global ``id``. As-of dates
apply through ``q.open_at`` to every relationship that has a period.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from resolvers.plan import Cypher, Sel, map_expr

Projector = Callable[[Cypher, str, Sel], str]

SCALARS: dict[str, dict[str, str]] = {
    "Person": {
        "pid": "{v}.pid",
        "name": "{v}.name",
        "gender": "{v}.gender",
        "birthYear": "{v}.birthYear",
        "idNumberMasked": "{v}.idNumberMasked",
        "phoneMasked": "{v}.phoneMasked",
        "tags": "coalesce({v}.tags, [])",
        "ethnicity": "{v}.ethnicity",
    },
    "Community": {"code": "{v}.code", "name": "{v}.name", "kind": "{v}.kind", "status": "{v}.status"},
    "Region": {"code": "{v}.code", "name": "{v}.name"},
    "Street": {"code": "{v}.code", "name": "{v}.name"},
    "District": {"code": "{v}.code", "name": "{v}.name"},
    "Area": {"key": "{v}.id", "name": "{v}.name"},
    "Grid": {"code": "{v}.code", "name": "{v}.name", "targetHouseholds": "{v}.targetHouseholds"},
    "Compound": {"key": "{v}.id", "name": "{v}.name", "type": "{v}.type"},
    "Building": {"code": "{v}.code", "name": "{v}.name"},
    "Dwelling": {"key": "{v}.id", "room": "{v}.room"},
    "Household": {"key": "{v}.key", "type": "{v}.type"},
    "PartyOrg": {"orgId": "{v}.orgId", "name": "{v}.name", "level": "{v}.level", "kind": "{v}.kind"},
    "Unit": {"uscc": "{v}.uscc", "name": "{v}.name", "category": "{v}.category"},
    "VolunteerTeam": {"teamId": "{v}.teamId", "name": "{v}.name", "type": "{v}.type"},
    "CollectiveOrg": {"uscc": "{v}.uscc", "name": "{v}.name"},
    "Evaluation": {"year": "{v}.year", "side": "{v}.side", "grade": "{v}.grade"},
}

KEYS = {
    "Person": "pid",
    "Community": "code",
    "Region": "code",
    "Street": "code",
    "District": "code",
    "Area": "id",
    "Grid": "code",
    "Compound": "id",
    "Building": "code",
    "Dwelling": "id",
    "Household": "key",
    "PartyOrg": "orgId",
    "Unit": "uscc",
    "VolunteerTeam": "teamId",
    "CollectiveOrg": "uscc",
    "Evaluation": "key",
}


def base(label: str, var: str, sel: Sel, typename: str | None = None) -> dict[str, str]:
    """``__typename``, the key, and the requested scalar fields of a node."""
    key = KEYS[label]
    entries = {"__typename": typename or f"'{label}'", key: f"{var}.{key}"}
    wanted = sel.names()
    for name, template in SCALARS[label].items():  # in a fixed order: the statement text is stable
        if name in wanted:
            entries[name] = template.format(v=var)
    return entries


def simple(label: str) -> Projector:
    def project(q: Cypher, var: str, sel: Sel) -> str:
        return map_expr(base(label, var, sel))

    return project


def one(
    q: Cypher, parent: str, sel: Sel | None, pattern: str, child: str, project: Projector, *where: str
) -> str | None:
    """A to-one object field: the first match of ``pattern`` (from ``parent`` to ``child``)."""
    if sel is None:
        return None
    return q.subquery([parent], pattern, lambda: project(q, child, sel), where=where, null_unless=child)


# ---- places ---------------------------------------------------------------------------------
def project_place(q: Cypher, var: str, sel: Sel) -> str:
    """A hukou place: a Community, or a Region outside the district. Object fields asked for
    in ``... on Community`` (street, areas, stats ...) are planned as for any community."""
    entries = {"__typename": f"labels({var})[0]", "code": f"{var}.code"}
    if "name" in sel:
        entries["name"] = f"{var}.name"
    if "kind" in sel:
        entries["kind"] = f"{var}.kind"
    if "status" in sel:
        entries["status"] = f"{var}.status"
    if sel.names() <= PLACE_SCALARS:
        return map_expr(entries)
    return f"CASE WHEN {var}:Community THEN {project_community(q, var, sel)} ELSE {map_expr(entries)} END"


PLACE_SCALARS = frozenset({"code", "name", "kind", "status"})


def community_of_dwelling(
    q: Cypher, dwelling: str, sel: Sel | None, date: str = "$asOf", date_var: str | None = None
) -> str | None:
    """The residence community: of the grid of the building of the dwelling, on ``date``
    (an expression over ``date_var`` when the date is a property of another variable)."""
    if sel is None:
        return None
    c, gc = q.var("c"), q.var("gc")
    return q.subquery(
        [dwelling, *([date_var] if date_var else [])],
        f"({dwelling})-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[{gc}:IN_COMMUNITY]->({c}:Community)",
        lambda: project_community(q, c, sel),
        where=[q.open_at(gc, date)],
        null_unless=c,
    )


def project_community(q: Cypher, var: str, sel: Sel) -> str:
    entries = base("Community", var, sel)
    s = q.var("s")
    if (
        street := one(q, var, sel.one("street"), f"({var})-[:IN_STREET]->({s}:Street)", s, simple("Street"))
    ) is not None:
        entries["street"] = street
    n, m = q.var("n"), q.var("m")
    if (
        merged := one(
            q, var, sel.one("mergedInto"), f"({var})-[{m}:MERGED_INTO]->({n}:Community)", n, project_community
        )
    ) is not None:
        entries["mergedInto"] = merged
    if (merged_from := sel.one("mergedFrom")) is not None:
        o, m = q.var("o"), q.var("m")

        def merge_item() -> str:
            item = {"on": f"{m}.on", "docNo": f"{m}.docNo"}
            if (community := merged_from.one("community")) is not None:
                item["community"] = project_community(q, o, community)
            return map_expr(item)

        entries["mergedFrom"] = q.subquery(
            [var],
            f"({o}:Community)-[{m}:MERGED_INTO]->({var})",
            merge_item,
            many=True,
            order_by=f"{o}.code",
            null_unless=o,
        )
    if (areas := sel.one("areas")) is not None:
        a, r = q.var("a"), q.var("r")
        entries["areas"] = q.subquery(
            [var],
            f"({a}:Area)-[{r}:PART_OF]->({var})",
            lambda: map_expr(base("Area", a, areas)),
            where=[q.open_at(r)],
            many=True,
            order_by=f"{a}.id",
            null_unless=a,
        )
    for grids in sel.get("grids"):
        entries[grids.key] = grid_connection(q, var, grids)
    for stats in sel.get("stats"):
        entries[stats.key] = community_stats(q, var, stats)
    for pairings in sel.get("pairings"):
        entries[pairings.key] = community_pairings(q, var, pairings)
    return map_expr(entries)


def grid_connection(q: Cypher, community: str, sel: Sel) -> str:
    """``grids(first, after)``: the community's current grids by code, as a small connection."""
    from resolvers.connections import nested_connection

    g, r = q.var("g"), q.var("r")
    return nested_connection(
        q,
        sel,
        imports=[community],
        match=f"({g}:Grid)-[{r}:IN_COMMUNITY]->({community})",
        where=[q.open_at(r)],
        node=g,
        sort_key=f"{g}.code",
        project=lambda nodes: map_expr(base("Grid", g, nodes)),
    )


# ---- community statistics --------------------------------------------------------------------
def community_stats(q: Cypher, community: str, sel: Sel) -> str:
    """Counts for one community on the stats' own ``asOf`` (SPEC.md definitions)."""
    date = q.param(sel.args["asOf"], "statsAsOf") if sel.args.get("asOf") else "$asOf"
    c = community
    entries: dict[str, str] = {}

    def count(name: str, match: str, where: list[str], distinct: str, *, needed: bool = False) -> str | None:
        """One ``count(DISTINCT ...)`` subquery; its inner variables get a fresh suffix."""
        if name not in sel and not needed:
            return None
        alias, n = q.var("n"), str(next(q._names))
        rename = {
            v: f"{v}{n}" for v in ("p", "lr", "lg", "hm", "ha", "other", "ur", "pm", "rt", "u", "pw", "t")
        }

        def fresh(text: str) -> str:
            return re.sub(r"\b(" + "|".join(rename) + r")\b", lambda m: rename[m.group(1)], text)

        q.line(f"CALL {{ WITH {c}")
        q.line(f"  OPTIONAL MATCH {fresh(match)}")
        if where:
            q.line("  WHERE " + " AND ".join(fresh(w) for w in where))
        q.line(f"  RETURN count(DISTINCT {fresh(distinct)}) AS {alias}")
        q.line("}")
        if name in sel:
            entries[name] = alias
        return alias

    home = "(p:Person)-[lr:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[lg:IN_COMMUNITY]->"
    hukou = "(p:Person)-[hm:HUKOU_MEMBER]->(:Household)-[ha:HUKOU_AT]->"
    home_of_p = (
        "(p)-[lr:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[lg:IN_COMMUNITY]->"
    )
    hukou_of_p = "(p)-[hm:HUKOU_MEMBER]->(:Household)-[ha:HUKOU_AT]->"
    lives_here = [q.open_at("lr", date), q.open_at("lg", date)]
    registered_here = [q.open_at("hm", date), q.open_at("ha", date)]
    count("residents", f"{home}({c})", lives_here, "p")
    registered = count("registered", f"{hukou}({c})", registered_here, "p", needed="residenceUnknown" in sel)
    count(
        "livingElsewhere",
        f"{hukou}({c}), {home_of_p}(other:Community)",
        [*registered_here, *lives_here, f"other <> {c}"],
        "p",
    )
    count(
        "registeredElsewhere",
        f"{home}({c}), {hukou_of_p}(other)",
        [*lives_here, *registered_here, f"other <> {c}"],
        "p",
    )
    if "residenceUnknown" in sel:  # registered here, and no open residence anywhere
        housed = count(
            "_registeredHoused",
            f"{hukou}({c}), (p)-[ur:LIVES_IN]->(:Dwelling)",
            [*registered_here, q.open_at("ur", date)],
            "p",
            needed=True,
        )
        entries["residenceUnknown"] = f"{registered} - {housed}"
    count(
        "partyMembers",
        f"{home}({c}), (p)-[pm:PARTY_MEMBER_OF]->(:PartyOrg)",
        [*lives_here, q.open_at("pm", date)],
        "p",
    )
    count(  # members: a report outlives an ended membership only as a ledger's oversight
        "reportedMembers",
        f"(p:Person)-[rt:REPORTED_TO]->({c}), (p)-[pm:PARTY_MEMBER_OF]->(:PartyOrg)",
        [q.open_at("rt", date), q.open_at("pm", date)],
        "p",
    )
    if q.scope.min_cell:  # counts of 1 to min_cell - 1 persons are withheld (resolvers/scope.py)
        minimum = q.param(q.scope.min_cell, "minCell")
        for name, value in entries.items():
            entries[name] = f"CASE WHEN {value} > 0 AND {value} < {minimum} THEN null ELSE {value} END"
    count("pairedUnits", f"(u:Unit)-[pw:PAIRED_WITH]->({c})", [q.open_at("pw", date)], "u")
    count("volunteerTeams", f"(t:VolunteerTeam)-[:BASED_IN]->({c})", [], "t")
    return map_expr(entries)


# ---- pairings --------------------------------------------------------------------------------
def pairings_as_of(q: Cypher, sel: Sel, rel: str) -> tuple[list[str], str]:
    """The filter of a ``pairings(asOf, includeEnded)`` field and the date it answers for (the
    field's own ``asOf``, else the root's): the pairings open on that date, or with
    ``includeEnded`` every pairing begun by then (one that starts later did not exist yet)."""
    as_of = sel.args.get("asOf")
    date = q.param(as_of, "pairingsAsOf") if as_of else "$asOf"
    if sel.args.get("includeEnded"):
        return [f"coalesce({rel}.since, '') <= {date}"], date
    return [q.open_at(rel, date)], date


def pairing_item(
    q: Cypher, sel: Sel, rel: str, unit: str | None, target: str | None, date: str = "$asOf"
) -> str:
    entries = {"since": f"{rel}.since", "until": f"{rel}.until", "agreementNo": f"{rel}.agreementNo"}
    if "active" in sel:  # open on the date the list answers for
        entries["active"] = f"({q.open_at(rel, date)})"
    if unit is not None and (unit_sel := sel.one("unit")) is not None:
        entries["unit"] = project_unit(q, unit, unit_sel)
    if target is not None and (target_sel := sel.one("target")) is not None:
        entries["target"] = project_pairing_target(q, target, target_sel)
    return map_expr(entries)


def project_pairing_target(q: Cypher, var: str, sel: Sel) -> str:
    """A Community, Compound or PartyOrg: their fields are merged, so take each known one."""
    entries = {"__typename": f"labels({var})[0]"}
    for label in ("Community", "Compound", "PartyOrg"):
        entries[KEYS[label]] = f"{var}.{KEYS[label]}"
        wanted = sel.names()
        for name, template in SCALARS[label].items():
            if name in wanted:
                entries[name] = template.format(v=var)
    return map_expr(entries)


def community_pairings(q: Cypher, community: str, sel: Sel) -> str:
    u, r = q.var("u"), q.var("pw")
    where, date = pairings_as_of(q, sel, r)
    return q.subquery(
        [community],
        f"({u}:Unit)-[{r}:PAIRED_WITH]->({community})",
        lambda: pairing_item(q, sel, r, u, None, date),
        where=where,
        many=True,
        order_by=f"[{r}.since, {u}.uscc]",
        null_unless=u,
    )


def unit_pairings(q: Cypher, unit: str, sel: Sel) -> str:
    t, r = q.var("t"), q.var("pw")
    where, date = pairings_as_of(q, sel, r)
    return q.subquery(
        [unit],
        f"({unit})-[{r}:PAIRED_WITH]->({t})",
        lambda: pairing_item(q, sel, r, None, t, date),
        where=where,
        many=True,
        order_by=f"[{r}.since, labels({t})[0]]",
        null_unless=t,
    )


def project_unit(q: Cypher, var: str, sel: Sel) -> str:
    entries = base("Unit", var, sel)
    c, r = q.var("c"), q.var("r")
    if (
        community := one(
            q,
            var,
            sel.one("community"),
            f"({var})-[{r}:LOCATED_IN]->({c}:Community)",
            c,
            project_community,
            q.open_at(r),
        )
    ) is not None:
        entries["community"] = community
    for pairings in sel.get("pairings"):
        entries[pairings.key] = unit_pairings(q, var, pairings)
    return map_expr(entries)


# ---- party organisations ---------------------------------------------------------------------
def member_count(q: Cypher, org: str) -> str:
    m = q.var("m")
    return f"size([(:Person)-[{m}:PARTY_MEMBER_OF]->({org}) WHERE {q.open_at(m)} | {m}])"


def project_party_org(q: Cypher, var: str, sel: Sel) -> str:
    entries = base("PartyOrg", var, sel)
    if "memberCount" in sel:
        entries["memberCount"] = member_count(q, var)
    c, r = q.var("c"), q.var("r")
    if (
        home := one(
            q,
            var,
            sel.one("homeCommunity"),
            f"({var})-[{r}:BASED_IN]->({c}:Community)",
            c,
            project_community,
            q.open_at(r),
        )
    ) is not None:
        entries["homeCommunity"] = home
    p = q.var("o")
    if (
        parent := one(
            q, var, sel.one("parent"), f"({var})-[:SUBORDINATE_TO]->({p}:PartyOrg)", p, project_party_org
        )
    ) is not None:
        entries["parent"] = parent
    if (children := sel.one("children")) is not None:
        ch = q.var("o")
        entries["children"] = q.subquery(
            [var],
            f"({ch}:PartyOrg)-[:SUBORDINATE_TO]->({var})",
            lambda: project_party_org(q, ch, children),
            many=True,
            order_by=f"{ch}.orgId",
            null_unless=ch,
        )
    for members in sel.get("members"):
        from resolvers.connections import nested_connection

        p, m = q.var("p"), q.var("m")

        def member(nodes: Sel, p: str = p) -> str:
            return project_person(q, p, nodes)

        entries[members.key] = nested_connection(
            q,
            members,
            imports=[var],
            match=f"({p}:Person)-[{m}:PARTY_MEMBER_OF]->({var})",
            where=[q.open_at(m)],
            keep=q.scope.person(q, p),
            node=p,
            sort_key=f"{p}.name + ' ' + {p}.pid",
            project=member,
        )
    return map_expr(entries)


# ---- persons ----------------------------------------------------------------------------------
def project_dwelling(q: Cypher, var: str, sel: Sel) -> str:
    entries = base("Dwelling", var, sel)
    b = q.var("b")
    if (
        building := one(
            q, var, sel.one("building"), f"({var})-[:IN_BUILDING]->({b}:Building)", b, project_building
        )
    ) is not None:
        entries["building"] = building
    return map_expr(entries)


def project_building(q: Cypher, var: str, sel: Sel) -> str:
    entries = base("Building", var, sel)
    x, g, a = q.var("x"), q.var("g"), q.var("a")
    if (
        compound := one(
            q, var, sel.one("compound"), f"({var})-[:IN_COMPOUND]->({x}:Compound)", x, simple("Compound")
        )
    ) is not None:
        entries["compound"] = compound
    if (
        grid := one(q, var, sel.one("grid"), f"({var})-[:IN_GRID]->({g}:Grid)", g, simple("Grid"))
    ) is not None:
        entries["grid"] = grid
    if (
        area := one(q, var, sel.one("area"), f"({var})-[:IN_AREA]->({a}:Area)", a, simple("Area"))
    ) is not None:
        entries["area"] = area
    return map_expr(entries)


def residence_item(
    q: Cypher, rel: str, dwelling: str, sel: Sel, date: str, date_var: str | None = None
) -> str:
    entries = {"since": f"{rel}.since", "until": f"{rel}.until", "tenure": f"{rel}.tenure"}
    if (dwelling_sel := sel.one("dwelling")) is not None:
        entries["dwelling"] = project_dwelling(q, dwelling, dwelling_sel)
    if (community := community_of_dwelling(q, dwelling, sel.one("community"), date, date_var)) is not None:
        entries["community"] = community
    return map_expr(entries)


def project_person(q: Cypher, var: str, sel: Sel) -> str:
    entries = base("Person", var, sel)
    if (household := sel.one("household")) is not None:
        h, m = q.var("h"), q.var("hm")

        def household_item() -> str:
            item = {
                "key": f"{h}.key",
                "type": f"{h}.type",
                "relToHead": f"{m}.relToHead",
                "since": f"{m}.since",
                "until": f"{m}.until",
            }
            pl, a = q.var("pl"), q.var("ha")
            if (
                place := one(
                    q,
                    h,
                    household.one("hukouPlace"),
                    f"({h})-[{a}:HUKOU_AT]->({pl})",
                    pl,
                    project_place,
                    q.open_at(a),
                )
            ) is not None:
                item["hukouPlace"] = place
            return map_expr(item)

        entries["household"] = q.subquery(
            [var],
            f"({var})-[{m}:HUKOU_MEMBER]->({h}:Household)",
            household_item,
            where=[q.open_at(m)],
            null_unless=h,
        )
    if (residence := sel.one("residence")) is not None:
        d, r = q.var("d"), q.var("lr")
        entries["residence"] = q.subquery(
            [var],
            f"({var})-[{r}:LIVES_IN]->({d}:Dwelling)",
            lambda: residence_item(q, r, d, residence, "$asOf"),
            where=[q.open_at(r)],
            null_unless=d,
        )
    if (history := sel.one("residenceHistory")) is not None:
        d, r = q.var("d"), q.var("lr")
        entries["residenceHistory"] = q.subquery(
            [var],
            f"({var})-[{r}:LIVES_IN]->({d}:Dwelling)",
            lambda: residence_item(q, r, d, history, f"{r}.since", r),
            where=[f"coalesce({r}.since, '') <= $asOf"],  # as of a date: what had begun by then
            many=True,
            order_by=f"{r}.since",
            null_unless=d,
        )
    if (membership := sel.one("partyMembership")) is not None:
        o, m = q.var("o"), q.var("pm")

        def membership_item() -> str:
            item = {
                "type": f"{m}.type",
                "joined": f"{m}.joined",
                "since": f"{m}.since",
                "until": f"{m}.until",
            }
            if (org := membership.one("org")) is not None:
                item["org"] = project_party_org(q, o, org)
            return map_expr(item)

        entries["partyMembership"] = q.subquery(
            [var],
            f"({var})-[{m}:PARTY_MEMBER_OF]->({o}:PartyOrg)",
            membership_item,
            where=[q.open_at(m)],
            null_unless=o,
        )
    if (report := sel.one("reportedTo")) is not None:
        c, m = q.var("c"), q.var("rt")

        def report_item() -> str:
            item = {"since": f"{m}.since", "until": f"{m}.until", "gridCode": f"{m}.gridCode"}
            if (community := report.one("community")) is not None:
                item["community"] = project_community(q, c, community)
            return map_expr(item)

        entries["reportedTo"] = q.subquery(
            [var],
            f"({var})-[{m}:REPORTED_TO]->({c}:Community)",
            report_item,
            where=[q.open_at(m)],
            null_unless=c,
        )
    if (employer := sel.one("employer")) is not None:
        u, m = q.var("u"), q.var("em")

        def employer_item() -> str:
            item = {"since": f"{m}.since", "until": f"{m}.until"}
            if (unit := employer.one("unit")) is not None:
                item["unit"] = project_unit(q, u, unit)
            return map_expr(item)

        entries["employer"] = q.subquery(
            [var],
            f"({var})-[{m}:EMPLOYED_BY]->({u}:Unit)",
            employer_item,
            where=[q.open_at(m)],
            null_unless=u,
        )
    if "roles" in sel:
        t, m = q.var("t"), q.var("sa")
        entries["roles"] = q.subquery(
            [var],
            f"({var})-[{m}:SERVES_AS]->({t})",
            lambda: map_expr(role_item(m, t)),
            where=[q.open_at(m)],
            many=True,
            order_by=f"[{m}.since, {m}.role]",
            null_unless=t,
        )
    if (teams := sel.one("teams")) is not None:
        t, m = q.var("t"), q.var("it")

        def team_item() -> str:
            item = {"role": f"{m}.role", "since": f"{m}.since", "until": f"{m}.until"}
            if (team := teams.one("team")) is not None:
                item["team"] = map_expr(base("VolunteerTeam", t, team))
            return map_expr(item)

        entries["teams"] = q.subquery(
            [var],
            f"({var})-[{m}:IN_TEAM]->({t}:VolunteerTeam)",
            team_item,
            where=[q.open_at(m)],
            many=True,
            order_by=f"[{m}.since, {t}.teamId]",
            null_unless=t,
        )
    if (collectives := sel.one("collectiveMemberships")) is not None:
        o, m = q.var("o"), q.var("cm")

        def collective_item() -> str:
            item = {"since": f"{m}.since", "until": f"{m}.until"}
            if (org := collectives.one("org")) is not None:
                item["org"] = project_collective(q, o, org)
            return map_expr(item)

        entries["collectiveMemberships"] = q.subquery(
            [var],
            f"({var})-[{m}:COLLECTIVE_MEMBER_OF]->({o}:CollectiveOrg)",
            collective_item,
            where=[q.open_at(m)],
            many=True,
            order_by=f"[{m}.since, {o}.uscc]",
            null_unless=o,
        )
    return map_expr(entries)


SCOPE_TYPE = (
    "CASE WHEN {t}:Community THEN 'COMMUNITY' WHEN {t}:Grid THEN 'GRID' WHEN {t}:Compound THEN 'COMPOUND' "
    "WHEN {t}:Building THEN 'BUILDING' ELSE 'PARTY_ORG' END"
)


def role_item(rel: str, target: str) -> dict[str, str]:
    return {
        "role": f"{rel}.role",
        "since": f"{rel}.since",
        "until": f"{rel}.until",
        "scopeType": SCOPE_TYPE.format(t=target),
        "scopeCode": f"coalesce({target}.code, {target}.id, {target}.orgId)",
        "scopeName": f"{target}.name",
    }


def project_collective(q: Cypher, var: str, sel: Sel) -> str:
    entries = base("CollectiveOrg", var, sel)
    a = q.var("a")
    if (area := one(q, var, sel.one("area"), f"({var})-[:OF_AREA]->({a}:Area)", a, project_area)) is not None:
        entries["area"] = area
    return map_expr(entries)


def project_area(q: Cypher, var: str, sel: Sel) -> str:
    entries = base("Area", var, sel)
    c, r = q.var("c"), q.var("r")
    if (
        community := one(
            q,
            var,
            sel.one("community"),
            f"({var})-[{r}:PART_OF]->({c}:Community)",
            c,
            project_community,
            q.open_at(r),
        )
    ) is not None:
        entries["community"] = community
    return map_expr(entries)


PROJECTORS: dict[str, Projector] = {
    "Person": project_person,
    "Community": project_community,
    "Unit": project_unit,
    "PartyOrg": project_party_org,
    "Dwelling": project_dwelling,
    "Building": project_building,
    "CollectiveOrg": project_collective,
    "Area": project_area,
    **{
        label: simple(label)
        for label in (
            "Region",
            "Street",
            "District",
            "Grid",
            "Compound",
            "Household",
            "VolunteerTeam",
            "Evaluation",
        )
    },
}
