MATCH (c:Community {code: $code})-[:IN_STREET]->(s:Street)
CALL { WITH c
  OPTIONAL MATCH (p)-[lr0:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[lg1:IN_COMMUNITY]->(c:Community), (p)-[em:EMPLOYED_BY]->(u:Unit)
  WHERE coalesce(lr0.since, '') <= $asOf AND (lr0.until IS NULL OR lr0.until > $asOf) AND coalesce(lg1.since, '') <= $asOf AND (lg1.until IS NULL OR lg1.until > $asOf) AND coalesce(em.since, '') <= $asOf AND (em.until IS NULL OR em.until > $asOf)
  WITH u, count(DISTINCT p) AS n WHERE u IS NOT NULL
  RETURN collect([u, n]) AS employers
}
CALL { WITH s
  OPTIONAL MATCH (u:Unit)-[li:LOCATED_IN]->(:Community)-[:IN_STREET]->(s)
  WHERE coalesce(li.since, '') <= $asOf AND (li.until IS NULL OR li.until > $asOf)
  RETURN collect(DISTINCT u) AS neighbours
}
UNWIND employers + [x IN neighbours | [x, 0]] AS e
WITH c, e[0] AS u, e[1] AS n, CASE WHEN e[0] IN neighbours THEN 1 ELSE 0 END AS near
WITH c, u, sum(n) AS employees, max(near) = 1 AS sameStreet
WITH c, u, employees, sameStreet,
     [(u)-[pw:PAIRED_WITH]->() WHERE coalesce(pw.since, '') <= $asOf AND (pw.until IS NULL OR pw.until > $asOf) | pw] AS open,
     [(u)-[pw:PAIRED_WITH]->(c) WHERE coalesce(pw.since, '') <= $asOf AND (pw.until IS NULL OR pw.until > $asOf) | pw] AS withHere
WHERE size(withHere) = 0
RETURN {employees: employees, sameStreet: sameStreet, pairings: size(open), uscc: u.uscc, unit: {__typename: 'Unit', uscc: u.uscc, name: u.name}} AS row
-- parameters
{
 "asOf": "<today>",
 "code": "430105001001"
}
