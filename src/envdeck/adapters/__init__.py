"""Adapters to the outside world below the services: outbound HTTP and its SSRF guard, SSH,
the secret box, password hashing, the event bus and metrics. An adapter never imports a
service."""
