"""Only administrators manage users, roles and service accounts."""

from ombuds.auth.access import Administrator

AccountAdministrator = Administrator
