MATCH (o:CollectiveOrg)-[:OF_AREA]->(a:Area)-[ap:PART_OF]->(c:Community)
WHERE coalesce(ap.since, '') <= $asOf AND (ap.until IS NULL OR ap.until > $asOf) AND c.code STARTS WITH $scope
CALL { WITH o, a
  OPTIONAL MATCH (p:Person)-[cm:COLLECTIVE_MEMBER_OF]->(o)
  WHERE coalesce(cm.since, '') <= $asOf AND (cm.until IS NULL OR cm.until > $asOf)
  OPTIONAL MATCH (p)-[lr:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_AREA]->(home:Area)
  WHERE coalesce(lr.since, '') <= $asOf AND (lr.until IS NULL OR lr.until > $asOf)
  WITH a, p, collect(home) AS homes
  RETURN count(p) AS members,
         count(CASE WHEN size(homes) > 0 AND NOT a IN homes THEN p END) AS elsewhere,
         count(CASE WHEN size(homes) = 0 THEN p END) AS unknown
}
CALL { WITH o
  OPTIONAL MATCH (o)-[:OF_AREA]->(a0:Area)
  RETURN head(collect(CASE WHEN a0 IS NULL THEN null ELSE {__typename: 'Area', id: a0.id, name: a0.name} END)) AS r1
}
RETURN {members: members, livingElsewhere: elsewhere, residenceUnknown: unknown, org: {__typename: 'CollectiveOrg', uscc: o.uscc, name: o.name, area: r1}} AS row ORDER BY o.uscc
-- parameters
{
 "asOf": "<today>",
 "scope": "430105"
}
