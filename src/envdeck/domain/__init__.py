"""Entities, enums and errors of Envdeck. No I/O here."""
