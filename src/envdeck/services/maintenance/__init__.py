"""Maintenance windows: their CRUD, their schedule, and whether an environment is in one."""
