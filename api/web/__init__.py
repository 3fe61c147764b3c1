"""The browser side: GraphiQL from locally installed files, and the coverage dashboard."""
