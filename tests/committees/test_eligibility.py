"""4.3.1(v): who may sit on a Complaint Review Committee, and the intake ombudsperson's
table of every ombudsperson with every reason."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.committees.eligibility import draw
from ombuds.kit.clock import local_today
from ombuds.models import (
    AuditEntry,
    ExclusionReason,
    OmbudspersonConflict,
    Role,
    StaffResourceKind,
)
from tests.committees.support import count, open_case, problem
from tests.factories.accounts import login, signed_in
from tests.factories.committees import (
    make_ombudsperson,
    make_staff_resource,
    strike_committee,
    took_part_informally,
)

R = ExclusionReason


def url(complaint_id: str) -> str:
    return f"/api/complaints/{complaint_id}/committee/eligibility"


class TestDraw:
    @pytest.mark.clause("4.3.1(v)")
    def test_fewest_current_seats_first(self) -> None:
        busy, idle_a, idle_b, idle_c = (uuid.uuid4() for _ in range(4))
        loads = {busy: 2, idle_a: 0, idle_b: 0}
        for seed in range(50):
            chosen = draw([busy, idle_a, idle_b, idle_c], loads, 3, random.Random(seed))
            assert set(chosen) == {idle_a, idle_b, idle_c}

    @pytest.mark.clause("4.3.1(v)")
    def test_ties_are_broken_at_random(self) -> None:
        people = [uuid.uuid4() for _ in range(5)]
        firsts = Counter(draw(people, {}, 1, random.Random(seed))[0] for seed in range(500))
        assert set(firsts) == set(people)
        assert min(firsts.values()) > 50  # roughly uniform: 100 each expected

    def test_draws_distinct_people_with_system_randomness(self) -> None:
        people = [uuid.uuid4() for _ in range(6)]
        chosen = draw(people, {}, 3)
        assert len(set(chosen)) == 3 and set(chosen) <= set(people)


class TestEligibilityTable:
    @pytest.mark.clause("4.3.1(v)")
    async def test_every_ombudsperson_with_every_reason(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords, witnesses=2)
        today = local_today()
        eligible = await make_ombudsperson(db, passwords, name="A eligible")
        informal = await make_ombudsperson(db, passwords, name="B informal")
        party = await make_ombudsperson(db, passwords, name="C party", member=case.other_party)
        witness = await make_ombudsperson(db, passwords, name="D witness", member=case.witness)
        conflicted = await make_ombudsperson(db, passwords, name="E conflicted")
        inactive = await make_ombudsperson(db, passwords, name="F inactive", active=False)
        untrained = await make_ombudsperson(db, passwords, name="G untrained", trained=False)
        seatless = await make_ombudsperson(db, passwords, name="H seatless", seated=False)
        ended = await make_ombudsperson(
            db, passwords, name="I seat ended", seat_until=today - timedelta(days=1)
        )
        future = await make_ombudsperson(
            db, passwords, name="J seat not begun", seat_from=today + timedelta(days=1)
        )
        everything = await make_ombudsperson(
            db,
            passwords,
            name="K everything",
            member=case.complainant,
            active=False,
            trained=False,
            seated=False,
        )
        await took_part_informally(db, case.id, informal, everything)
        db.add_all(
            OmbudspersonConflict(complaint_id=uuid.UUID(case.id), user_id=u.id)
            for u in (conflicted, everything)
        )
        await db.commit()
        sao = await make_staff_resource(db, passwords, name="S sao")
        equality = await make_staff_resource(
            db, passwords, name="T equality", kind=StaffResourceKind.equality_representative
        )
        await make_staff_resource(db, passwords, name="U no kind", kind=None)
        await make_staff_resource(db, passwords, name="V inactive", active=False)
        await make_staff_resource(db, passwords, name="W party", member=case.witnesses[1])

        response = await client.get(url(case.id), headers=case.intake_headers)
        assert response.status_code == 200, response.text
        table = response.json()
        reasons = {o["display_name"]: o["reasons"] for o in table["ombudspersons"]}
        assert reasons == {
            "A eligible": [],
            "B informal": [R.took_part_informally],
            "C party": [R.party_or_witness],
            "D witness": [R.party_or_witness],
            "E conflicted": [R.declared_conflict],
            "F inactive": [R.inactive],
            "G untrained": [R.untrained],
            "H seatless": [R.no_current_seat],
            "I seat ended": [R.no_current_seat],
            "J seat not begun": [R.no_current_seat],
            "K everything": [
                R.took_part_informally,
                R.party_or_witness,
                R.declared_conflict,
                R.inactive,
                R.untrained,
                R.no_current_seat,
            ],
            # The intake ombudsperson handles the complaint and is never on its CRC.
            "Test user": [R.intake_ombudsperson, R.untrained, R.no_current_seat],
        }
        flags = {o["user_id"]: o["eligible"] for o in table["ombudspersons"]}
        assert flags[str(eligible.id)] is True
        assert [
            flags[str(u.id)]
            for u in (
                informal,
                party,
                witness,
                conflicted,
                inactive,
                untrained,
                seatless,
                ended,
                future,
            )
        ] == [False] * 9
        assert (table["seats"], table["eligible_count"]) == (3, 1)
        assert table["staff_resources"] == [
            {
                "user_id": str(sao.id),
                "display_name": "S sao",
                "kind": "special_assignments_officer",
            },
            {
                "user_id": str(equality.id),
                "display_name": "T equality",
                "kind": "equality_representative",
            },
        ]
        assert (
            await count(
                db,
                AuditEntry,
                AuditEntry.action == "committees.read_eligibility",
                AuditEntry.actor_id == case.intake.id,
                AuditEntry.object_id == case.id,
            )
            == 1
        )

    async def test_anonymous_is_401(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        problem(await client.get(url(case.id)), 401)

    @pytest.mark.parametrize("role", [Role.table_officer, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        case = await open_case(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.get(url(case.id), headers=headers), 403)

    @pytest.mark.clause("4.3.1(v)")
    async def test_only_the_intake_ombudsperson_sees_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        pool = [await make_ombudsperson(db, passwords) for _ in range(3)]
        await make_staff_resource(db, passwords)
        informal, informal_headers = await signed_in(db, passwords, client, Role.ombudsperson)
        await took_part_informally(db, case.id, informal)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        await strike_committee(client, officer, case.id)
        _, stranger = await signed_in(db, passwords, client, Role.ombudsperson)
        crc_member = await login(client, pool[0].username)
        # A CRC member may read the complaint, but the reasons are the handler's alone.
        assert (
            await client.get(f"/api/complaints/{case.id}", headers=crc_member)
        ).status_code == 200
        for headers in (crc_member, informal_headers, stranger):
            body = problem(await client.get(url(case.id), headers=headers), 404)
            assert body["detail"] == "No such complaint."
        assert (await client.get(url(case.id), headers=case.intake_headers)).status_code == 200
