MATCH (home)-[s:HUKOU_FLOW_SUM]->(res:Community)
WHERE home.code STARTS WITH $scope OR res.code STARTS WITH $scope
WITH home, res, s, size([d IN s.dates WHERE d <= $asOf]) AS k
WITH home, res, CASE WHEN k = 0 THEN 0 ELSE s.counts[k - 1] END AS persons
WHERE persons > 0
RETURN persons AS persons, home.code AS home_code, res.code AS residence_code, labels(home)[0] AS home_typename, home.name AS home_name, labels(res)[0] AS residence_typename, res.name AS residence_name
ORDER BY persons DESC, home_code, residence_code
-- parameters
{
 "asOf": "2024-06-30",
 "scope": "430105"
}
