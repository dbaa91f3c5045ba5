"""Who records and reads the policy reviews (6): the Executive's users, that is the
table officers and the administrators (as for the review deadlines, deadlines/access.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ombuds.auth.access import require_roles
from ombuds.auth.principal import Principal
from ombuds.models import Role

PolicyReviewer = Annotated[
    Principal, Depends(require_roles(Role.table_officer, Role.administrator))
]

__all__ = ["PolicyReviewer"]
