"""SQL of the bridge's schema, through asyncpg; the schema name is passed in, never global."""
