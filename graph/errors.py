"""Our own error tree: driver errors are translated into these where they enter (graph/*_backend.py).

    GraphError
    ├── GraphUnavailable      the database cannot be reached, is starting (LOADING) or went away
    │   └── DataDirInUse      another live server owns the embedded data directory
    ├── QueryTimeout          the server stopped the query at its time limit
    ├── ConstraintViolation   a uniqueness constraint refused a write
    └── QueryFailed           the database refused the statement (a bug on our side)

Nothing outside graph/ imports ``neo4j`` or ``redis``/``falkordb`` exceptions.
"""


class GraphError(Exception):
    """Base of every database error the service raises."""


class GraphUnavailable(GraphError):
    """The database is down, unreachable, or still loading its data."""


class DataDirInUse(GraphUnavailable):
    """Another live FalkorDB server owns the data directory."""


class QueryTimeout(GraphError):
    """The query ran past the server-side timeout."""


class ConstraintViolation(GraphError):
    """A write broke a uniqueness constraint."""


class QueryFailed(GraphError):
    """The database rejected the statement."""
