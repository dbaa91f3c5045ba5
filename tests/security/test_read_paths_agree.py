"""The complaint detail decides who may read from the facts it reads with the complaint
(complaints/access.py `may_read`, complaints/reads.py); every other read of a complaint
asks the SQL rule `readable_complaints` (access.readable). The two must agree for every
principal at every stage: the detail's 200 or 404 is the timeline's."""

from __future__ import annotations

import pytest

from tests.security.world import PRINCIPALS, STAGES, World

PEOPLE = [p for p in PRINCIPALS if p not in {"anonymous", "integration"}]


@pytest.mark.clause("5.1")
async def test_detail_and_sql_rule_agree(world: World) -> None:
    seen: dict[tuple[str, str], int] = {}
    for principal in PEOPLE:
        for stage in STAGES:
            detail = await world.call("complaints-get", principal, stage)
            timeline = await world.call("complaints-timeline", principal, stage)
            assert detail.status_code == timeline.status_code, (principal, stage)
            seen[principal, stage] = detail.status_code
    # Both outcomes occur, including the cases the rule turns on: the informal
    # participant reads only before the formal route, the party never, the CRC from
    # investigation on.
    assert seen["intake_ombudsperson", "committee"] == 200
    assert seen["informal_ombudsperson", "informal"] == 200
    assert seen["informal_ombudsperson", "committee"] == 404
    assert seen["party_ombudsperson", "informal"] == 404
    assert seen["crc_member", "committee"] == 404
    assert seen["crc_member", "investigation"] == 200
    assert seen["staff_resource", "investigation"] == 200
    assert seen["unrelated_ombudsperson", "investigation"] == 404
