"""Planted-name leak scan (5.1, 4.3.1(iv)).

Canaries fill every identifying or narrative place of three complaints and a consultation
(world.py); every operation of the OpenAPI document is sent as every principal, aimed at
the canary complaints (scan.py); every response body and header, every calendar feed, the
OpenAPI document, every log record (root logger at DEBUG), what uvicorn's access log would
print, and every column of every audit row are searched. A canary may appear only where the
principal may see it (views.py); never in logs or the audit log.

Known leaks are listed in KNOWN, each with the fix it needs in the application; a strict
xfail per finding proves it still happens, and the surface's test fails on any other hit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.security.leaks.canaries import Hit, table
from tests.security.leaks.scan import Scan
from tests.security.leaks.world import World

Scanned = tuple[World, Scan]


@dataclass(frozen=True)
class Known:
    surface: str
    matches: Callable[[Hit], bool]
    reason: str
    backend: str | None = None  # only on this backend


# Findings fixed so far: L1 (driver DEBUG logs), L2 (query strings in the access log), L3
# (raw path ids in the audit log). A new known leak goes here with its reason.
KNOWN: dict[str, Known] = {}


def unexpected(scan: Scan, surface: str, backend: str) -> list[Hit]:
    known = [k for k in KNOWN.values() if k.surface == surface and k.backend in (None, backend)]
    return [h for h in scan.hits[surface] if not any(k.matches(h) for k in known)]


@pytest.mark.clause("5.1")
async def test_responses_reveal_nothing_beyond_each_principals_view(
    leak_scan: Scanned, backend: str
) -> None:
    hits = unexpected(leak_scan[1], "responses", backend)
    assert hits == [], table(hits)


@pytest.mark.clause("4.3.1(iv)")
async def test_calendar_feeds_reveal_nothing_beyond_their_owners_view(
    leak_scan: Scanned, backend: str
) -> None:
    hits = unexpected(leak_scan[1], "feeds", backend)
    assert hits == [], table(hits)


async def test_openapi_document_holds_no_canary(leak_scan: Scanned, backend: str) -> None:
    hits = unexpected(leak_scan[1], "openapi", backend)
    assert hits == [], table(hits)


@pytest.mark.clause("5.1")
async def test_logs_hold_no_canary(leak_scan: Scanned, backend: str) -> None:
    hits = unexpected(leak_scan[1], "logs", backend)
    assert hits == [], table(hits)


@pytest.mark.clause("5.1")
async def test_access_log_lines_hold_no_canary(leak_scan: Scanned, backend: str) -> None:
    hits = unexpected(leak_scan[1], "access log", backend)
    assert hits == [], table(hits)


@pytest.mark.clause("5.1")
async def test_audit_log_holds_no_canary(leak_scan: Scanned, backend: str) -> None:
    hits = unexpected(leak_scan[1], "audit", backend)
    assert hits == [], table(hits)


@pytest.mark.clause("5.1")
async def test_messages_carry_no_canary_but_a_reference_the_recipient_may_see(
    leak_scan: Scanned, backend: str
) -> None:
    """Every e-mail that reached the mail server: headers and both parts, decoded."""
    hits = unexpected(leak_scan[1], "messages", backend)
    assert hits == [], table(hits)


@pytest.mark.parametrize(
    "finding",
    [
        pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=f"{f}: {k.reason}"))
        for f, k in KNOWN.items()
    ],
)
async def test_known_leak_is_gone(leak_scan: Scanned, backend: str, finding: str) -> None:
    known = KNOWN[finding]
    if known.backend not in (None, backend):
        pytest.skip(f"{finding} happens on {known.backend} only")
    hits = [h for h in leak_scan[1].hits[known.surface] if known.matches(h)]
    assert hits == [], table(hits)


async def test_the_scan_drove_every_operation_and_sees_what_each_may_see(
    leak_scan: Scanned,
) -> None:
    """The scan is not vacuous: every operation was sent, and each principal's own view
    came back with the canaries it may see."""
    world, scan = leak_scan
    document = (await world.client.get("/api/openapi.json")).json()
    every = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    assert every - scan.operations == set()
    expected = {
        "intake_ombudsperson": {
            "incident text (A)",
            "letter what took place (A)",
            "attachment file name (A)",
            "other party response (A)",
            "outsider name (A)",
            "member name (A-w)",
            "consultation notes (K)",
        },
        # A went formal: its informal participant keeps its attempt and reference (4.3).
        "informal_participant": {"informal proposal (A)", "reference (A)"},
        "crc_member": {"investigation notes (A)", "findings text (A)", "disclosure content (A)"},
        "staff_resource": {"investigation notes (A)", "recommendation text (A)"},
        "table_officer": {"recommendation text (A)", "reference (A)", "reference (B)"},
        "recused_table_officer": {"reference (A)"},
        "administrator": {
            "member name (A-c)",
            "member number (A-c)",
            "unit name (unit)",
            "reference (A)",  # the disclosure register (5.1)
            "disclosure recipient (A)",
        },
    }
    missing = {
        p: sorted(kinds - scan.seen[p]) for p, kinds in expected.items() if kinds - scan.seen[p]
    }
    assert missing == {}
    assert scan.audit_rows > 100 and scan.log_records > 0
    # Every kind about each of the three complaints reached its people by mail, and the
    # references went where the rules allow them: officers only of complaints they were
    # told of (A, B) and are not recused on (the Recording Secretary is a party on B; the
    # President declared conflicts on all of them in the scan's last steps).
    assert scan.messages >= 3 * 16
    references = scan.message_references
    assert {
        "intake_ombudsperson: A",
        "intake_ombudsperson: C",
        "crc_member: A",
        "officer-treasurer: A",
        "officer-treasurer: B",
    } <= references, sorted(references)
    assert "recused_table_officer: B" not in references
    assert not any(r.startswith(("table_officer:", "officer-treasurer: C")) for r in references)
