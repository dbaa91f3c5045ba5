"""What a message says: for every kind, in English and in French, a subject and one
sentence with its due date, the reference only where allowed, a sign-in link from the
public URL; both parts from one template, and nothing else in either."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ombuds.models import NotificationKind
from ombuds.notifications.messages import (
    FRAME,
    LANGUAGES,
    WORDING,
    Item,
    render,
    sentence,
)

pytestmark = pytest.mark.clause("5.1")
URL = "https://ombuds.local500.example.org/"
DUE = date(2027, 1, 4)


def rest(text: str, allowed: list[str]) -> str:
    """What is left of `text` once every allowed piece is taken out."""
    for piece in sorted(allowed, key=len, reverse=True):
        text = text.replace(piece, "")
    return text


class TestWording:
    @pytest.mark.parametrize("kind", list(NotificationKind))
    def test_every_kind_is_worded_in_both_languages(self, kind: NotificationKind) -> None:
        assert set(WORDING[kind]) == set(LANGUAGES)
        for wording in WORDING[kind].values():
            assert wording.subject and "{" not in wording.subject
            assert "{" not in wording.sentence
            assert wording.dated.count("{due}") == 1

    @pytest.mark.parametrize(
        ("language", "expected"),
        [
            (
                "en",
                "The report of a Complaint Review Committee you sit on is due on "
                "Monday, January 4, 2027.",
            ),
            (
                "fr",
                "Le rapport d’un comité d’examen des plaintes dont vous êtes membre est dû "
                "le lundi 4 janvier 2027.",
            ),
        ],
    )
    def test_dates_are_written_the_way_each_language_writes_them(
        self, language: str, expected: str
    ) -> None:
        assert sentence(Item(NotificationKind.report_approaching, DUE), language) == expected

    def test_an_unknown_language_reads_english(self) -> None:
        message = render([Item(NotificationKind.committee_appointed)], "de", URL)
        assert message.language == "en"
        assert message.subject == "Ombuds: You were appointed to a Complaint Review Committee"


class TestRender:
    @pytest.mark.parametrize("language", LANGUAGES)
    @pytest.mark.parametrize("kind", list(NotificationKind))
    def test_one_message_says_only_what_needs_the_person(
        self, kind: NotificationKind, language: str
    ) -> None:
        item = Item(kind, DUE, "C-2027-0042")
        message = render([item], language, URL)
        frame = FRAME[language]
        said = sentence(item, language)
        reference = frame["reference"].format(reference="C-2027-0042")
        link = "https://ombuds.local500.example.org/sign-in"
        assert message.subject == frame["subject"].format(what=WORDING[kind][language].subject)
        assert "C-2027-0042" not in message.subject
        for part in (message.text, message.html):
            assert f"{said} {reference}" in part
            assert part.count(link) == (1 if part is message.text else 2)
        allowed = [frame["intro"], frame["sign_in"], frame["why"], said, reference, link]
        assert rest(message.text, allowed).split() == ["--"]
        markup = re.sub(r"<[^>]+>", " ", rest(message.html, [*allowed, message.subject]))
        assert markup.split() == []

    def test_the_plain_text_has_no_markup_and_the_html_escapes(self) -> None:
        item = Item(NotificationKind.response_recorded, None, "<b>C&1</b>")
        message = render([item], "en", URL)
        assert "<" not in message.text.replace("<b>C&1</b>", "")
        assert "Case reference: &lt;b&gt;C&amp;1&lt;/b&gt;." in message.html
        assert "<b>C&1</b>" not in message.html

    def test_without_a_reference_none_is_named(self) -> None:
        message = render([Item(NotificationKind.policy_review_approaching, DUE)], "fr", URL)
        assert "Référence" not in message.text and "Référence" not in message.html
        assert (
            "La révision de la politique de prévention du harcèlement est due le lundi "
            "4 janvier 2027." in message.text
        )

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_a_digest_lists_each_notification(self, language: str) -> None:
        items = [
            Item(NotificationKind.response_lapsed, DUE, "C-1"),
            Item(NotificationKind.committee_to_strike, None, "C-2"),
            Item(NotificationKind.policy_review_approaching, date(2027, 3, 1)),
        ]
        message = render(items, language, URL)
        frame = FRAME[language]
        assert message.subject == frame["subject"].format(
            what=frame["digest_subject"].format(count=3)
        )
        lines = [line for line in message.text.splitlines() if line.startswith("- ")]
        assert len(lines) == 3 and message.html.count("<li>") == 3
        for item, line in zip(items, lines, strict=True):
            assert line.startswith(f"- {sentence(item, language)}")
            reference = frame["reference"].format(reference=item.reference)
            assert (reference in line) is (item.reference is not None)
        assert frame["digest_intro"] in message.text and frame["sign_in_digest"] in message.html

    def test_nothing_to_say_is_refused(self) -> None:
        with pytest.raises(ValueError):
            render([], "en", URL)
