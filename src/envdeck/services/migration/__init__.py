"""`envdeck migrate from-environment-manager`: the original's MongoDB brought into Envdeck.

source.py reads the original's documents, translate.py turns each into an Envdeck entity (pure),
writer.py stores them (idempotently, each collection all or nothing), report.py says what
happened. docs/migration.md walks a user through it.
"""
