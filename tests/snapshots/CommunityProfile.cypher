MATCH (n:Community {code: $key})
CALL { WITH n
  OPTIONAL MATCH (n)-[:IN_STREET]->(s0:Street)
  RETURN head(collect(CASE WHEN s0 IS NULL THEN null ELSE {__typename: 'Street', code: s0.code, name: s0.name} END)) AS r1
}
CALL { WITH n
  OPTIONAL MATCH (n)-[m3:MERGED_INTO]->(n2:Community)
  RETURN head(collect(CASE WHEN n2 IS NULL THEN null ELSE {__typename: 'Community', code: n2.code, name: n2.name} END)) AS r4
}
CALL { WITH n
  OPTIONAL MATCH (o8:Community)-[m9:MERGED_INTO]->(n)
  WITH CASE WHEN o8 IS NULL THEN null ELSE {on: m9.on, docNo: m9.docNo, community: {__typename: 'Community', code: o8.code, name: o8.name}} END AS item, o8.code AS sortKey ORDER BY sortKey
  RETURN collect(item) AS r10
}
CALL { WITH n
  OPTIONAL MATCH (a14:Area)-[r15:PART_OF]->(n)
  WHERE coalesce(r15.since, '') <= $asOf AND (r15.until IS NULL OR r15.until > $asOf)
  WITH CASE WHEN a14 IS NULL THEN null ELSE {__typename: 'Area', id: a14.id, name: a14.name} END AS item, a14.id AS sortKey ORDER BY sortKey
  RETURN collect(item) AS r16
}
CALL { WITH n
  OPTIONAL MATCH (g17:Grid)-[r18:IN_COMMUNITY]->(n)
  WHERE coalesce(r18.since, '') <= $asOf AND (r18.until IS NULL OR r18.until > $asOf)
  WITH CASE WHEN g17 IS NULL THEN null ELSE {node: {__typename: 'Grid', code: g17.code, name: g17.name}, key: g17.code} END AS e ORDER BY e.key
  WITH collect(e) AS entries
  WITH entries, entries AS rest
  RETURN {total: size(entries), page: rest[0..100], more: size(rest) > 100} AS conn19
}
CALL { WITH n
  OPTIONAL MATCH (p22:Person)-[lr22:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[lg22:IN_COMMUNITY]->(n)
  WHERE coalesce(lr22.since, '') <= $statsAsOf20 AND (lr22.until IS NULL OR lr22.until > $statsAsOf20) AND coalesce(lg22.since, '') <= $statsAsOf20 AND (lg22.until IS NULL OR lg22.until > $statsAsOf20)
  RETURN count(DISTINCT p22) AS n21
}
CALL { WITH n
  OPTIONAL MATCH (p24:Person)-[hm24:HUKOU_MEMBER]->(:Household)-[ha24:HUKOU_AT]->(n)
  WHERE coalesce(hm24.since, '') <= $statsAsOf20 AND (hm24.until IS NULL OR hm24.until > $statsAsOf20) AND coalesce(ha24.since, '') <= $statsAsOf20 AND (ha24.until IS NULL OR ha24.until > $statsAsOf20)
  RETURN count(DISTINCT p24) AS n23
}
CALL { WITH n
  OPTIONAL MATCH (p26:Person)-[hm26:HUKOU_MEMBER]->(:Household)-[ha26:HUKOU_AT]->(n), (p26)-[lr26:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[lg26:IN_COMMUNITY]->(other26:Community)
  WHERE coalesce(hm26.since, '') <= $statsAsOf20 AND (hm26.until IS NULL OR hm26.until > $statsAsOf20) AND coalesce(ha26.since, '') <= $statsAsOf20 AND (ha26.until IS NULL OR ha26.until > $statsAsOf20) AND coalesce(lr26.since, '') <= $statsAsOf20 AND (lr26.until IS NULL OR lr26.until > $statsAsOf20) AND coalesce(lg26.since, '') <= $statsAsOf20 AND (lg26.until IS NULL OR lg26.until > $statsAsOf20) AND other26 <> n
  RETURN count(DISTINCT p26) AS n25
}
CALL { WITH n
  OPTIONAL MATCH (p28:Person)-[lr28:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[lg28:IN_COMMUNITY]->(n), (p28)-[hm28:HUKOU_MEMBER]->(:Household)-[ha28:HUKOU_AT]->(other28)
  WHERE coalesce(lr28.since, '') <= $statsAsOf20 AND (lr28.until IS NULL OR lr28.until > $statsAsOf20) AND coalesce(lg28.since, '') <= $statsAsOf20 AND (lg28.until IS NULL OR lg28.until > $statsAsOf20) AND coalesce(hm28.since, '') <= $statsAsOf20 AND (hm28.until IS NULL OR hm28.until > $statsAsOf20) AND coalesce(ha28.since, '') <= $statsAsOf20 AND (ha28.until IS NULL OR ha28.until > $statsAsOf20) AND other28 <> n
  RETURN count(DISTINCT p28) AS n27
}
CALL { WITH n
  OPTIONAL MATCH (p30:Person)-[hm30:HUKOU_MEMBER]->(:Household)-[ha30:HUKOU_AT]->(n), (p30)-[ur30:LIVES_IN]->(:Dwelling)
  WHERE coalesce(hm30.since, '') <= $statsAsOf20 AND (hm30.until IS NULL OR hm30.until > $statsAsOf20) AND coalesce(ha30.since, '') <= $statsAsOf20 AND (ha30.until IS NULL OR ha30.until > $statsAsOf20) AND coalesce(ur30.since, '') <= $statsAsOf20 AND (ur30.until IS NULL OR ur30.until > $statsAsOf20)
  RETURN count(DISTINCT p30) AS n29
}
CALL { WITH n
  OPTIONAL MATCH (p32:Person)-[lr32:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[lg32:IN_COMMUNITY]->(n), (p32)-[pm32:PARTY_MEMBER_OF]->(:PartyOrg)
  WHERE coalesce(lr32.since, '') <= $statsAsOf20 AND (lr32.until IS NULL OR lr32.until > $statsAsOf20) AND coalesce(lg32.since, '') <= $statsAsOf20 AND (lg32.until IS NULL OR lg32.until > $statsAsOf20) AND coalesce(pm32.since, '') <= $statsAsOf20 AND (pm32.until IS NULL OR pm32.until > $statsAsOf20)
  RETURN count(DISTINCT p32) AS n31
}
CALL { WITH n
  OPTIONAL MATCH (p34:Person)-[rt34:REPORTED_TO]->(n), (p34)-[pm34:PARTY_MEMBER_OF]->(:PartyOrg)
  WHERE coalesce(rt34.since, '') <= $statsAsOf20 AND (rt34.until IS NULL OR rt34.until > $statsAsOf20) AND coalesce(pm34.since, '') <= $statsAsOf20 AND (pm34.until IS NULL OR pm34.until > $statsAsOf20)
  RETURN count(DISTINCT p34) AS n33
}
CALL { WITH n
  OPTIONAL MATCH (u36:Unit)-[pw36:PAIRED_WITH]->(n)
  WHERE coalesce(pw36.since, '') <= $statsAsOf20 AND (pw36.until IS NULL OR pw36.until > $statsAsOf20)
  RETURN count(DISTINCT u36) AS n35
}
CALL { WITH n
  OPTIONAL MATCH (t38:VolunteerTeam)-[:BASED_IN]->(n)
  RETURN count(DISTINCT t38) AS n37
}
RETURN {__typename: 'Community', code: n.code, name: n.name, kind: n.kind, status: n.status, street: r1, mergedInto: r4, mergedFrom: r10, areas: r16, grids: conn19, stats: {residents: n21, registered: n23, livingElsewhere: n25, registeredElsewhere: n27, residenceUnknown: n23 - n29, partyMembers: n31, reportedMembers: n33, pairedUnits: n35, volunteerTeams: n37}} AS result
-- parameters
{
 "asOf": "<today>",
 "key": "430105001001",
 "statsAsOf20": "2020-01-01"
}
