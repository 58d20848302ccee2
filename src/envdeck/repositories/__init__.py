"""Storage: the repository protocols (base.py) and their two backends, sqlite/ and mongo/."""
