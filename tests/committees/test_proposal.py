"""4.3.1(v): table officers draw a fair panel of eligible ombudspersons and a staff
resource; they never learn who was excluded or why."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import (
    AuditEntry,
    Committee,
    CommitteeExclusion,
    CommitteeMember,
    CommitteeStatus,
    ExclusionReason,
    Role,
    StaffResourceKind,
    Stage,
    TimelineEvent,
)
from tests.committees.support import (
    confirmed_crc,
    count,
    eligible_pool,
    error_fields,
    excluded_crowd,
    nothing_saved,
    officer,
    open_case,
    problem,
    ready_to_strike,
    seat_ids,
)
from tests.factories.accounts import signed_in
from tests.factories.committees import (
    committee_url,
    make_ombudsperson,
    make_staff_resource,
    propose,
    propose_ok,
    status_etag,
    took_part_informally,
)

PROPOSAL_KEYS = {
    "reference",
    "status",
    "version",
    "seats",
    "staff_resource",
    "struck_on",
    "discretionary_redraws_left",
}
R = ExclusionReason


class TestPropose:
    async def test_anonymous_is_401(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        problem(await client.post(committee_url(case.id), headers={"If-Match": "x"}), 401)
        assert await nothing_saved(db)

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, role)
        problem(await propose(client, headers, case.id, "x"), 403)
        assert await nothing_saved(db)

    @pytest.mark.clause("4.3.1(iii)")
    async def test_officers_not_yet_told_get_404(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords, stage=None)
        await eligible_pool(db, passwords, 3)
        await make_staff_resource(db, passwords)
        headers = await officer(client, db, passwords)
        problem(await propose(client, headers, case.id, "x"), 404)
        problem(await propose(client, headers, str(uuid.uuid4()), "x"), 404)
        assert await nothing_saved(db)

    async def test_if_match_is_required_and_must_be_current(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        headers = await officer(client, db, passwords)
        missing = await client.post(committee_url(case.id), headers=headers)
        assert error_fields(problem(missing, 428)) == [("If-Match", "required")]
        etag = await status_etag(client, headers, case.id)
        stale = etag.replace("-v", "-v9")
        problem(await propose(client, headers, case.id, stale), 412)
        assert await nothing_saved(db)
        assert await status_etag(client, headers, case.id) == etag

    @pytest.mark.clause("4.3.1(v)")
    async def test_draws_three_ombudspersons_and_a_staff_resource(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, staff = await ready_to_strike(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        etag = await status_etag(client, headers, case.id)
        response = await propose(client, headers, case.id, etag)
        assert response.status_code == 200, response.text
        proposal = response.json()
        assert set(proposal) == PROPOSAL_KEYS
        assert (proposal["reference"], proposal["status"]) == (case.reference, "proposed")
        assert (proposal["version"], proposal["struck_on"]) == (1, None)
        assert [s["seat"] for s in proposal["seats"]] == [1, 2, 3]
        names = {str(u.id): u.display_name for u in pool}
        assert {s["user_id"]: s["display_name"] for s in proposal["seats"]} == names
        assert {(s["available"], s["can_redraw"]) for s in proposal["seats"]} == {(True, True)}
        assert proposal["discretionary_redraws_left"] == 1
        assert proposal["staff_resource"] == {
            "user_id": str(staff.id),
            "display_name": staff.display_name,
        }
        assert response.headers["ETag"] != etag
        assert response.headers["ETag"] == await status_etag(client, headers, case.id)
        committee = await db.scalar(select(Committee))
        assert committee is not None and committee.status is CommitteeStatus.proposed
        assert committee.staff_resource_id == staff.id
        assert await count(db, CommitteeMember) == 3
        assert await count(db, TimelineEvent, TimelineEvent.kind == "committee.proposed") == 1
        assert await count(db, AuditEntry, AuditEntry.action == "committees.propose") == 1
        # Reading it back gives the same panel.
        again = await client.get(committee_url(case.id), headers=headers)
        assert again.status_code == 200 and again.json() == proposal

    @pytest.mark.clause("4.3.1(v)")
    async def test_excluded_ombudspersons_are_never_drawn(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, staff = await ready_to_strike(client, db, passwords)
        await excluded_crowd(db, passwords, case)
        await make_staff_resource(db, passwords, kind=None)
        await make_staff_resource(db, passwords, active=False)
        await make_staff_resource(db, passwords, member=case.complainant)
        headers = await officer(client, db, passwords)
        etag = await status_etag(client, headers, case.id)
        for _ in range(12):
            proposal, etag = await propose_ok(client, headers, case.id, etag)
            assert seat_ids(proposal) == {str(u.id) for u in pool}
            assert proposal["staff_resource"]["user_id"] == str(staff.id)
        assert proposal["version"] == 12

    @pytest.mark.clause("4.3.1(v)")
    async def test_every_exclusion_is_kept_with_every_reason(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        crowd = await excluded_crowd(db, passwords, case)
        both = await make_ombudsperson(db, passwords, trained=False, seated=False)
        await took_part_informally(db, case.id, both)
        headers = await officer(client, db, passwords)
        _, etag = await propose_ok(client, headers, case.id)
        await propose_ok(client, headers, case.id, etag)  # the snapshot is replaced
        rows = await db.execute(select(CommitteeExclusion.user_id, CommitteeExclusion.reason))
        expected = {
            (crowd[0].id, R.took_part_informally),
            (crowd[1].id, R.declared_conflict),
            (crowd[2].id, R.party_or_witness),
            (crowd[3].id, R.party_or_witness),
            (crowd[4].id, R.inactive),
            (crowd[5].id, R.untrained),
            (crowd[6].id, R.no_current_seat),
            (both.id, R.took_part_informally),
            (both.id, R.untrained),
            (both.id, R.no_current_seat),
            (case.intake.id, R.intake_ombudsperson),
            (case.intake.id, R.untrained),
            (case.intake.id, R.no_current_seat),
        }
        found = [tuple(r) for r in rows.all()]
        assert sorted(found, key=str) == sorted(expected, key=str)

    @pytest.mark.clause("4.3.1(v)")
    async def test_too_few_eligible_is_a_clear_error_and_saves_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        await eligible_pool(db, passwords, 2)
        crowd = await excluded_crowd(db, passwords, case)
        await make_staff_resource(db, passwords)
        headers = await officer(client, db, passwords)
        etag = await status_etag(client, headers, case.id)
        response = await propose(client, headers, case.id, etag)
        body = problem(response, 409)
        assert body["detail"] == (
            "Only 2 ombudspersons are eligible to sit on this Complaint Review Committee; "
            "3 are needed."
        )
        assert (body["eligible"], body["needed"]) == (2, 3)
        assert error_fields(body) == [("committee", "enough_eligible")]
        for person in crowd:
            assert person.display_name not in response.text
            assert str(person.id) not in response.text
        for reason in ExclusionReason:
            assert reason.value not in response.text
        assert await nothing_saved(db)
        assert await status_etag(client, headers, case.id) == etag

    @pytest.mark.clause("4.3.1(v)")
    async def test_a_failed_redraft_keeps_the_last_proposal(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, _ = await ready_to_strike(client, db, passwords)
        headers = await officer(client, db, passwords)
        first, etag = await propose_ok(client, headers, case.id)
        pool[0].is_active = False
        await db.commit()
        body = problem(await propose(client, headers, case.id, etag), 409)
        assert body["detail"].startswith("Only 2 ombudspersons are eligible")
        kept = (await client.get(committee_url(case.id), headers=headers)).json()
        # The same panel; the member who can no longer sit shows as such, to be redrawn.
        assert [(s["seat"], s["user_id"]) for s in kept["seats"]] == [
            (s["seat"], s["user_id"]) for s in first["seats"]
        ]
        assert {s["user_id"]: s["available"] for s in kept["seats"]} == {
            str(u.id): u is not pool[0] for u in pool
        }
        assert kept["version"] == first["version"]
        assert await count(db, CommitteeMember) == 3

    @pytest.mark.clause("4.3.1(v)")
    async def test_a_second_proposal_replaces_the_first(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, _ = await ready_to_strike(client, db, passwords, pool=5)
        _, first = await signed_in(db, passwords, client, Role.table_officer)
        second_officer, second = await signed_in(db, passwords, client, Role.table_officer)
        one, etag = await propose_ok(client, first, case.id)
        two, _ = await propose_ok(client, second, case.id, etag)
        assert (one["version"], two["version"]) == (1, 2)
        committees = (await db.scalars(select(Committee))).all()
        assert len(committees) == 1 and committees[0].proposed_by == second_officer.id
        members = (await db.scalars(select(CommitteeMember.user_id))).all()
        assert {str(m) for m in members} == seat_ids(two)
        assert seat_ids(two) <= {str(u.id) for u in pool}

    @pytest.mark.clause("4.3.1(v)")
    async def test_the_work_is_spread_fewest_seats_first(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        busy = await make_ombudsperson(db, passwords, name="Busy")
        less_busy = await make_ombudsperson(db, passwords, name="Less busy")
        was_busy = await make_ombudsperson(db, passwords, name="Was busy")
        idle = await eligible_pool(db, passwords, 2)
        staff = await make_staff_resource(db, passwords)
        staff_busy = await make_staff_resource(db, passwords)
        other = await open_case(client, db, passwords, stage=Stage.investigation)
        await confirmed_crc(db, other.id, busy, less_busy, staff=staff_busy)
        other = await open_case(client, db, passwords, stage=Stage.conclusions)
        await confirmed_crc(db, other.id, busy)
        for _ in range(2):  # seats on CRCs of closed complaints are not current
            closed = await open_case(client, db, passwords, stage=Stage.closed)
            await confirmed_crc(db, closed.id, was_busy)
        headers = await officer(client, db, passwords)
        etag = await status_etag(client, headers, case.id)
        for _ in range(10):
            proposal, etag = await propose_ok(client, headers, case.id, etag)
            # None of the three has a current seat: they are drawn first, always.
            assert seat_ids(proposal) == {str(u.id) for u in (was_busy, *idle)}
            assert proposal["staff_resource"]["user_id"] == str(staff.id)
        # A redraw takes the one with one seat before the one with two.
        redraw = committee_url(case.id, "proposal/seats/1/redraw")
        response = await client.post(redraw, headers={**headers, "If-Match": etag})
        assert response.status_code == 200, response.text
        assert response.json()["seats"][0]["user_id"] == str(less_busy.id)

    @pytest.mark.clause("4.3.1(v)")
    async def test_staff_resources_of_no_allowed_kind_are_never_drawn(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        await eligible_pool(db, passwords, 3)
        await make_staff_resource(db, passwords, kind=None)
        headers = await officer(client, db, passwords)
        etag = await status_etag(client, headers, case.id)
        body = problem(await propose(client, headers, case.id, etag), 409)
        assert error_fields(body) == [("staff_resource_id", "eligible_staff_resource_available")]
        assert await nothing_saved(db)
        equality = await make_staff_resource(
            db, passwords, kind=StaffResourceKind.equality_representative
        )
        for _ in range(5):
            proposal, etag = await propose_ok(client, headers, case.id, etag)
            assert proposal["staff_resource"]["user_id"] == str(equality.id)

    @pytest.mark.clause("4.3.1(v)")
    async def test_an_officer_may_choose_the_staff_resource(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        chosen = await make_staff_resource(
            db, passwords, kind=StaffResourceKind.equality_representative
        )
        headers = await officer(client, db, passwords)
        proposal, _ = await propose_ok(client, headers, case.id, staff_resource_id=chosen.id)
        assert proposal["staff_resource"]["user_id"] == str(chosen.id)

    @pytest.mark.clause("4.3.1(v)")
    async def test_choosing_someone_who_is_not_an_eligible_staff_resource_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, _ = await ready_to_strike(client, db, passwords)
        no_kind = await make_staff_resource(db, passwords, kind=None)
        party = await make_staff_resource(db, passwords, member=case.other_party)
        headers = await officer(client, db, passwords)
        etag = await status_etag(client, headers, case.id)
        for user_id in (no_kind.id, party.id, pool[0].id, uuid.uuid4()):
            response = await propose(client, headers, case.id, etag, staff_resource_id=user_id)
            body = problem(response, 422)
            assert error_fields(body) == [("staff_resource_id", "eligible_staff_resource")]
        assert await nothing_saved(db)

    async def test_unknown_fields_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, _ = await ready_to_strike(client, db, passwords)
        headers = await officer(client, db, passwords)
        etag = await status_etag(client, headers, case.id)
        response = await client.post(
            committee_url(case.id),
            json={"members": [str(pool[0].id)]},
            headers={**headers, "If-Match": etag},
        )
        assert ("members", "extra_forbidden") in error_fields(problem(response, 422))
        assert await nothing_saved(db)

    @pytest.mark.clause("4.3.1(v)")
    async def test_only_while_a_crc_must_be_struck(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        other = await open_case(client, db, passwords, stage=Stage.investigation)
        headers = await officer(client, db, passwords)
        etag = await status_etag(client, headers, other.id)
        body = problem(await propose(client, headers, other.id, etag), 409)
        assert (body["stage"], body["type"].rsplit("/", 1)[1]) == (
            "investigation",
            "stage-not-allowed",
        )
        assert await nothing_saved(db)
        assert case.id != other.id
