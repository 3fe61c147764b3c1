"""The browser side: GraphiQL and the dashboard, from local files that never need the database."""
