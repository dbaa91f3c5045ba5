"""Who may read and keep the directory and the roster."""

from typing import Annotated

from fastapi import Depends

from ombuds.auth.access import Administrator, require_roles
from ombuds.auth.principal import Principal
from ombuds.models import Role

DirectoryAdministrator = Administrator
# Ombudspersons look members up at intake; nobody else needs the directory.
DirectoryReader = Annotated[
    Principal, Depends(require_roles(Role.administrator, Role.ombudsperson))
]
# The roster names who holds each seat: the officers striking a CRC need it too.
RosterReader = Annotated[
    Principal,
    Depends(require_roles(Role.administrator, Role.ombudsperson, Role.table_officer)),
]
