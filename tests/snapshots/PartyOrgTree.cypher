MATCH (n:PartyOrg {orgId: $key})
CALL { WITH n
  OPTIONAL MATCH (n)-[r2:BASED_IN]->(c1:Community)
  WHERE coalesce(r2.since, '') <= $asOf AND (r2.until IS NULL OR r2.until > $asOf)
  RETURN head(collect(CASE WHEN c1 IS NULL THEN null ELSE {__typename: 'Community', code: c1.code, name: c1.name} END)) AS r3
}
CALL { WITH n
  OPTIONAL MATCH (n)-[:SUBORDINATE_TO]->(o7:PartyOrg)
  RETURN head(collect(CASE WHEN o7 IS NULL THEN null ELSE {__typename: 'PartyOrg', orgId: o7.orgId, name: o7.name, level: o7.level} END)) AS r8
}
CALL { WITH n
  OPTIONAL MATCH (o12:PartyOrg)-[:SUBORDINATE_TO]->(n)
  WITH CASE WHEN o12 IS NULL THEN null ELSE {__typename: 'PartyOrg', orgId: o12.orgId, name: o12.name, level: o12.level, memberCount: size([(:Person)-[m14:PARTY_MEMBER_OF]->(o12) WHERE coalesce(m14.since, '') <= $asOf AND (m14.until IS NULL OR m14.until > $asOf) | m14])} END AS item, o12.orgId AS sortKey ORDER BY sortKey
  RETURN collect(item) AS r13
}
CALL { WITH n
  OPTIONAL MATCH (p18:Person)-[m19:PARTY_MEMBER_OF]->(n)
  WHERE coalesce(m19.since, '') <= $asOf AND (m19.until IS NULL OR m19.until > $asOf)
  WITH CASE WHEN p18 IS NULL THEN null ELSE {node: {__typename: 'Person', pid: p18.pid, name: p18.name}, key: p18.name + ' ' + p18.pid} END AS e ORDER BY e.key
  WITH collect(e) AS entries
  WITH entries, entries AS rest
  RETURN {total: size(entries), page: rest[0..20], more: size(rest) > 20} AS conn20
}
RETURN {__typename: 'PartyOrg', orgId: n.orgId, name: n.name, level: n.level, kind: n.kind, memberCount: size([(:Person)-[m0:PARTY_MEMBER_OF]->(n) WHERE coalesce(m0.since, '') <= $asOf AND (m0.until IS NULL OR m0.until > $asOf) | m0]), homeCommunity: r3, parent: r8, children: r13, members: conn20} AS result
-- parameters
{
 "asOf": "<today>",
 "key": "PO-A1"
}
