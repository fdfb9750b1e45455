MATCH (c:Community {code: $code})
CALL { WITH c
  MATCH (p)-[h0:HUKOU_MEMBER]->(:Household)-[h1:HUKOU_AT]->(c)
  WHERE coalesce(h0.since, '') <= $asOf AND (h0.until IS NULL OR h0.until > $asOf) AND coalesce(h1.since, '') <= $asOf AND (h1.until IS NULL OR h1.until > $asOf)
  MATCH (p)-[lr2:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[lg3:IN_COMMUNITY]->(res:Community)
  WHERE coalesce(lr2.since, '') <= $asOf AND (lr2.until IS NULL OR lr2.until > $asOf) AND coalesce(lg3.since, '') <= $asOf AND (lg3.until IS NULL OR lg3.until > $asOf) AND res <> c
  WITH p, c AS home, res
  WITH DISTINCT p, home, res
  WITH p, home, res ORDER BY p.name, p.pid, home.code
  WITH count(DISTINCT [p.pid, home.code]) AS total, collect([p, home, res]) AS rows
  RETURN total, rows[0..$limit4] AS top
}
CALL { WITH top
  UNWIND top AS r
  WITH r[0] AS p, r[1] AS home, r[2] AS res
  WITH {person: {__typename: 'Person', pid: p.pid, name: p.name}, home: {__typename: labels(home)[0], code: home.code, name: home.name}, residence: {__typename: 'Community', code: res.code, name: res.name}} AS node, [p.name, p.pid, home.code] AS key, p.name AS k1, p.pid AS k2, home.code AS k3
  ORDER BY k1, k2, k3
  RETURN collect({node: node, key: key}) AS page
}
RETURN page, total
-- parameters
{
 "asOf": "2024-06-30",
 "code": "430105001002",
 "limit4": 2
}
