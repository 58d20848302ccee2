"""Status pages: their settings (admins) and their read-only views (docs/status-pages.md)."""
