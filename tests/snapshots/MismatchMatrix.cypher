MATCH (p)-[lr2:LIVES_IN]->(:Dwelling)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[lg3:IN_COMMUNITY]->(res:Community)
WHERE coalesce(lr2.since, '') <= $asOf AND (lr2.until IS NULL OR lr2.until > $asOf) AND coalesce(lg3.since, '') <= $asOf AND (lg3.until IS NULL OR lg3.until > $asOf)
MATCH (p)-[h0:HUKOU_MEMBER]->(:Household)-[h1:HUKOU_AT]->(home)
WHERE coalesce(h0.since, '') <= $asOf AND (h0.until IS NULL OR h0.until > $asOf) AND coalesce(h1.since, '') <= $asOf AND (h1.until IS NULL OR h1.until > $asOf) AND home <> res AND (home.code STARTS WITH $scope OR res.code STARTS WITH $scope)
WITH home, res, count(DISTINCT p) AS persons
RETURN persons AS persons, home.code AS home_code, res.code AS residence_code, labels(home)[0] AS home_typename, home.name AS home_name, labels(res)[0] AS residence_typename, res.name AS residence_name
ORDER BY persons DESC, home_code, residence_code
-- parameters
{
 "asOf": "2024-06-30",
 "scope": "430105"
}
