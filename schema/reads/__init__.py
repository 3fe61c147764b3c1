"""How reads run: query limits, loaders, pagination and the compiled read path."""
