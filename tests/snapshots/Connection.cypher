MATCH (a:Person {pid: $a}), (b:Unit {uscc: $b}) WITH a, b MATCH path = allShortestPaths((a)-[*..4]-(b)) WITH path LIMIT 1 RETURN [n IN nodes(path) | {label: labels(n)[0], key: coalesce(n.pid, n.code, n.orgId, n.uscc, n.teamId, n.key, n.id), name: coalesce(n.name, n.key)}] AS nodes, [r IN relationships(path) | {type: type(r), since: r.since, until: r.until, from: {label: labels(startNode(r))[0], key: coalesce(startNode(r).pid, startNode(r).code, startNode(r).orgId, startNode(r).uscc, startNode(r).teamId, startNode(r).key, startNode(r).id), name: coalesce(startNode(r).name, startNode(r).key)}, to: {label: labels(endNode(r))[0], key: coalesce(endNode(r).pid, endNode(r).code, endNode(r).orgId, endNode(r).uscc, endNode(r).teamId, endNode(r).key, endNode(r).id), name: coalesce(endNode(r).name, endNode(r).key)}}] AS edges
-- parameters
{
 "a": "P001",
 "b": "11430105000010011C"
}
