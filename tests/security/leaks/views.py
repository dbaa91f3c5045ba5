"""Who may see which canary, from the policy (POLICY.md "People and roles", 4.3.1(iv),
4.3.1(v), 5.1), computed from the database as it stands, independently of the
application's own access functions:

- a complaint's case workers (its intake ombudsperson, the ombudspersons who took part in
  an informal attempt while no formal route is chosen, its confirmed CRC and that CRC's
  staff resource; never someone who is a party or a witness on it) see its content;
- from the formal route on (4.3), an ombudsperson who only took part in an informal
  attempt sees the complaint's reference and the attempts they took part in;
- table officers who are not recused see that it exists (its reference) once they were
  told, and the recommendations disclosed to them;
- integrations see deadlines by reference;
- the ombudsperson who held a consultation sees it;
- administrators see complaint references in the disclosure register and in the
  retention routes (holds, scheduled destructions, the destruction register: 5.1);
- the member directory belongs to directory operations (administrators keep it), and to
  the case workers of the complaints its people are on;
- an e-mail notification carries the reference at most, to those who may see it;
- nobody else sees anything, and logs and the audit log hold nothing."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.models import (
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    ComplaintPerson,
    Consultation,
    Disclosure,
    DisclosureRecipient,
    InformalParticipant,
    OfficerConflict,
    Recommendation,
    Role,
    User,
    UserRole,
)
from tests.security.leaks.canaries import Canary, Scope

DIRECTORY_TAGS = {"members", "units", "roster", "users"}
# E-mail notifications (docs/notifications.md): the reference at most, to those who may
# see it (case workers, officers once told and not recused); no other canary, ever.
MESSAGES_TAG = "messages"
# The in-app notifications: the same rule as the e-mails.
NOTIFICATIONS_TAG = "notifications"
OFFICER_TAGS = {
    "status",
    "recommendations",
    "deadlines",
    "calendar",
    "feeds",
    MESSAGES_TAG,
    NOTIFICATIONS_TAG,
}
DEADLINE_TAGS = {"deadlines", "calendar", "feeds"}
REGISTER_TAG = "disclosures"  # the administrators' disclosure register (5.1)
# The administrators' destruction register, holds and scheduled destructions (5.1):
# references, classes and dates, never content (docs/retention.md).
RETENTION_TAG = "retention"


@dataclass
class Views:
    complaint_ids: dict[str, str]  # complaint key -> id
    consultation_holder: dict[str, str] = field(default_factory=dict)  # key -> user id
    workers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    participants: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    officers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    recipients: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def may_see(self, principal: str, user_id: str | None, canary: Canary, tag: str) -> bool:
        if principal == "anonymous":
            return False
        if tag == MESSAGES_TAG and canary.scope is not Scope.reference:
            return False
        if principal == "integration":
            return canary.scope is Scope.reference and tag in DEADLINE_TAGS
        owner = canary.owner.split("-")[0]
        worker = user_id is not None and (
            user_id in self.workers[owner]
            or (canary.owner == "unit" and any(user_id in w for w in self.workers.values()))
        )
        took_part = user_id is not None and user_id in self.participants[owner]
        match canary.scope:
            case Scope.complaint:
                return worker
            case Scope.attempt:
                return worker or took_part
            case Scope.recommendation:
                return worker or (tag == "recommendations" and user_id in self.recipients[owner])
            case Scope.consultation:
                return user_id is not None and user_id == self.consultation_holder.get(owner)
            case Scope.directory:
                return tag in DIRECTORY_TAGS or worker
            case Scope.reference:
                return (
                    worker
                    or (took_part and tag not in DEADLINE_TAGS)
                    or (tag in OFFICER_TAGS and user_id in self.officers[owner])
                    or (tag in (REGISTER_TAG, RETENTION_TAG) and principal == "administrator")
                )
            case Scope.recipient:
                return worker or (tag == REGISTER_TAG and principal == "administrator")


async def compute(
    db: AsyncSession, complaint_ids: dict[str, str], consultations: dict[str, str]
) -> Views:
    views = Views(complaint_ids)
    for key, cid in consultations.items():
        views.consultation_holder[key] = str(
            await db.scalar(
                select(Consultation.ombudsperson_id).where(Consultation.id == uuid.UUID(cid))
            )
        )
    officers = (
        await db.execute(
            select(User.id, User.member_id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.table_officer, User.is_active)
        )
    ).all()
    members_of = {str(u): m for u, m in (await db.execute(select(User.id, User.member_id))).all()}
    for key, cid in complaint_ids.items():
        complaint = await db.get(Complaint, uuid.UUID(cid))
        assert complaint is not None
        people = set(
            (
                await db.scalars(
                    select(ComplaintPerson.member_id).where(
                        ComplaintPerson.complaint_id == complaint.id
                    )
                )
            ).all()
        )
        involved = {str(complaint.intake_ombudsperson_id)}
        took_part = {
            str(u)
            for u in (
                await db.scalars(
                    select(InformalParticipant.user_id).where(
                        InformalParticipant.complaint_id == complaint.id
                    )
                )
            ).all()
        }
        if complaint.formal_route is None:  # 4.3: after it, their attempts only
            involved |= took_part
        committee = await db.scalar(
            select(Committee).where(
                Committee.complaint_id == complaint.id,
                Committee.status == CommitteeStatus.confirmed,
            )
        )
        if committee is not None:
            involved |= {
                str(u)
                for u in (
                    await db.scalars(
                        select(CommitteeMember.user_id).where(
                            CommitteeMember.committee_id == committee.id
                        )
                    )
                ).all()
            }
            if committee.staff_resource_id is not None:
                involved.add(str(committee.staff_resource_id))
        # 5.1: never a party or a witness, whatever else they are.
        views.workers[key] = {
            u for u in involved if members_of.get(u) is None or members_of[u] not in people
        }
        views.participants[key] = {
            u for u in took_part if members_of.get(u) is None or members_of[u] not in people
        }
        declared = {
            str(u)
            for u in (
                await db.scalars(
                    select(OfficerConflict.user_id).where(
                        OfficerConflict.complaint_id == complaint.id
                    )
                )
            ).all()
        }
        if complaint.table_officers_notified_on is not None:
            views.officers[key] = {
                str(u)
                for u, m in officers
                if str(u) not in declared and (m is None or m not in people)
            }
        recipients = await db.scalars(
            select(DisclosureRecipient.user_id)
            .join(Disclosure, Disclosure.id == DisclosureRecipient.disclosure_id)
            .join(Recommendation, Recommendation.disclosure_id == Disclosure.id)
            .where(Disclosure.complaint_id == complaint.id)
        )
        views.recipients[key] = {
            str(u) for u in recipients.all() if u is not None
        } & views.officers[key]
    return views
