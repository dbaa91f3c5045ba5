"""Administration of users, roles and integration service accounts."""
