"""The saved questions (NAME.graphql) and their answers on the seeded register (NAME.json)."""
