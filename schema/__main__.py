"""``python -m schema`` prints the SDL (checked in as schema.graphql)."""

from schema import schema

print(schema.as_str())
