"""A draft communication to the data subjects (GDPR Art. 34(2)).

:func:`draft` writes, in clear and plain language, what the controller must
tell the people concerned: what happened, when it came to light, what it may
mean for them, what the controller has done, what they can do themselves and
whom to contact. The frame comes from the library's catalog (``notice.*``),
the kinds of breach, data and harm from the ruleset's catalog
(``value.<fact>.<member>``), and the free-text facts are the controller's own
words, inserted as written.

Whatever a notice needs but the incident does not yet say is shown as a
visible placeholder ("[to be completed: ...]"), so that an incomplete draft
cannot be sent unnoticed. A fact the ruleset does not declare is left out,
unless the notice cannot do without it (Art. 34(2)): then the placeholder
stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachrules.explain import format_instant, member, messages_for, time_zone
from breachrules.i18n import Messages
from breachrules.instants import parse_instant
from breachrules.plaintext import plain
from breachrules.report import Report, is_given

# The facts a notice reads. A ruleset that names them otherwise can be served
# by changing these.
BREACH_DESCRIPTION = "breach_description"
BREACH_TYPES = "breach_types"
DATA_CATEGORIES = "data_categories"
BECAME_AWARE_AT = "became_aware_at"
POSSIBLE_HARMS = "possible_harms"
CONSEQUENCES_DESCRIPTION = "consequences_description"
MEASURES_TAKEN = "measures_taken"
ADVICE_TO_SUBJECTS = "advice_to_subjects"
CONTACT_POINT = "contact_point"

# The plan whose actions are advice to the data subjects.
ADVICE_PLAN = "advice"


def draft(report: Report, locale: str = "en", timezone: str = "Europe/Helsinki") -> str:
    """The draft communication to the data subjects, as plain text."""
    time_zone(timezone)
    a = report.assessment
    _ = messages_for(a, locale)
    facts = a.facts

    def declared(fact: str) -> bool:
        return fact in facts or _.has(f"fact.{fact}")

    def given(fact: str) -> Any:
        value = facts[fact] if is_given(facts, fact) else None
        return plain(value) if isinstance(value, str) else value

    def todo(what: str) -> str:
        return _("notice.placeholder", what=_(what))

    out = [_("notice.subject"), "", _("notice.greeting"), "", _("notice.intro")]

    # What happened
    out += ["", _("notice.what_happened")]
    description = given(BREACH_DESCRIPTION)
    types = given(BREACH_TYPES) if declared(BREACH_TYPES) else None
    if description is not None:
        out.append(str(description))
    elif declared(BREACH_DESCRIPTION) or not types:
        out.append(todo("notice.missing.description"))
    if declared(BREACH_TYPES):
        out += (_members(_, BREACH_TYPES, types, "notice.breach_types") if types
                else [todo("notice.missing.breach_types")])
    if declared(DATA_CATEGORIES):
        categories = given(DATA_CATEGORIES)
        out += (_members(_, DATA_CATEGORIES, categories, "notice.data_categories") if categories
                else [todo("notice.missing.data_categories")])
    if declared(BECAME_AWARE_AT):
        aware = given(BECAME_AWARE_AT)
        when = _instant(aware, locale, timezone)
        out.append(_("notice.discovered", when=when) if when else todo("notice.missing.became_aware_at"))

    # What it may mean
    out += ["", _("notice.consequences")]
    harms = given(POSSIBLE_HARMS) if declared(POSSIBLE_HARMS) else None
    consequences = given(CONSEQUENCES_DESCRIPTION) if declared(CONSEQUENCES_DESCRIPTION) else None
    if harms:
        out += _members(_, POSSIBLE_HARMS, harms, "notice.harms")
    if consequences is not None:
        out.append(str(consequences))
    if not harms and consequences is None:
        out.append(_("notice.no_harms"))

    # What the controller has done
    out += ["", _("notice.measures")]
    measures = given(MEASURES_TAKEN)
    out.append(str(measures) if measures is not None else todo("notice.missing.measures_taken"))

    # What the data subjects can do
    advice_actions = report.actions_in(ADVICE_PLAN)
    advice_text = given(ADVICE_TO_SUBJECTS) if declared(ADVICE_TO_SUBJECTS) else None
    if advice_actions or declared(ADVICE_TO_SUBJECTS) or any(p == ADVICE_PLAN for p, _phases in report.plans):
        out += ["", _("notice.advice")]
        for action in advice_actions:
            line = "- " + _(action.message)
            if not action.certain:
                line += " " + _("notice.uncertain")
            out.append(line)
        if advice_text is not None:
            out.append(str(advice_text))
        if not advice_actions and advice_text is None:
            out.append(todo("notice.missing.advice"))

    # Whom to contact
    out += ["", _("notice.contact"), _("notice.contact.lead")]
    contact = given(CONTACT_POINT)
    out.append(str(contact) if contact is not None else todo("notice.missing.contact_point"))
    out += ["", _("notice.complaint")]
    return "\n".join(out) + "\n"


def _members(_: Messages, fact: str, values: Any, lead: str) -> list[str]:
    """A lead-in line and the members, one a line, in the reader's language."""
    items = values if isinstance(values, list | tuple | set | frozenset) else [values]
    lines = [_(lead)]
    for item in items:
        lines.append("- " + member(_, fact, str(item)))
    return lines


def _instant(value: Any, locale: str, timezone: str) -> str | None:
    if isinstance(value, datetime):
        instant: datetime | None = value
    elif isinstance(value, str):
        try:
            instant = parse_instant(value)
        except ValueError:
            return None
    else:
        return None
    if instant is None or instant.tzinfo is None:
        return None
    return format_instant(instant, locale, timezone, sentence=True)
