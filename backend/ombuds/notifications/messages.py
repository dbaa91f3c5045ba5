"""What an e-mail says: that something needs the person, its due date, the case reference
(unless `notifications_include_reference` is off) and a link to sign in. Nothing else: no
name, no circumstance, no stage detail, no free text, in the subject line as in the body.

One Jinja2 template (templates/message.j2) renders both parts: the plain text, and the HTML
(the same source with `html` set, autoescaped). English or French (Canadian), by the
person's `language`; dates written the way each language writes them (Babel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from jinja2 import Environment, PackageLoader, StrictUndefined

from ombuds.models import NotificationKind

LANGUAGES = ("en", "fr")
LOCALES = {"en": "en_CA", "fr": "fr_CA"}
SIGN_IN_PATH = "/sign-in"

K = NotificationKind


@dataclass(frozen=True)
class Wording:
    subject: str
    sentence: str  # without a date
    dated: str  # with "{due}"


# kind -> language -> wording. Each says what kind of thing needs the person, never which
# person, what happened, or where the complaint stands beyond that.
WORDING: dict[NotificationKind, dict[str, Wording]] = {
    K.response_approaching: {
        "en": Wording(
            "A response period is ending soon",
            "The response period on a complaint you handle is ending soon.",
            "The response period on a complaint you handle ends on {due}.",
        ),
        "fr": Wording(
            "Un délai de réponse arrive à échéance",
            "Le délai de réponse d’une plainte dont vous êtes responsable arrive à échéance.",
            "Le délai de réponse d’une plainte dont vous êtes responsable prend fin le {due}.",
        ),
    },
    K.response_due_today: {
        "en": Wording(
            "A response period ends today",
            "The response period on a complaint you handle ends today.",
            "The response period on a complaint you handle ends today, {due}.",
        ),
        "fr": Wording(
            "Un délai de réponse prend fin aujourd’hui",
            "Le délai de réponse d’une plainte dont vous êtes responsable prend fin aujourd’hui.",
            "Le délai de réponse d’une plainte dont vous êtes responsable prend fin "
            "aujourd’hui, le {due}.",
        ),
    },
    K.response_lapsed: {
        "en": Wording(
            "A response period has ended",
            "The response period on a complaint you handle has ended.",
            "The response period on a complaint you handle ended on {due}.",
        ),
        "fr": Wording(
            "Un délai de réponse est expiré",
            "Le délai de réponse d’une plainte dont vous êtes responsable est expiré.",
            "Le délai de réponse d’une plainte dont vous êtes responsable a pris fin le {due}.",
        ),
    },
    K.response_recorded: {
        "en": Wording(
            "A response was recorded",
            "A response was recorded on a complaint you handle.",
            "A response was recorded on a complaint you handle on {due}.",
        ),
        "fr": Wording(
            "Une réponse a été consignée",
            "Une réponse a été consignée dans une plainte dont vous êtes responsable.",
            "Une réponse a été consignée le {due} dans une plainte dont vous êtes responsable.",
        ),
    },
    K.complainant_not_satisfied: {
        "en": Wording(
            "A member-complainant is not satisfied",
            "A member-complainant said in the portal that they are not satisfied with the "
            "conclusions of a complaint you handle.",
            "A member-complainant said in the portal on {due} that they are not satisfied with "
            "the conclusions of a complaint you handle.",
        ),
        "fr": Wording(
            "Un membre plaignant n’est pas satisfait",
            "Un membre plaignant a indiqué dans le portail qu’il n’est pas satisfait des "
            "conclusions d’une plainte dont vous êtes responsable.",
            "Un membre plaignant a indiqué dans le portail le {due} qu’il n’est pas satisfait "
            "des conclusions d’une plainte dont vous êtes responsable.",
        ),
    },
    K.officer_notice_approaching: {
        "en": Wording(
            "A notice to the table officers is due soon",
            "The notice to the table officers on a complaint you handle is due soon.",
            "The notice to the table officers on a complaint you handle is due on {due}.",
        ),
        "fr": Wording(
            "Un avis aux dirigeants est bientôt dû",
            "L’avis aux dirigeants d’une plainte dont vous êtes responsable est bientôt dû.",
            "L’avis aux dirigeants d’une plainte dont vous êtes responsable est dû le {due}.",
        ),
    },
    K.officer_notice_due_today: {
        "en": Wording(
            "A notice to the table officers is due today",
            "The notice to the table officers on a complaint you handle is due today.",
            "The notice to the table officers on a complaint you handle is due today, {due}.",
        ),
        "fr": Wording(
            "Un avis aux dirigeants est dû aujourd’hui",
            "L’avis aux dirigeants d’une plainte dont vous êtes responsable est dû aujourd’hui.",
            "L’avis aux dirigeants d’une plainte dont vous êtes responsable est dû "
            "aujourd’hui, le {due}.",
        ),
    },
    K.officer_notice_lapsed: {
        "en": Wording(
            "A notice to the table officers is overdue",
            "The notice to the table officers on a complaint you handle is overdue.",
            "The notice to the table officers on a complaint you handle was due on {due}.",
        ),
        "fr": Wording(
            "Un avis aux dirigeants est en retard",
            "L’avis aux dirigeants d’une plainte dont vous êtes responsable est en retard.",
            "L’avis aux dirigeants d’une plainte dont vous êtes responsable était dû le {due}.",
        ),
    },
    K.party_notices_owed: {
        "en": Wording(
            "Notices to the parties are still owed",
            "Notices to the parties on a complaint you handle are still owed.",
            "Notices to the parties on a complaint you handle are still owed since {due}.",
        ),
        "fr": Wording(
            "Des avis aux parties sont toujours dus",
            "Des avis aux parties d’une plainte dont vous êtes responsable sont toujours dus.",
            "Des avis aux parties d’une plainte dont vous êtes responsable sont dus depuis "
            "le {due}.",
        ),
    },
    K.destruction_approaching: {
        "en": Wording(
            "A record is due for destruction",
            "A record of a complaint you handle is due for destruction.",
            "A record of a complaint you handle is due for destruction on {due}.",
        ),
        "fr": Wording(
            "Un dossier doit être détruit",
            "Un dossier d’une plainte dont vous êtes responsable doit être détruit.",
            "Un dossier d’une plainte dont vous êtes responsable doit être détruit le {due}.",
        ),
    },
    K.committee_to_strike: {
        "en": Wording(
            "A Complaint Review Committee needs to be struck",
            "A Complaint Review Committee needs to be struck.",
            "A Complaint Review Committee needs to be struck by {due}.",
        ),
        "fr": Wording(
            "Un comité d’examen des plaintes doit être formé",
            "Un comité d’examen des plaintes doit être formé.",
            "Un comité d’examen des plaintes doit être formé d’ici le {due}.",
        ),
    },
    K.panel_conflict_declared: {
        "en": Wording(
            "A committee seat needs to be filled again",
            "A member drawn for a Complaint Review Committee is no longer eligible; the "
            "seat needs to be filled again.",
            "A member drawn for a Complaint Review Committee is no longer eligible; the "
            "seat needs to be filled again by {due}.",
        ),
        "fr": Wording(
            "Un siège de comité doit être pourvu de nouveau",
            "Une personne tirée au sort pour un comité d’examen des plaintes n’est plus "
            "admissible; le siège doit être pourvu de nouveau.",
            "Une personne tirée au sort pour un comité d’examen des plaintes n’est plus "
            "admissible; le siège doit être pourvu de nouveau d’ici le {due}.",
        ),
    },
    K.recommendations_disclosed: {
        "en": Wording(
            "Recommendations were disclosed for implementation",
            "Recommendations were disclosed to the table officers for implementation.",
            "Recommendations were disclosed to the table officers for implementation on {due}.",
        ),
        "fr": Wording(
            "Des recommandations ont été communiquées pour mise en œuvre",
            "Des recommandations ont été communiquées aux dirigeants pour mise en œuvre.",
            "Des recommandations ont été communiquées aux dirigeants pour mise en œuvre le {due}.",
        ),
    },
    K.policy_review_approaching: {
        "en": Wording(
            "The policy review is approaching",
            "The review of the Harassment Prevention Policy is approaching.",
            "The review of the Harassment Prevention Policy is due on {due}.",
        ),
        "fr": Wording(
            "La révision de la politique approche",
            "La révision de la politique de prévention du harcèlement approche.",
            "La révision de la politique de prévention du harcèlement est due le {due}.",
        ),
    },
    K.portal_message_received: {
        "en": Wording(
            "A message is waiting in the portal",
            "A party to a complaint you work on sent a message through the portal.",
            "A party to a complaint you work on sent a message through the portal on {due}.",
        ),
        "fr": Wording(
            "Un message vous attend dans le portail",
            "Une partie à une plainte dont vous vous occupez a envoyé un message par le portail.",
            "Une partie à une plainte dont vous vous occupez a envoyé un message par le portail "
            "le {due}.",
        ),
    },
    K.committee_appointed: {
        "en": Wording(
            "You were appointed to a Complaint Review Committee",
            "You were appointed to a Complaint Review Committee.",
            "You were appointed to a Complaint Review Committee; its report is due on {due}.",
        ),
        "fr": Wording(
            "Vous avez été nommé à un comité d’examen des plaintes",
            "Vous avez été nommé à un comité d’examen des plaintes.",
            "Vous avez été nommé à un comité d’examen des plaintes; son rapport est dû le {due}.",
        ),
    },
    K.report_approaching: {
        "en": Wording(
            "A committee report is due soon",
            "The report of a Complaint Review Committee you sit on is due soon.",
            "The report of a Complaint Review Committee you sit on is due on {due}.",
        ),
        "fr": Wording(
            "Un rapport de comité est bientôt dû",
            "Le rapport d’un comité d’examen des plaintes dont vous êtes membre est bientôt dû.",
            "Le rapport d’un comité d’examen des plaintes dont vous êtes membre est dû le {due}.",
        ),
    },
    K.report_lapsed: {
        "en": Wording(
            "A committee report is overdue",
            "The report of a Complaint Review Committee you sit on is overdue.",
            "The report of a Complaint Review Committee you sit on was due on {due}.",
        ),
        "fr": Wording(
            "Un rapport de comité est en retard",
            "Le rapport d’un comité d’examen des plaintes dont vous êtes membre est en retard.",
            "Le rapport d’un comité d’examen des plaintes dont vous êtes membre était dû le {due}.",
        ),
    },
    K.witness_availability: {
        "en": Wording(
            "A witness gave their availability",
            "A witness gave their availability in the portal, for a Complaint Review Committee "
            "you sit on.",
            "A witness gave their availability in the portal on {due}, for a Complaint Review "
            "Committee you sit on.",
        ),
        "fr": Wording(
            "Un témoin a indiqué ses disponibilités",
            "Un témoin a indiqué ses disponibilités dans le portail, pour un comité d’examen "
            "des plaintes dont vous êtes membre.",
            "Un témoin a indiqué ses disponibilités dans le portail le {due}, pour un comité "
            "d’examen des plaintes dont vous êtes membre.",
        ),
    },
}

# The words around the sentences.
FRAME: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Ombuds: {what}",
        "intro": "Something in Ombuds needs you.",
        "digest_intro": "These things in Ombuds need you:",
        "reference": "Case reference: {reference}.",
        "sign_in": "Sign in to see it:",
        "sign_in_digest": "Sign in to see them:",
        "why": "This message says no more, to keep the procedure confidential. "
        "You can choose a daily digest, or turn some messages off, in Ombuds.",
        "digest_subject": "{count} things need you",
    },
    "fr": {
        "subject": "Ombuds : {what}",
        "intro": "Un élément dans Ombuds requiert votre attention.",
        "digest_intro": "Ces éléments dans Ombuds requièrent votre attention :",
        "reference": "Référence du dossier : {reference}.",
        "sign_in": "Connectez-vous pour le consulter :",
        "sign_in_digest": "Connectez-vous pour les consulter :",
        "why": "Ce message n’en dit pas plus, afin de préserver la confidentialité de la "
        "procédure. Dans Ombuds, vous pouvez choisir un résumé quotidien ou désactiver "
        "certains messages.",
        "digest_subject": "{count} éléments requièrent votre attention",
    },
}


@dataclass(frozen=True)
class Item:
    """One notification as a message tells it."""

    kind: NotificationKind
    due_on: date | None = None
    reference: str | None = None  # left out unless the setting and the role allow it


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    language: str


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else "en"


def format_day(day: date, language: str) -> str:
    return format_date(day, format="full", locale=LOCALES[language])


def sentence(item: Item, language: str) -> str:
    wording = WORDING[item.kind][language]
    if item.due_on is None:
        return wording.sentence
    return wording.dated.format(due=format_day(item.due_on, language))


def sign_in_link(public_url: str) -> str:
    return public_url.rstrip("/") + SIGN_IN_PATH


def _environment(html: bool) -> Environment:
    return Environment(
        loader=PackageLoader("ombuds.notifications", "templates"),
        autoescape=html,  # noqa: S701 - plain text is not HTML; the HTML part escapes
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_TEXT, _HTML = _environment(html=False), _environment(html=True)
TEMPLATE = "message.j2"


def render(items: list[Item], language: str | None, public_url: str) -> Message:
    """One message for `items`: a single notification's, or a digest of several."""
    if not items:
        raise ValueError("a message tells at least one notification")
    lang = language_of(language)
    frame = FRAME[lang]
    digest = len(items) > 1
    if digest:
        what = frame["digest_subject"].format(count=len(items))
    else:
        what = WORDING[items[0].kind][lang].subject
    subject = frame["subject"].format(what=what)
    values = {
        "lang": lang,
        "subject": subject,
        "frame": frame,
        "digest": digest,
        "lines": [
            " ".join(
                [sentence(item, lang)]
                + ([frame["reference"].format(reference=item.reference)] if item.reference else [])
            )
            for item in items
        ],
        "link": sign_in_link(public_url),
    }
    return Message(
        subject=subject,
        text=_TEXT.get_template(TEMPLATE).render(html=False, **values),
        html=_HTML.get_template(TEMPLATE).render(html=True, **values),
        language=lang,
    )
