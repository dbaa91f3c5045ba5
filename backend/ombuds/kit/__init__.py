"""Shared plumbing: database, errors, clock, access declarations."""
