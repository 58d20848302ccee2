"""The MongoDB backend, through PyMongo's native async API."""

from envdeck.repositories.mongo.storage import MongoStorage

__all__ = ["MongoStorage"]
