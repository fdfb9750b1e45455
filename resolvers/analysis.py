"""Cross-boundary questions: mismatches (人户分离), the flow matrix, 插花式 collectives, pairing
coverage and suggestions (结对共建), reporting (在职党员报到), dual responsibility (双重负责) and
evaluation gaps (双重评议). One planned statement per root field; definitions from SPEC.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.base import Backend
from resolvers import flows
from resolvers.connections import after_predicate, decode_cursor, page_size
from resolvers.plan import Cypher, Scope, Sel, map_expr
from resolvers.projections import (
    PLACE_SCALARS,
    project_collective,
    project_community,
    project_person,
    project_place,
    project_unit,
)

KINDS = ("HUKOU", "PARTY", "COLLECTIVE")
DIRECTIONS = ("LIVING_ELSEWHERE", "REGISTERED_ELSEWHERE")


class BadArgument(ValueError):
    """An argument the client must fix; the message names it."""


def residence(q: Cypher, p: str, res: str, date: str = "$asOf") -> tuple[str, list[str]]:
    """The residence community of ``p``: of the grid of the building of its open dwelling."""
    lr, lg = q.var("lr"), q.var("lg")
    pattern = f"({p})-[{lr}:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[{lg}:IN_COMMUNITY]->({res}:Community)"
    return pattern, [q.open_at(lr, date), q.open_at(lg, date)]


def home(q: Cypher, kind: str, p: str, place: str, date: str = "$asOf") -> tuple[str, list[str]]:
    """The home of ``p`` of one kind: hukou place, party home community, collective home community."""
    a, b = q.var("h"), q.var("h")
    if kind == "HUKOU":  # a Community, or a Region outside the district
        return f"({p})-[{a}:HUKOU_MEMBER]->(:Household)-[{b}:HUKOU_AT]->({place})", [
            q.open_at(a, date),
            q.open_at(b, date),
        ]
    if kind == "PARTY":
        return f"({p})-[{a}:PARTY_MEMBER_OF]->(:PartyOrg)-[{b}:BASED_IN]->({place}:Community)", [
            q.open_at(a, date),
            q.open_at(b, date),
        ]
    if kind == "COLLECTIVE":
        return (
            f"({p})-[{a}:COLLECTIVE_MEMBER_OF]->(:CollectiveOrg)-[:OF_AREA]->(:Area)-[{b}:PART_OF]->({place}:Community)",
            [
                q.open_at(a, date),
                q.open_at(b, date),
            ],
        )
    raise BadArgument(f"kind: must be one of {', '.join(KINDS)}")


def withhold_small_cells(q: Cypher, carried: str, cells: list[str]) -> None:
    """Drop the rows with a person count from 1 to ``min_cell - 1`` (for roles that may not see
    persons, resolvers/scope.py); ``carried`` are the variables the rest of the statement uses."""
    if q.scope.min_cell:
        small = f"cell > 0 AND cell < {q.param(q.scope.min_cell, 'minCell')}"
        q.line(f"WITH {carried} WHERE none(cell IN [{', '.join(cells)}] WHERE {small})")


def _where(conditions: Sequence[str | None]) -> str:
    kept = [c for c in conditions if c]
    return ("WHERE " + " AND ".join(kept)) if kept else ""


def _mismatch_chains(q: Cypher, kind: str, direction: str, p: str, place: str, res: str) -> list[str | None]:
    """The lines matching a community's mismatches (``c``) by walking every resident's chains."""
    home_pattern, home_open = home(q, kind, p, place)
    res_pattern, res_open = residence(q, p, res)
    if direction == "LIVING_ELSEWHERE":  # home here, living elsewhere
        return [f"MATCH {home_pattern.replace(f'({place})', '(c)').replace(f'({place}:Community)', '(c)')}",
                _where(home_open), q.scope.person(q, p), f"MATCH {res_pattern}", _where([*res_open, f"{res} <> c"]),
                f"WITH {p}, c AS {place}, {res}"]  # fmt: skip
    # living here, home elsewhere
    return [f"MATCH {res_pattern.replace(f'({res}:Community)', '(c)')}", _where(res_open), q.scope.person(q, p),
            f"MATCH {home_pattern}", _where([*home_open, f"{place} <> c"]), f"WITH {p}, {place}, c AS {res}"]  # fmt: skip


def _mismatch_keys(person: str, place: str) -> list[str]:
    """A mismatch row's order and cursor: person name, pid, home code."""
    return [f"{person}.name", f"{person}.pid", f"{place}.code"]


async def residence_mismatches(
    backend: Backend,
    sel: Sel,
    code: str,
    kind: str,
    direction: str,
    as_of: str,
    scope: Scope,
    *,
    from_chains: bool = False,
) -> dict[str, Any]:
    """A page of one community's mismatches of one kind, by person name then pid (then home).

    HUKOU and PARTY start from the flow shortcuts (resolvers/flows.py: one edge per person and
    period in which home and residence differ, kept true by the write path): the community's
    open flow edges, then each person by pid. ``from_chains`` walks every resident's chains
    instead (COLLECTIVE always does; the tests compare the two)."""
    if direction not in DIRECTIONS:
        raise BadArgument(f"direction: must be one of {', '.join(DIRECTIONS)}")
    first = page_size(sel.args.get("first"))
    q = Cypher(as_of, scope)
    q.params["code"] = code
    p, place, res = "p", "home", "res"
    shortcut = None if from_chains else flows.KINDS.get(kind)
    match: list[str | None]
    if shortcut is not None:
        f = q.var("f")
        if direction == "LIVING_ELSEWHERE":
            match = [f"MATCH (c)-[{f}:{shortcut.flow}]->({res}:Community)", _where([q.open_at(f)])]
            carried = f"WITH {p}, c AS {place}, {res}"
        else:
            match = [f"MATCH ({place})-[{f}:{shortcut.flow}]->(c)", _where([q.open_at(f)])]
            carried = f"WITH {p}, {place}, c AS {res}"
        # each person by its index: in a subquery, or FalkorDB joins every Person against the edges
        match += [
            f"CALL {{ WITH {f} MATCH ({p}:Person {{pid: {f}.pid}}) RETURN {p} }}",
            q.scope.person(q, p),
            carried,
        ]
    else:
        match = _mismatch_chains(q, kind, direction, p, place, res)
    q.line("MATCH (c:Community {code: $code})")
    restriction = q.scope.community(q, "c")
    if restriction:
        q.line(f"WHERE {restriction}")
    wants_total = "totalCount" in sel
    keys = _mismatch_keys(p, place)
    after = sel.args.get("after")
    cursor = decode_cursor(after, 3) if after is not None else None
    limit = q.param(first + 1, "limit")
    q.line("CALL { WITH c")
    q._depth += 1
    for line in match:
        if line:
            q.line(line)
    q.line(f"WITH DISTINCT {p}, {place}, {res}")
    if wants_total:  # the match runs once: all rows in order, counted, then the page cut from them
        q.line(f"WITH {p}, {place}, {res} ORDER BY {', '.join(keys)}")
        q.line(
            f"WITH count(DISTINCT [{p}.pid, {place}.code]) AS total, collect([{p}, {place}, {res}]) AS rows"
        )
        rest = "rows"
        if cursor is not None:
            rest = f"[r IN rows WHERE {after_predicate(q, _mismatch_keys('r[0]', 'r[1]'), cursor)}]"
        q.line(f"RETURN total, {rest}[0..{limit}] AS top")
        q._depth -= 1
        q.line("}")
        q.line("CALL { WITH top")
        q._depth += 1
        q.line("UNWIND top AS r")
        q.line(f"WITH r[0] AS {p}, r[1] AS {place}, r[2] AS {res}")
    else:  # no count asked: the database keeps only the page's rows while it sorts
        if cursor is not None:
            q.line(f"WITH {p}, {place}, {res} WHERE {after_predicate(q, keys, cursor)}")
        q.line(f"WITH {p}, {place}, {res} ORDER BY {', '.join(keys)} LIMIT {limit}")
    node_sel = Sel("node", "node")
    for edge in sel.get("edges"):
        if (node := edge.one("node")) is not None:
            node_sel.children.update(node.children)
    for nodes in sel.get("nodes"):
        node_sel.children.update(nodes.children)
    item: dict[str, str] = {}
    if (person := node_sel.one("person")) is not None:
        item["person"] = project_person(q, p, person)
    if (home_sel := node_sel.one("home")) is not None:
        item["home"] = project_place(q, place, home_sel)
    if (res_sel := node_sel.one("residence")) is not None:
        item["residence"] = project_community(q, res, res_sel)
    q.line(
        f"WITH {map_expr(item)} AS node, [{', '.join(keys)}] AS key, {keys[0]} AS k1, {keys[1]} AS k2, {keys[2]} AS k3"
    )
    q.line("ORDER BY k1, k2, k3")
    q.line("RETURN collect({node: node, key: key}) AS page")
    q._depth -= 1
    q.line("}")
    q.line(f"RETURN page{', total' if wants_total else ''}")
    rows = await backend.read(q.text(), q.params)
    if not rows:
        return {"total": 0, "page": [], "more": False}
    page = rows[0]["page"]
    return {"total": rows[0].get("total", 0), "page": page[:first], "more": len(page) > first}


async def mismatch_matrix(
    backend: Backend,
    sel: Sel,
    scope_code: str,
    kind: str,
    as_of: str,
    scope: Scope,
    *,
    from_chains: bool = False,
) -> list[dict[str, Any]]:
    """Cells (home, residence, persons) for pairs with home or residence under the scope code.

    HUKOU and PARTY read the flow shortcuts (resolvers/flows.py) when every person counts;
    ``from_chains`` walks every person's chains instead (the reference the benchmark compares).
    """
    for side in ("home", "residence"):  # a cell's places are flat columns (thousands of cells)
        wanted = sel.one(side)
        if wanted is not None and not wanted.names() <= PLACE_SCALARS:
            raise BadArgument(
                f"mismatchMatrix: {side} gives code, name, kind and status; ask community(code) for more"
            )
    q = Cypher(as_of, scope)
    q.params["scope"] = scope_code
    keep = q.scope.person(q, "p")  # the caller's scope (resolvers/scope.py)
    shortcut = None if from_chains else flows.KINDS.get(kind)
    if shortcut is not None and keep is None:  # every person counts: read the running counts
        q.line(f"MATCH (home)-[s:{shortcut.total}]->(res:Community)")
        q.line("WHERE home.code STARTS WITH $scope OR res.code STARTS WITH $scope")
        q.line("WITH home, res, s, size([d IN s.dates WHERE d <= $asOf]) AS k")
        q.line("WITH home, res, CASE WHEN k = 0 THEN 0 ELSE s.counts[k - 1] END AS persons")
        q.line("WHERE persons > 0")
    else:
        home_pattern, home_open = home(q, kind, "p", "home")
        res_pattern, res_open = residence(q, "p", "res")
        q.line(f"MATCH {res_pattern}")
        q.line(_where(res_open))
        if keep is not None:
            q.line(keep)
        q.line(f"MATCH {home_pattern}")
        q.line(
            _where(
                [*home_open, "home <> res", "(home.code STARTS WITH $scope OR res.code STARTS WITH $scope)"]
            )
        )
        q.line("WITH home, res, count(DISTINCT p) AS persons")
    if q.scope.min_cell:  # small cells are withheld from roles that may not see persons
        q.line(f"WITH home, res, persons WHERE persons >= {q.param(q.scope.min_cell, 'minCell')}")
    # thousands of cells: flat columns parse several times faster than a map per row
    columns = {"persons": "persons", "home_code": "home.code", "residence_code": "res.code"}
    places = {"home": ("home", sel.one("home")), "residence": ("res", sel.one("residence"))}
    for name, (var, wanted) in places.items():
        if wanted is not None:
            columns[f"{name}_typename"] = f"labels({var})[0]"
            for field in ("name", "kind", "status"):
                if field in wanted:
                    columns[f"{name}_{field}"] = f"{var}.{field}"
    q.line("RETURN " + ", ".join(f"{expr} AS {alias}" for alias, expr in columns.items()))
    q.line("ORDER BY persons DESC, home_code, residence_code")
    fields = {  # per place, (column, field) pairs, worked out once for every cell
        name: [(column, column[len(name) + 1 :]) for column in columns if column.startswith(f"{name}_")]
        for name, (_, wanted) in places.items()
        if wanted is not None
    }
    cells = []
    for row in await backend.read(q.text(), q.params):
        cell: dict[str, Any] = {"persons": row["persons"]}
        for name, pairs in fields.items():
            place = {field: row[column] for column, field in pairs}
            place["__typename"] = place.pop("typename")
            cell[name] = place
        cells.append(cell)
    return cells


async def collective_members_elsewhere(
    backend: Backend, sel: Sel, scope_code: str, as_of: str, scope: Scope
) -> list[dict[str, Any]]:
    """Per collective org under the scope: members, members living outside its Area, unknown."""
    q = Cypher(as_of, scope)
    q.params["scope"] = scope_code
    q.line("MATCH (o:CollectiveOrg)-[:OF_AREA]->(a:Area)-[ap:PART_OF]->(c:Community)")
    q.line(_where([q.open_at("ap"), "c.code STARTS WITH $scope", q.scope.community(q, "c")]))
    q.line("CALL { WITH o, a")
    q.line("  OPTIONAL MATCH (p:Person)-[cm:COLLECTIVE_MEMBER_OF]->(o)")
    q.line("  " + _where([q.open_at("cm")]))
    if (keep := q.scope.person(q, "p")) is not None:
        q.line("  " + keep)
    q.line(
        "  OPTIONAL MATCH (p)-[lr:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_AREA]->(home:Area)"
    )
    q.line("  " + _where([q.open_at("lr")]))
    q.line("  WITH a, p, collect(home) AS homes")
    q.line("  RETURN count(p) AS members,")
    q.line("         count(CASE WHEN size(homes) > 0 AND NOT a IN homes THEN p END) AS elsewhere,")
    q.line("         count(CASE WHEN size(homes) = 0 THEN p END) AS unknown")
    q.line("}")
    withhold_small_cells(q, "o, members, elsewhere, unknown", ["members", "elsewhere", "unknown"])
    entries = {"members": "members", "livingElsewhere": "elsewhere", "residenceUnknown": "unknown"}
    if (org := sel.one("org")) is not None:
        entries["org"] = project_collective(q, "o", org)
    q.line(f"RETURN {map_expr(entries)} AS row ORDER BY o.uscc")
    rows = [row["row"] for row in await backend.read(q.text(), q.params)]
    for row in rows:  # division in Python: FalkorDB and Neo4j round differently
        known = row["members"] - row["residenceUnknown"]
        row["share"] = row["livingElsewhere"] / known if known else None
    return rows


async def pairing_coverage(
    backend: Backend, sel: Sel, scope_code: str, as_of: str, scope: Scope
) -> list[dict[str, Any]]:
    """Every community under the scope that was not merged away on the date, its open pairings
    count, and its local units with no open pairing at all."""
    q = Cypher(as_of, scope)
    q.params["scope"] = scope_code
    q.line("MATCH (c:Community) WHERE c.code STARTS WITH $scope")
    q.line("WITH c, [(c)-[m:MERGED_INTO]->() WHERE m.on <= $asOf | m] AS merges")
    q.line(_where(["size(merges) = 0", q.scope.community(q, "c")]))
    q.line("CALL { WITH c")
    q.line("  OPTIONAL MATCH (u:Unit)-[pw:PAIRED_WITH]->(c)")
    q.line("  " + _where([q.open_at("pw")]))
    q.line("  RETURN count(DISTINCT u) AS paired")
    q.line("}")
    entries: dict[str, str] = {"pairedUnits": "paired"}
    if (local := sel.one("unpairedLocalUnits")) is not None:
        q.line("CALL { WITH c")
        q.line("  OPTIONAL MATCH (u:Unit)-[li:LOCATED_IN]->(c)")
        q.line("  " + _where([q.open_at("li")]))
        q.line("  WITH u, [(u)-[pw:PAIRED_WITH]->() WHERE " + q.open_at("pw") + " | pw] AS open")
        q.line("  WITH u, size(open) AS pairings ORDER BY u.uscc")
        q.line(
            f"  RETURN collect(CASE WHEN u IS NULL OR pairings > 0 THEN null ELSE {project_unit(q, 'u', local)} END) AS unpaired"
        )
        q.line("}")
        entries["unpairedLocalUnits"] = "unpaired"
    if (community := sel.one("community")) is not None:
        entries["community"] = project_community(q, "c", community)
    q.line(f"RETURN {map_expr(entries)} AS row ORDER BY c.code")
    return [row["row"] for row in await backend.read(q.text(), q.params)]


SUGGESTION_WEIGHTS = {"employeesLivingHere": 1.0, "sameStreet": 3.0, "currentPairings": -1.0}


async def pairing_suggestions(
    backend: Backend, sel: Sel, code: str, first: int, as_of: str, scope: Scope
) -> list[dict[str, Any]]:
    """Units that could pair with a community, scored from the graph (weights above, documented
    in the schema): employees who live in the community, same street, current load. Every unit
    is a candidate except those with an open pairing with the community (one whose pairing
    ended may pair again)."""
    q = Cypher(as_of, scope)
    q.params["code"] = code
    res_pattern, res_open = residence(q, "p", "c")
    q.line("MATCH (c:Community {code: $code})-[:IN_STREET]->(s:Street)")
    if (restriction := q.scope.community(q, "c")) is not None:
        q.line(f"WHERE {restriction}")
    q.line("CALL { WITH c")
    q.line(f"  OPTIONAL MATCH {res_pattern}, (p)-[em:EMPLOYED_BY]->(employer:Unit)")
    q.line("  " + _where([*res_open, q.open_at("em")]))
    # the residents are walked once, counted per employer (not once per candidate unit: at 1M
    # persons that walked a community's 10,000 residents for each of 500 candidates, 2.9 s).
    # Not named u: FalkorDB then binds the outer MATCH (u:Unit) to it and finds no row (silently)
    q.line("  WITH employer, count(DISTINCT p) AS n WHERE employer IS NOT NULL")
    q.line("  RETURN collect([employer.uscc, n]) AS employers")
    q.line("}")
    q.line("MATCH (u:Unit)")
    q.line("CALL { WITH u, s")
    q.line("  OPTIONAL MATCH (u)-[li:LOCATED_IN]->(:Community)-[:IN_STREET]->(s)")
    q.line("  " + _where([q.open_at("li")]))
    q.line("  RETURN count(li) > 0 AS sameStreet")
    q.line("}")
    q.line("CALL { WITH u, c")
    q.line("  OPTIONAL MATCH (u)-[pw:PAIRED_WITH]->(t)")
    q.line("  " + _where([q.open_at("pw")]))
    q.line("  RETURN count(pw) AS pairings, count(CASE WHEN t = c THEN pw END) AS withHere")
    q.line("}")
    q.line("WITH employers, u, sameStreet, pairings, withHere WHERE withHere = 0")
    entries = {"sameStreet": "sameStreet", "pairings": "pairings", "uscc": "u.uscc"}
    if (unit := sel.one("unit")) is not None:
        entries["unit"] = project_unit(q, "u", unit)
    q.line(f"RETURN employers, collect({map_expr(entries)}) AS rows")
    found = await backend.read(q.text(), q.params)
    if not found:
        return []
    # joined here: looking each unit up in the list in Cypher would be linear per unit
    employers = {uscc: n for uscc, n in found[0]["employers"]}
    rows = found[0]["rows"]
    for r in rows:
        r["employees"] = employers.get(r["uscc"], 0)
    if q.scope.min_cell:  # a count of a few persons is withheld from roles that may not see persons
        for r in rows:
            if r["employees"] < q.scope.min_cell:
                r["employees"] = None
    w = SUGGESTION_WEIGHTS
    suggestions = [
        {
            "score": w["employeesLivingHere"] * (r["employees"] or 0) + (w["sameStreet"] if r["sameStreet"] else 0.0)
            + w["currentPairings"] * r["pairings"],
            "unit": r.get("unit"),
            "reasons": {"employeesLivingHere": r["employees"], "sameStreet": r["sameStreet"], "currentPairings": r["pairings"]},
            "_uscc": r["uscc"],
        }
        for r in rows
    ]  # fmt: skip
    suggestions.sort(key=lambda s: (-s["score"], s["_uscc"]))
    return suggestions[:first]


async def reporting_by_unit(
    backend: Backend, sel: Sel, scope_code: str, as_of: str, scope: Scope
) -> list[dict[str, Any]]:
    """Per unit under the scope: its employees who are party members, and how many reported."""
    q = Cypher(as_of, scope)
    q.params["scope"] = scope_code
    q.line("MATCH (u:Unit)-[li:LOCATED_IN]->(c:Community)")
    q.line(_where([q.open_at("li"), "c.code STARTS WITH $scope", q.scope.community(q, "c")]))
    q.line("MATCH (p:Person)-[em:EMPLOYED_BY]->(u), (p)-[pm:PARTY_MEMBER_OF]->(:PartyOrg)")
    q.line(_where([q.open_at("em"), q.open_at("pm")]))
    if (keep := q.scope.person(q, "p")) is not None:
        q.line(keep)
    q.line(f"WITH u, p, size([(p)-[rt:REPORTED_TO]->(:Community) WHERE {q.open_at('rt')} | rt]) AS reports")
    q.line(
        "WITH u, count(DISTINCT p) AS members, count(DISTINCT CASE WHEN reports > 0 THEN p END) AS reported"
    )
    withhold_small_cells(q, "u, members, reported", ["members", "reported", "members - reported"])
    entries = {"members": "members", "reported": "reported", "unreported": "members - reported"}
    if (unit := sel.one("unit")) is not None:
        entries["unit"] = project_unit(q, "u", unit)
    q.line(f"RETURN {map_expr(entries)} AS row ORDER BY u.uscc")
    return [row["row"] for row in await backend.read(q.text(), q.params)]


async def dual_responsibility(
    backend: Backend, sel: Sel, pid: str, as_of: str, scope: Scope
) -> dict[str, Any] | None:
    """The people responsible for a person in the hukou community (roles on that community) and
    in the residence community (roles on it, on the dwelling's grid and on its building)."""
    q = Cypher(as_of, scope)
    q.params["pid"] = pid
    q.line("MATCH (p:Person {pid: $pid})")
    if (keep := q.scope.person(q, "p")) is not None:
        q.line(keep)

    def contacts(side: Sel, targets: list[str], imports: list[str]) -> str | None:
        wanted = side.one("contacts")
        if wanted is None:
            return None
        alias = q.var("contacts")
        q.line(f"CALL {{ WITH {', '.join(imports)}")
        q.line(f"  UNWIND [{', '.join(targets)}] AS t")
        q.line("  OPTIONAL MATCH (who:Person)-[sa:SERVES_AS]->(t)")
        q.line("  " + _where([q.open_at("sa")]))
        item = {"role": "sa.role", "scopeName": "t.name"}
        if "name" in wanted:
            item["name"] = "who.name"
        if "phoneMasked" in wanted:
            item["phoneMasked"] = "who.phoneMasked"
        item["pid"] = "who.pid"
        q.line("  WITH who, sa, t ORDER BY sa.role, who.pid")
        q.line(f"  RETURN collect(CASE WHEN who IS NULL THEN null ELSE {map_expr(item)} END) AS {alias}")
        q.line("}")
        return alias

    entries: dict[str, str] = {}
    if (person := sel.one("person")) is not None:
        entries["person"] = project_person(q, "p", person)
    if (hukou_side := sel.one("hukouSide")) is not None:
        hukou_pattern, hukou_open = home(q, "HUKOU", "p", "hk")
        q.line("CALL { WITH p")
        q.line(f"  OPTIONAL MATCH {hukou_pattern}")
        q.line("  " + _where(hukou_open))
        q.line("  RETURN head(collect(hk)) AS hk")
        q.line("}")
        side = {}
        if (place := hukou_side.one("place")) is not None:
            side["place"] = project_place(q, "hk", place)
        if (found := contacts(hukou_side, ["hk"], ["hk"])) is not None:
            side["contacts"] = found
        entries["hukouSide"] = f"CASE WHEN hk IS NULL THEN null ELSE {map_expr(side)} END"
    if (res_side := sel.one("residenceSide")) is not None:
        lr, lg = q.var("lr"), q.var("lg")
        q.line("CALL { WITH p")
        q.line(
            f"  OPTIONAL MATCH (p)-[{lr}:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(b:Building)-[:IN_GRID]->(g:Grid)-[{lg}:IN_COMMUNITY]->(rc:Community)"
        )
        q.line("  " + _where([q.open_at(lr), q.open_at(lg)]))
        q.line("  RETURN head(collect(rc)) AS rc, head(collect(g)) AS rg, head(collect(b)) AS rb")
        q.line("}")
        side = {}
        if (place := res_side.one("place")) is not None:
            side["place"] = project_place(q, "rc", place)
        if (found := contacts(res_side, ["rc", "rg", "rb"], ["rc", "rg", "rb"])) is not None:
            side["contacts"] = found
        entries["residenceSide"] = f"CASE WHEN rc IS NULL THEN null ELSE {map_expr(side)} END"
    q.line(f"RETURN {map_expr(entries)} AS result")
    rows = await backend.read(q.text(), q.params)
    return rows[0]["result"] if rows else None


async def evaluation_gaps(
    backend: Backend, sel: Sel, code: str, year: int, scope: Scope
) -> list[dict[str, Any]]:
    """Members reported to the community during the year whose ORG and COMMUNITY grades for the
    year are missing or differ."""
    q = Cypher(f"{year}-12-31", scope)
    q.params.update(code=code, year=year, yearStart=f"{year}-01-01", yearEnd=f"{year + 1}-01-01")
    q.line("MATCH (p:Person)-[rt:REPORTED_TO]->(c:Community {code: $code})")
    q.line(
        _where(
            [
                "rt.since < $yearEnd",
                "(rt.until IS NULL OR rt.until > $yearStart)",
                "(rt.until IS NULL OR rt.until > rt.since)",  # open on at least one day
                q.scope.community(q, "c"),
            ]
        )
    )
    if (keep := q.scope.person(q, "p")) is not None:
        q.line(keep)
    q.line("WITH DISTINCT p")
    q.line("WITH p, [(e:Evaluation)-[:EVALUATES]->(p) WHERE e.year = $year | [e.side, e.grade]] AS grades")
    q.line(
        "WITH p, [g IN grades WHERE g[0] = 'ORG' | g[1]][0] AS org, [g IN grades WHERE g[0] = 'COMMUNITY' | g[1]][0] AS community"
    )
    q.line("WHERE org IS NULL OR community IS NULL OR org <> community")
    entries = {"orgGrade": "org", "communityGrade": "community"}
    if (person := sel.one("person")) is not None:
        entries["person"] = project_person(q, "p", person)
    q.line(f"RETURN {map_expr(entries)} AS row ORDER BY p.name, p.pid")
    return [row["row"] for row in await backend.read(q.text(), q.params)]
