"""HTTP: the Starlette app, settings, the GraphQL view and its context, health, logs, CLI."""
