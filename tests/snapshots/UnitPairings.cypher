MATCH (n:Unit {uscc: $key})
CALL { WITH n
  OPTIONAL MATCH (n)-[r1:LOCATED_IN]->(c0:Community)
  WHERE coalesce(r1.since, '') <= $asOf AND (r1.until IS NULL OR r1.until > $asOf)
  RETURN head(collect(CASE WHEN c0 IS NULL THEN null ELSE {__typename: 'Community', code: c0.code, name: c0.name} END)) AS r2
}
CALL { WITH n
  OPTIONAL MATCH (n)-[pw7:PAIRED_WITH]->(t6)
  WHERE coalesce(pw7.since, '') <= $asOf
  WITH CASE WHEN t6 IS NULL THEN null ELSE {since: pw7.since, until: pw7.until, agreementNo: pw7.agreementNo, active: (coalesce(pw7.since, '') <= $asOf AND (pw7.until IS NULL OR pw7.until > $asOf)), target: {__typename: labels(t6)[0], code: t6.code, name: t6.name, id: t6.id, orgId: t6.orgId}} END AS item, [pw7.since, labels(t6)[0]] AS sortKey ORDER BY sortKey
  RETURN collect(item) AS r8
}
RETURN {__typename: 'Unit', uscc: n.uscc, name: n.name, category: n.category, community: r2, pairings: r8} AS result
-- parameters
{
 "asOf": "<today>",
 "key": "12430105000010022D"
}
