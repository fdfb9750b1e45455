MATCH (c:Community {code: $code})-[:IN_STREET]->(s:Street)
CALL { WITH c
  OPTIONAL MATCH (p)-[lr0:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[lg1:IN_COMMUNITY]->(c:Community), (p)-[em:EMPLOYED_BY]->(employer:Unit)
  WHERE coalesce(lr0.since, '') <= $asOf AND (lr0.until IS NULL OR lr0.until > $asOf) AND coalesce(lg1.since, '') <= $asOf AND (lg1.until IS NULL OR lg1.until > $asOf) AND coalesce(em.since, '') <= $asOf AND (em.until IS NULL OR em.until > $asOf)
  WITH employer, count(DISTINCT p) AS n WHERE employer IS NOT NULL
  RETURN collect([employer.uscc, n]) AS employers
}
MATCH (u:Unit)
CALL { WITH u, s
  OPTIONAL MATCH (u)-[li:LOCATED_IN]->(:Community)-[:IN_STREET]->(s)
  WHERE coalesce(li.since, '') <= $asOf AND (li.until IS NULL OR li.until > $asOf)
  RETURN count(li) > 0 AS sameStreet
}
CALL { WITH u, c
  OPTIONAL MATCH (u)-[pw:PAIRED_WITH]->(t)
  WHERE coalesce(pw.since, '') <= $asOf AND (pw.until IS NULL OR pw.until > $asOf)
  RETURN count(pw) AS pairings, count(CASE WHEN t = c THEN pw END) AS withHere
}
WITH employers, u, sameStreet, pairings, withHere WHERE withHere = 0
RETURN employers, collect({sameStreet: sameStreet, pairings: pairings, uscc: u.uscc, unit: {__typename: 'Unit', uscc: u.uscc, name: u.name}}) AS rows
-- parameters
{
 "asOf": "<today>",
 "code": "430105001001"
}
