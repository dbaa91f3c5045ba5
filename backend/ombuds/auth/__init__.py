"""Authentication: login, server-side sessions, access tokens, API tokens."""
