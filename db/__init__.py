"""Storage: typed models, the engine and session factory, query functions, migrations."""
