"""Administrators may read the audit log: it holds ids and outcomes, never content."""

from ombuds.auth.access import Administrator

AuditReader = Administrator
