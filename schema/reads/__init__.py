"""How reads run: query limits, loaders, pagination, and `compiler/`: reads in one SQL statement."""
