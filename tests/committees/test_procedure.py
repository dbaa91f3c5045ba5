"""4.2.1 to 4.3.1(vi) over HTTP only: an informal attempt, the formal route, the letter,
the review, the officers' notice, then striking the CRC: the informal participant is
never drawn and the investigation begins."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import ExclusionReason, Role
from tests.committees.support import eligible_pool, seat_ids
from tests.factories.accounts import signed_in
from tests.factories.committees import make_staff_resource, propose_ok, strike_committee
from tests.factories.complaints import complaint_body, file_complaint
from tests.factories.directory import make_member, make_unit
from tests.factories.procedure import record_attempt, to_committee


class TestThroughTheProcedure:
    @pytest.mark.clause("4.3.1(v)")
    async def test_an_informal_participant_is_never_drawn(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        a, b = await make_member(db, unit), await make_member(db, unit)
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        pool = await eligible_pool(db, passwords, 4)
        informal = pool[0]  # trained and seated: only the informal attempt excludes them
        await make_staff_resource(db, passwords)
        detail, etag = await file_complaint(client, headers, complaint_body(a, b))
        _, etag = await record_attempt(client, headers, detail, etag, [str(informal.id)])
        detail, etag = await to_committee(client, headers, detail, etag)
        assert detail["stage"] == "committee"
        table = await client.get(
            f"/api/complaints/{detail['id']}/committee/eligibility", headers=headers
        )
        (row,) = [o for o in table.json()["ombudspersons"] if o["user_id"] == str(informal.id)]
        assert row["reasons"] == [ExclusionReason.took_part_informally]
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        etag = ""
        for _ in range(8):
            proposal, etag = await propose_ok(client, officer, detail["id"], etag or None)
            assert seat_ids(proposal) == {str(u.id) for u in pool[1:]}
        struck, _ = await strike_committee(client, officer, detail["id"])
        assert struck["status"] == "confirmed"
        after = await client.get(f"/api/complaints/{detail['id']}", headers=headers)
        assert after.json()["stage"] == "investigation"
