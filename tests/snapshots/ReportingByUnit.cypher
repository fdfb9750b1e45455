MATCH (u:Unit)-[li:LOCATED_IN]->(c:Community)
WHERE coalesce(li.since, '') <= $asOf AND (li.until IS NULL OR li.until > $asOf) AND c.code STARTS WITH $scope
MATCH (p:Person)-[em:EMPLOYED_BY]->(u), (p)-[pm:PARTY_MEMBER_OF]->(:PartyOrg)
WHERE coalesce(em.since, '') <= $asOf AND (em.until IS NULL OR em.until > $asOf) AND coalesce(pm.since, '') <= $asOf AND (pm.until IS NULL OR pm.until > $asOf)
WITH u, p, size([(p)-[rt:REPORTED_TO]->(:Community) WHERE coalesce(rt.since, '') <= $asOf AND (rt.until IS NULL OR rt.until > $asOf) | rt]) AS reports
WITH u, count(DISTINCT p) AS members, count(DISTINCT CASE WHEN reports > 0 THEN p END) AS reported
RETURN {members: members, reported: reported, unreported: members - reported, unit: {__typename: 'Unit', uscc: u.uscc, name: u.name}} AS row ORDER BY u.uscc
-- parameters
{
 "asOf": "<today>",
 "scope": "430105"
}
