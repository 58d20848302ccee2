"""Reservations of environments (docs/reservations.md): `service.py` (reserve, extend, release,
break, claim, read), `expiry.py` (reservations ending by themselves, reminders, under a lease),
`notices.py` (what channels routing reservation events are told), `gate.py` (what a reservation
means for a restart or an upgrade under the environment's policy)."""
