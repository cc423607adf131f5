"""The shipped rules file and its reasons: loads, covers every country the settings accept,
uses every reason, is translated, and the policy never needs the UI."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from kiosk.config import Settings
from kiosk.policy import reasons
from kiosk.policy.access import RULES_FILE, check_rules, load_rules, policy_for
from kiosk.policy.model import NoAdultProxy
from kiosk.policy.reasons import REASONS
from translations.catalog import Localizer
from translations.extract import missing_in_catalog
from translations.languages import LANGUAGES

ROOT = Path(__file__).resolve().parents[3]


def test_the_bundled_rules_are_valid() -> None:
    assert check_rules() == []
    assert RULES_FILE.parent == ROOT / "kiosk" / "policy"


@pytest.mark.parametrize("country", ["NO", "SE"])
def test_every_country_the_settings_accept_has_rules(country: str) -> None:
    settings = Settings(country=country)
    assert policy_for(settings.country).country == country


def test_every_reason_is_used_by_the_rules() -> None:
    used: set[str] = set()
    for country in load_rules().countries.values():
        proxy = country.adult_proxy
        used |= {proxy.reason} if isinstance(proxy, NoAdultProxy) else set(proxy.reasons.values())
        for band in (*country.guardian, *country.own_access):
            used |= {band.reason, *band.refusals.values()}
    assert used == set(REASONS.values())


@pytest.mark.parametrize("name", sorted(REASONS))
def test_each_reason_is_one_plain_sentence_without_placeholders(name: str) -> None:
    text = REASONS[name]
    assert text.endswith(".") and text[0].isupper()
    assert all(field is None for _, field, _, _ in string.Formatter().parse(text))


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_reason_is_in_every_catalog(lang: str) -> None:
    assert missing_in_catalog(lang, [Path(reasons.__file__)]) == []
    if lang != "en":
        localizer = Localizer(lang)
        untranslated = [m for m in REASONS.values() if localizer.gettext(m) == m]
        assert untranslated == []
