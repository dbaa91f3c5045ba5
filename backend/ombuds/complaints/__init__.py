"""Complaints from intake to closure: the procedure's state machine and its records."""
