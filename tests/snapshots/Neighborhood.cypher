MATCH (a:Person {pid: $key})
WITH a, [a] AS f, [] AS prev, [] AS rels
CALL { WITH f, rels WITH f, rels WHERE size(rels) < $take
  CALL { WITH f UNWIND f AS e WITH e, e AS x WHERE NOT (x:Community OR x:Region) MATCH (x)-[r]->(y) WHERE type(r) IN $types RETURN r, y UNION ALL WITH f UNWIND f AS e WITH e, e AS x WHERE x:Community OR x:Region MATCH (x)-[r:IN_DISTRICT|IN_STREET|PART_OF|MERGED_INTO|CONTINUED_AS|IN_COMMUNITY|IN_COMPOUND|IN_GRID|IN_AREA|IN_BUILDING|HUKOU_MEMBER|HUKOU_AT|LIVES_IN|SUBORDINATE_TO|BASED_IN|COVERS|PARTY_MEMBER_OF|REPORTED_TO|EVALUATES|ISSUED_BY|LOCATED_IN|EMPLOYED_BY|PAIRED_WITH|IN_TEAM|SERVES_AS|OF_AREA|COLLECTIVE_MEMBER_OF]->(y) RETURN r, y UNION ALL WITH f UNWIND f AS e WITH e, e AS x WHERE NOT (x:Community OR x:Region) MATCH (x)<-[r]-(y) WHERE type(r) IN $types RETURN r, y UNION ALL WITH f UNWIND f AS e WITH e, e AS x WHERE x:Community OR x:Region MATCH (x)<-[r:IN_DISTRICT|IN_STREET|PART_OF|MERGED_INTO|CONTINUED_AS|IN_COMMUNITY|IN_COMPOUND|IN_GRID|IN_AREA|IN_BUILDING|HUKOU_MEMBER|HUKOU_AT|LIVES_IN|SUBORDINATE_TO|BASED_IN|COVERS|PARTY_MEMBER_OF|REPORTED_TO|EVALUATES|ISSUED_BY|LOCATED_IN|EMPLOYED_BY|PAIRED_WITH|IN_TEAM|SERVES_AS|OF_AREA|COLLECTIVE_MEMBER_OF]-(y) RETURN r, y }
  WITH r, y LIMIT $rows
  RETURN collect([r, y]) AS found }
CALL { WITH found, prev UNWIND found AS t WITH t, prev WHERE NOT t[1] IN prev
  RETURN collect(DISTINCT t[0]) AS new, collect(DISTINCT t[1]) AS ys }
WITH a, [y IN ys WHERE NOT y IN f] AS f, f AS prev, rels + new AS rels
CALL { WITH f, rels WITH f, rels WHERE size(rels) < $take
  CALL { WITH f UNWIND f AS e WITH e, e AS x WHERE NOT (x:Community OR x:Region) MATCH (x)-[r]->(y) WHERE type(r) IN $types RETURN r, y UNION ALL WITH f UNWIND f AS e WITH e, e AS x WHERE x:Community OR x:Region MATCH (x)-[r:IN_DISTRICT|IN_STREET|PART_OF|MERGED_INTO|CONTINUED_AS|IN_COMMUNITY|IN_COMPOUND|IN_GRID|IN_AREA|IN_BUILDING|HUKOU_MEMBER|HUKOU_AT|LIVES_IN|SUBORDINATE_TO|BASED_IN|COVERS|PARTY_MEMBER_OF|REPORTED_TO|EVALUATES|ISSUED_BY|LOCATED_IN|EMPLOYED_BY|PAIRED_WITH|IN_TEAM|SERVES_AS|OF_AREA|COLLECTIVE_MEMBER_OF]->(y) RETURN r, y UNION ALL WITH f UNWIND f AS e WITH e, e AS x WHERE NOT (x:Community OR x:Region) MATCH (x)<-[r]-(y) WHERE type(r) IN $types RETURN r, y UNION ALL WITH f UNWIND f AS e WITH e, e AS x WHERE x:Community OR x:Region MATCH (x)<-[r:IN_DISTRICT|IN_STREET|PART_OF|MERGED_INTO|CONTINUED_AS|IN_COMMUNITY|IN_COMPOUND|IN_GRID|IN_AREA|IN_BUILDING|HUKOU_MEMBER|HUKOU_AT|LIVES_IN|SUBORDINATE_TO|BASED_IN|COVERS|PARTY_MEMBER_OF|REPORTED_TO|EVALUATES|ISSUED_BY|LOCATED_IN|EMPLOYED_BY|PAIRED_WITH|IN_TEAM|SERVES_AS|OF_AREA|COLLECTIVE_MEMBER_OF]-(y) RETURN r, y }
  WITH r, y LIMIT $rows
  RETURN collect([r, y]) AS found }
CALL { WITH found, prev UNWIND found AS t WITH t, prev WHERE NOT t[1] IN prev
  RETURN collect(DISTINCT t[0]) AS new, collect(DISTINCT t[1]) AS ys }
WITH a, [y IN ys WHERE NOT y IN f] AS f, f AS prev, rels + new AS rels
RETURN {label: labels(a)[0], key: coalesce(a.pid, a.code, a.orgId, a.uscc, a.teamId, a.key, a.id), name: coalesce(a.name, a.key)} AS center, [r IN rels[0..$take] | {type: type(r), since: r.since, until: r.until, from: {label: labels(startNode(r))[0], key: coalesce(startNode(r).pid, startNode(r).code, startNode(r).orgId, startNode(r).uscc, startNode(r).teamId, startNode(r).key, startNode(r).id), name: coalesce(startNode(r).name, startNode(r).key)}, to: {label: labels(endNode(r))[0], key: coalesce(endNode(r).pid, endNode(r).code, endNode(r).orgId, endNode(r).uscc, endNode(r).teamId, endNode(r).key, endNode(r).id), name: coalesce(endNode(r).name, endNode(r).key)}}] AS edges
-- parameters
{
 "key": "P003",
 "rows": 153,
 "take": 51,
 "types": [
  "IN_DISTRICT",
  "IN_STREET",
  "PART_OF",
  "MERGED_INTO",
  "CONTINUED_AS",
  "IN_COMMUNITY",
  "IN_COMPOUND",
  "IN_GRID",
  "IN_AREA",
  "IN_BUILDING",
  "HUKOU_MEMBER",
  "HUKOU_AT",
  "LIVES_IN",
  "SUBORDINATE_TO",
  "BASED_IN",
  "COVERS",
  "PARTY_MEMBER_OF",
  "REPORTED_TO",
  "EVALUATES",
  "ISSUED_BY",
  "LOCATED_IN",
  "EMPLOYED_BY",
  "PAIRED_WITH",
  "IN_TEAM",
  "SERVES_AS",
  "OF_AREA",
  "COLLECTIVE_MEMBER_OF"
 ]
}
