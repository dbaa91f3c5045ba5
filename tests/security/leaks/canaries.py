"""Canaries: unique strings planted in every identifying or narrative place, and the search
for them in everything the service says, logs or stores.

A canary is letters and digits only (`CNRY` + a number + a kind tag), so no encoding the
service might apply (JSON, URL, RFC 8187 file names, e-mail case folding) hides it; the
search ignores case."""

from __future__ import annotations

import base64
import itertools
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum


class Scope(StrEnum):
    """Who may see a canary, besides nobody at all in logs and the audit log."""

    complaint = "complaint"  # the complaint's case workers (`owner`: complaint key)
    recommendation = "recommendation"  # case workers, and officers it was disclosed to
    attempt = "attempt"  # case workers, and the ombudspersons who took part in the attempt
    consultation = "consultation"  # the ombudsperson who held it (`owner`: its key)
    directory = "directory"  # directory operations; case workers of the member's complaints
    reference = "reference"  # case workers; officers once told; integrations' deadlines;
    # administrators in the disclosure register (5.1)
    recipient = "recipient"  # case workers; administrators in the disclosure register (5.1)


@dataclass(frozen=True)
class Canary:
    text: str
    kind: str  # what the planted value is, e.g. "incident text"
    scope: Scope
    owner: str  # complaint or consultation key ("A", "B", "C", "K"), or a member/unit key


@dataclass(frozen=True)
class Hit:
    principal: str
    operation: str
    where: str
    canary: Canary

    def row(self) -> tuple[str, str, str, str]:
        return (
            self.principal,
            self.operation,
            self.where,
            f"{self.canary.kind} ({self.canary.owner})",
        )


@dataclass
class Registry:
    items: dict[str, Canary] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _pattern: re.Pattern[str] | None = None

    def new(self, kind: str, scope: Scope, owner: str) -> str:
        tag = "".join(w[0] for w in kind.split()).upper()[:4]
        text = f"CNRY{next(self._numbers):03d}{tag}Q"
        self.items[text.lower()] = Canary(text, kind, scope, owner)
        self._pattern = None
        return text

    def adopt(self, text: str, kind: str, scope: Scope, owner: str) -> None:
        """A value the service chose (a complaint's reference) that must stay as private."""
        self.items[text.lower()] = Canary(text, kind, scope, owner)
        self._pattern = None

    def sentence(self, kind: str, scope: Scope, owner: str) -> str:
        """A planted value that reads like the field it fills."""
        return f"Planted {kind} {self.new(kind, scope, owner)} for the leak scan."

    def find(self, text: str) -> list[Canary]:
        if not self.items or not text:
            return []
        if self._pattern is None:
            self._pattern = re.compile("|".join(re.escape(k) for k in self.items), re.IGNORECASE)
        return [self.items[m.group(0).lower()] for m in self._pattern.finditer(text)]


def decoded(text: str) -> str:
    """The text, plus any opaque cursor in a JSON body decoded (a keyset cursor may carry
    the last row's name)."""
    extra = []
    try:
        body = json.loads(text)
    except ValueError:
        return text
    if isinstance(body, dict) and isinstance(body.get("next_cursor"), str):
        raw = body["next_cursor"]
        try:
            extra.append(
                base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8", "replace")
            )
        except ValueError:
            pass
    return "\n".join([text, *extra])


def as_text(content: bytes) -> str:
    """Bytes as text whatever they are (UTF-8 if possible, Latin-1 otherwise)."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def table(hits: list[Hit]) -> str:
    """A compact table of (principal, operation, where, canary) for a failure message."""
    rows = sorted({h.row() for h in hits})
    if not rows:
        return "no hits"
    widths = [
        max(len(r[i]) for r in [*rows, ("principal", "operation", "where", "canary")])
        for i in range(4)
    ]
    head = ("principal", "operation", "where", "canary")
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows]]
    return f"{len(hits)} hits, {len(rows)} distinct:\n" + "\n".join(lines)
