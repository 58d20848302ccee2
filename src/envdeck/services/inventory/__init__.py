"""The inventory: environments and the credentials vault, their sealed secrets, configuration
as code (YAML export/import), key rotation, and how an environment is reached over SSH."""
