MATCH (n:Person {pid: $key})
RETURN {__typename: 'Person', pid: n.pid, name: n.name} AS result
-- parameters
{
 "asOf": "<today>",
 "key": "P001"
}
