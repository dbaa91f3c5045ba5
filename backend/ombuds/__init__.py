"""Ombuds: confidential handling of harassment complaints under the Local 500 policy."""
