"""Who reads the review's statistics (6): the Executive's users, the table officers and
the administrators, as for the policy reviews (policy/access.py). The figures identify no
one, and are read by no other role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ombuds.auth.access import require_roles
from ombuds.auth.principal import Principal
from ombuds.models import Role

StatisticsReader = Annotated[
    Principal, Depends(require_roles(Role.table_officer, Role.administrator))
]

__all__ = ["StatisticsReader"]
