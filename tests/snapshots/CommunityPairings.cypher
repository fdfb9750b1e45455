MATCH (n:Community {code: $key})
CALL { WITH n
  OPTIONAL MATCH (u3:Unit)-[pw4:PAIRED_WITH]->(n)
  WHERE coalesce(pw4.since, '') <= $pairingsAsOf5
  WITH CASE WHEN u3 IS NULL THEN null ELSE {since: pw4.since, until: pw4.until, agreementNo: pw4.agreementNo, active: (coalesce(pw4.since, '') <= $pairingsAsOf5 AND (pw4.until IS NULL OR pw4.until > $pairingsAsOf5)), unit: {__typename: 'Unit', uscc: u3.uscc, name: u3.name, category: u3.category}} END AS item, [pw4.since, u3.uscc] AS sortKey ORDER BY sortKey
  RETURN collect(item) AS r6
}
RETURN {__typename: 'Community', code: n.code, name: n.name, pairings: r6} AS result
-- parameters
{
 "asOf": "<today>",
 "key": "430105001002",
 "pairingsAsOf5": "2023-01-01"
}
