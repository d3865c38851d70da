"""Vector similarity search with the pgvector extension, on the service's PostgreSQL."""
