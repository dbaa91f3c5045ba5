"""Administrators keep the register; it holds no names of parties and no content."""

from ombuds.auth.access import Administrator

RegisterKeeper = Administrator
