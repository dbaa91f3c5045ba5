"""Deadline rules for the Ombuds procedure."""
