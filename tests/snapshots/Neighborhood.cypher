MATCH (a:Person {pid: $key}) OPTIONAL MATCH path = (a)-[*1..2]-(x) WHERE x <> a WITH a, path LIMIT $paths WITH a, collect(path) AS found WITH a, size(found) AS pathCount, reduce(acc = [], p IN found | acc + relationships(p)) AS all_rels UNWIND CASE WHEN size(all_rels) = 0 THEN [null] ELSE all_rels END AS r WITH a, pathCount, collect(DISTINCT r)[0..$take] AS rels RETURN {label: labels(a)[0], key: coalesce(a.pid, a.code, a.orgId, a.uscc, a.teamId, a.key, a.id), name: coalesce(a.name, a.key)} AS center, pathCount, [r IN rels | {type: type(r), since: r.since, until: r.until, from: {label: labels(startNode(r))[0], key: coalesce(startNode(r).pid, startNode(r).code, startNode(r).orgId, startNode(r).uscc, startNode(r).teamId, startNode(r).key, startNode(r).id), name: coalesce(startNode(r).name, startNode(r).key)}, to: {label: labels(endNode(r))[0], key: coalesce(endNode(r).pid, endNode(r).code, endNode(r).orgId, endNode(r).uscc, endNode(r).teamId, endNode(r).key, endNode(r).id), name: coalesce(endNode(r).name, endNode(r).key)}}] AS edges
-- parameters
{
 "key": "P003",
 "paths": 20000,
 "take": 51
}
