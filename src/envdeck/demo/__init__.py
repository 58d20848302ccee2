"""The demo fleet: a simulator of environments to monitor, and its registration in Envdeck."""
