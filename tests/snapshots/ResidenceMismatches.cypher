MATCH (c:Community {code: $code})
CALL { WITH c
  MATCH (c)-[f0:HUKOU_FLOW]->(res:Community)
  WHERE coalesce(f0.since, '') <= $asOf AND (f0.until IS NULL OR f0.until > $asOf)
  CALL { WITH f0 MATCH (p:Person {pid: f0.pid}) RETURN p }
  WITH p, c AS home, res
  WITH DISTINCT p, home, res
  WITH p, home, res ORDER BY p.name, p.pid, home.code
  WITH count(DISTINCT [p.pid, home.code]) AS total, collect([p, home, res]) AS rows
  RETURN total, rows[0..$limit1] AS top
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
 "limit1": 2
}
