"""Business logic. Services depend on repository protocols, never on a backend or on FastAPI."""
