"""`envdeck migrate from-environment-manager`: the original's MongoDB brought into Envdeck.

source.py reads the original's documents; environments.py, users.py and logs.py turn each into
an Envdeck entity (pure, with values.py for BSON values); service.py plans and writes them
(idempotently, each collection all or nothing); report.py says what happened.
docs/migration.md walks a user through it.
"""
