MATCH (p:Person {pid: $pid})
CALL { WITH p
  OPTIONAL MATCH (p)-[h0:HUKOU_MEMBER]->(:Household)-[h1:HUKOU_AT]->(hk)
  WHERE coalesce(h0.since, '') <= $asOf AND (h0.until IS NULL OR h0.until > $asOf) AND coalesce(h1.since, '') <= $asOf AND (h1.until IS NULL OR h1.until > $asOf)
  RETURN head(collect(hk)) AS hk
}
CALL { WITH hk
  UNWIND [hk] AS t
  OPTIONAL MATCH (who:Person)-[sa:SERVES_AS]->(t)
  WHERE coalesce(sa.since, '') <= $asOf AND (sa.until IS NULL OR sa.until > $asOf)
  WITH who, sa, t ORDER BY sa.role, who.pid
  RETURN collect(CASE WHEN who IS NULL THEN null ELSE {role: sa.role, scopeName: t.name, name: who.name, phoneMasked: who.phoneMasked, pid: who.pid} END) AS contacts2
}
CALL { WITH p
  OPTIONAL MATCH (p)-[lr3:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(b:Building)-[:IN_GRID]->(g:Grid)-[lg4:IN_COMMUNITY]->(rc:Community)
  WHERE coalesce(lr3.since, '') <= $asOf AND (lr3.until IS NULL OR lr3.until > $asOf) AND coalesce(lg4.since, '') <= $asOf AND (lg4.until IS NULL OR lg4.until > $asOf)
  RETURN head(collect(rc)) AS rc, head(collect(g)) AS rg, head(collect(b)) AS rb
}
CALL { WITH rc, rg, rb
  UNWIND [rc, rg, rb] AS t
  OPTIONAL MATCH (who:Person)-[sa:SERVES_AS]->(t)
  WHERE coalesce(sa.since, '') <= $asOf AND (sa.until IS NULL OR sa.until > $asOf)
  WITH who, sa, t ORDER BY sa.role, who.pid
  RETURN collect(CASE WHEN who IS NULL THEN null ELSE {role: sa.role, scopeName: t.name, name: who.name, phoneMasked: who.phoneMasked, pid: who.pid} END) AS contacts5
}
RETURN {person: {__typename: 'Person', pid: p.pid, name: p.name}, hukouSide: CASE WHEN hk IS NULL THEN null ELSE {place: {__typename: labels(hk)[0], code: hk.code, name: hk.name}, contacts: contacts2} END, residenceSide: CASE WHEN rc IS NULL THEN null ELSE {place: {__typename: labels(rc)[0], code: rc.code, name: rc.name}, contacts: contacts5} END} AS result
-- parameters
{
 "asOf": "<today>",
 "pid": "P003"
}
