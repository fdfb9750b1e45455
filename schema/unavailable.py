"""A database that is down answers 503 with ``Retry-After``, not a masked "Unexpected error".

A resolver that meets ``GraphUnavailable`` (graph/errors.py: the database is down, unreachable or
still loading) leaves a GraphQL error whose original error is that exception. This extension
replaces each such error with one a client can act on::

    {"message": "the database is unavailable; retry in 5 s", "path": [...],
     "extensions": {"code": "DATABASE_UNAVAILABLE"}}

and, when the request came over HTTP, sets the response to 503 with ``Retry-After: 5``. It runs
when execution ends, before MaskErrors, so the error is not masked; the schema logs an outage as
one warning a request (``unexpected`` keeps it out of the traceback log). Other unexpected errors
are masked and logged in full as before (schema/__init__.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from graph.errors import GraphUnavailable

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5  # an embedded restart takes ~0.1 s; a large graph loads for several s
CODE = "DATABASE_UNAVAILABLE"


def unavailable_error(error: GraphQLError) -> GraphQLError:
    return GraphQLError(
        f"the database is unavailable; retry in {RETRY_AFTER_SECONDS} s",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": CODE},
    )


def unexpected(errors: list[GraphQLError]) -> list[GraphQLError]:
    """The errors that are not a database outage (those are logged by DatabaseUnavailable)."""
    return [e for e in errors if not isinstance(e.original_error, GraphUnavailable)]


class DatabaseUnavailable(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if not isinstance(result, ExecutionResult) or not result.errors:
            return
        causes = [e.original_error for e in result.errors if isinstance(e.original_error, GraphUnavailable)]
        if not causes:
            return
        log.warning("database unavailable: %s", causes[0])
        result.errors = [
            unavailable_error(e) if isinstance(e.original_error, GraphUnavailable) else e
            for e in result.errors
        ]
        response = getattr(self.execution_context.context, "response", None)
        if response is not None:  # over HTTP (service/app.py); None when run in-process
            response.status_code = 503
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
