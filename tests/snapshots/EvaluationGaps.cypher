MATCH (p:Person)-[rt:REPORTED_TO]->(c:Community {code: $code})
WHERE rt.since < $yearEnd AND (rt.until IS NULL OR rt.until > $yearStart) AND (rt.until IS NULL OR rt.until > rt.since)
WITH DISTINCT p
WITH p, [(e:Evaluation)-[:EVALUATES]->(p) WHERE e.year = $year | [e.side, e.grade]] AS grades
WITH p, [g IN grades WHERE g[0] = 'ORG' | g[1]][0] AS org, [g IN grades WHERE g[0] = 'COMMUNITY' | g[1]][0] AS community
WHERE org IS NULL OR community IS NULL OR org <> community
RETURN {orgGrade: org, communityGrade: community, person: {__typename: 'Person', pid: p.pid, name: p.name}} AS row ORDER BY p.name, p.pid
-- parameters
{
 "asOf": "2024-12-31",
 "code": "430105001001",
 "year": 2024,
 "yearEnd": "2025-01-01",
 "yearStart": "2024-01-01"
}
