"""Identity: who may do what. Logins, sessions and API tokens, users, the login limiter and
first-run setup."""
