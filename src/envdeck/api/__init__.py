"""The HTTP and WebSocket interface: thin routes over the services."""
