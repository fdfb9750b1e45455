MATCH (c:Community) WHERE c.code STARTS WITH $scope
WITH c, [(c)-[m:MERGED_INTO]->() WHERE m.on <= $asOf | m] AS merges
WHERE size(merges) = 0
CALL { WITH c
  OPTIONAL MATCH (u:Unit)-[pw:PAIRED_WITH]->(c)
  WHERE coalesce(pw.since, '') <= $asOf AND (pw.until IS NULL OR pw.until > $asOf)
  RETURN count(DISTINCT u) AS paired
}
CALL { WITH c
  OPTIONAL MATCH (u:Unit)-[li:LOCATED_IN]->(c)
  WHERE coalesce(li.since, '') <= $asOf AND (li.until IS NULL OR li.until > $asOf)
  WITH u, [(u)-[pw:PAIRED_WITH]->() WHERE coalesce(pw.since, '') <= $asOf AND (pw.until IS NULL OR pw.until > $asOf) | pw] AS open
  WITH u, size(open) AS pairings ORDER BY u.uscc
  RETURN collect(CASE WHEN u IS NULL OR pairings > 0 THEN null ELSE {__typename: 'Unit', uscc: u.uscc, name: u.name} END) AS unpaired
}
RETURN {pairedUnits: paired, unpairedLocalUnits: unpaired, community: {__typename: 'Community', code: c.code, name: c.name}} AS row ORDER BY c.code
-- parameters
{
 "asOf": "2024-06-30",
 "scope": "430105001"
}
