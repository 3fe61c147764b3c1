"""The read compiler: queries answered by one SQL statement that builds the response body.

- `fields`: what each type's fields read, from the Strawberry types' own metadata;
- `selection`: an operation's selections (fragments, directives, variables) to a plan (`shapes`);
- `sql` and `matrix`: the plan to SQL, for PostgreSQL or SQLite, readers or editors;
- `plans`: plans cached per (document, operation), the SQL per dialect and audience;
- `execute`: the request, the parameters' values, and the statement run.

What it does not compile (mutations, filters, fields without a declaration, a query that does
not validate) takes the usual, field-by-field path.
"""

from schema.reads.compiler.execute import Request, get_request, parameters, post_request, run
from schema.reads.compiler.plans import Plan, Plans

__all__ = ["Plan", "Plans", "Request", "get_request", "parameters", "post_request", "run"]
