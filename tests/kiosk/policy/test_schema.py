"""One test per rules-file check: each breaks a valid file and expects file, line and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.policy.access import (
    Policy,
    PolicyError,
    PolicyErrors,
    ProxyGrant,
    check_rules,
    load_rules,
    policy_for,
)
from kiosk.policy.model import NoAdultProxy

# Line numbers below refer to this text (line 1 = "areas: ...").
VALID = """\
areas: [appointments, messages, records]
countries:
  "NO":
    adult_proxy:
      available: yes
      giver_min_age: 16
      proxy_min_age: 18
      areas: all
      choices: {appointments: [appointments], reading: [messages, records]}
      blocked_by_confidential_address: yes
      reasons:
        allowed: proxy_allowed
        narrowed: proxy_narrowed
        giver_too_young: proxy_giver_under_16
        proxy_too_young: proxy_under_18
        ended: proxy_ended
        giver_confidential_address: proxy_giver_protected
        confidential_address: proxy_not_here
        nothing_to_give: proxy_giver_lacks_services
        not_covered: proxy_not_covering_service
    guardian:
      - id: small
        from: 0
        until: 12
        areas: all
        reason: parent_all_under_12
      - id: middle
        from: 12
        until: 16
        areas: [appointments]
        reason: parent_some_12_to_15
        refusals:
          messages: child_messages_gp_12_to_15
      - id: grown
        from: 16
        areas: []
        reason: own_matters_from_16
    own_access:
      - id: child
        from: 0
        until: 16
        areas: [appointments]
        reason: own_some_13_to_15
      - id: adult
        from: 16
        areas: all
        reason: own_all_from_16
  "SE":
    adult_proxy: {available: no, reason: no_adult_proxy_sweden}
    guardian:
      - {id: all_ages, from: 0, areas: [], reason: own_matters_from_16}
    own_access:
      - {id: all_ages, from: 0, areas: all, reason: own_all_from_16}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def broken(old: str, new: str) -> str:
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


def problems(tmp_path: Path, text: str) -> list[PolicyError]:
    return check_rules(write(tmp_path, text))


def where(errors: list[PolicyError]) -> list[tuple[int, str | None]]:
    return [(e.line, e.field) for e in errors]


def test_the_valid_file_loads(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, VALID))
    assert rules.areas == ("appointments", "messages", "records")
    assert sorted(rules.countries) == ["NO", "SE"]
    middle = rules.countries["NO"].guardian[1]
    assert (middle.start, middle.end, middle.areas) == (12, 16, {"appointments"})
    assert middle.refusals == {
        "messages": "A child aged 12 to 15 must message the GP office themselves."
    }
    proxy = rules.countries["NO"].adult_proxy
    assert not isinstance(proxy, NoAdultProxy)
    assert proxy.choices == {"appointments": {"appointments"}, "reading": {"messages", "records"}}
    assert rules.countries["SE"].adult_proxy == NoAdultProxy(
        "In Sweden there is no general proxy for adults. You can register a pharmacy proxy at"
        " a pharmacy."
    )


def test_the_error_text_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, broken("proxy_min_age: 18", "proxy_min_age: eighteen"))
    with pytest.raises(PolicyErrors) as caught:
        load_rules(path)
    assert str(caught.value) == (
        f"{path}:7: field 'countries.NO.adult_proxy.proxy_min_age': must be an age in whole"
        " years such as 16, not 'eighteen'."
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ("areas: [appointments, messages, records]", "areas: [appointments, messages, messages]",
         1, "areas", "listed twice"),
        ("areas: [appointments, messages, records]", "areas: []", 1, "areas", "list of area"),
        ("areas: [appointments, messages, records]", "areas: [appointments, all]", 1, "areas",
         "'all' stands for every area"),
        ('  "SE":', '  "NO":', 48, "countries.NO", "appears twice (first on line 3)"),
        ("countries:", "countrys:", 2, "countrys", "Did you mean 'countries'?"),
        ('  "NO":', "  NO:", 3, "countries.NO", 'put the country code in quotes, like "NO"'),
        ('  "SE":', '  "se":', 48, "countries.se", "two capital letters"),
        ("      available: yes", "      available: maybe", 5,
         "countries.NO.adult_proxy.available", "must be yes or no, not 'maybe'"),
        ("      giver_min_age: 16", "      giver_min_age: -1", 6,
         "countries.NO.adult_proxy.giver_min_age", "-1 is not an age"),
        ("      giver_min_age: 16", "      giver_min_age: 200", 6,
         "countries.NO.adult_proxy.giver_min_age", "200 is not an age"),
        ("      giver_min_age: 16\n", "", 4, "countries.NO.adult_proxy.giver_min_age",
         "is missing"),
        ("        ended: proxy_ended\n", "", 11, "countries.NO.adult_proxy.reasons.ended",
         "is missing"),
        ("        ended: proxy_ended", "        ended: proxy_endet", 16,
         "countries.NO.adult_proxy.reasons.ended",
         "there is no reason 'proxy_endet'. Did you mean 'proxy_ended'? Use a name from"
         " kiosk/policy/reasons.py"),
        ("        ended: proxy_ended", "        ended: This proxy has ended.", 16,
         "countries.NO.adult_proxy.reasons.ended", "is not a usable name"),
        ("        ended: proxy_ended", "        ended: ''", 16,
         "countries.NO.adult_proxy.reasons.ended", "is not a usable name"),
        ("      areas: all\n      choices", "      areas: everything\n      choices", 8,
         "countries.NO.adult_proxy.areas", "must be 'all' or a list of areas"),
        ("adult_proxy: {available: no, reason: no_adult_proxy_sweden}",
         "adult_proxy: {available: no, reason: no_adult_proxy_sweden, giver_min_age: 16}", 49,
         "countries.SE.adult_proxy.giver_min_age", "has no field 'giver_min_age'"),
        ("adult_proxy: {available: no, reason: no_adult_proxy_sweden}",
         "adult_proxy: {available: no}", 49, "countries.SE.adult_proxy.reason", "is missing"),
        ("adult_proxy: {available: no, reason: no_adult_proxy_sweden}",
         "adult_proxy: {reason: no_adult_proxy_sweden}", 49,
         "countries.SE.adult_proxy.available", "is missing"),
        ("        reason: parent_some_12_to_15", "        reason: [parent_some_12_to_15]", 31,
         "countries.NO.guardian.middle.reason", "a list is not a usable name"),
        ("        areas: [appointments]\n        reason: parent_some",
         "        areas: [apointments]\n        reason: parent_some", 30,
         "countries.NO.guardian.middle.areas", "Did you mean 'appointments'?"),
        ("          messages: child", "          appointments: child", 33,
         "countries.NO.guardian.middle.refusals.appointments", "never refused"),
        ("          messages: child", "          mesages: child", 33,
         "countries.NO.guardian.middle.refusals.mesages", "there is no area 'mesages'"),
        ("      - id: middle", "      - id: small", 27, "countries.NO.guardian.small.id",
         "already used on line 22"),
        ("      - id: middle", "      - id: 12-15", 27, "countries.NO.guardian[1].id",
         "not a usable name"),
        ("        reason: own_matters_from_16\n    own_access", "    own_access", 34,
         "countries.NO.guardian.grown.reason", "is missing"),
        ("        reason: own_matters_from_16\n    own_access",
         "        reason: own_matters_from_16\n        untill: 18\n    own_access", 38,
         "countries.NO.guardian.grown.untill", "Did you mean 'until'?"),
        ("        from: 12\n        until: 16", "        from: 12\n        until: 12", 29,
         "countries.NO.guardian.middle.until", "must be above from (12)"),
        ("        from: 12\n", "        from: 13\n", 28, "countries.NO.guardian.middle.from",
         "must be 12, where the band before it ends; bands follow each other without gaps"),
        ("        from: 12\n", "        from: 11\n", 28, "countries.NO.guardian.middle.from",
         "without gaps or overlaps"),
        ("      - id: small\n        from: 0", "      - id: small\n        from: 1", 23,
         "countries.NO.guardian.small.from", "must be 0;"),
        ("        from: 16\n        areas: []", "        from: 16\n        until: 18\n"
         "        areas: []", 36, "countries.NO.guardian.grown.until",
         "leave out until on the last band"),
        ("        from: 12\n        until: 16\n", "        from: 12\n", 33,
         "countries.NO.guardian.grown", "the band before this one has no until"),
        ("    guardian:\n      - id: small", "    guardian: []\n    unused:\n      - id: small",
         21, "countries.NO.guardian", "must be a list of age bands"),
        ("    own_access:\n      - id: child", "    own_acces:\n      - id: child", 38,
         "countries.NO.own_acces", "Did you mean 'own_access'?"),
    ],
)
def test_each_mistake_is_reported_at_its_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, field: str, says: str
) -> None:
    errors = problems(tmp_path, broken(old, new))
    assert (line, field) in where(errors), [str(e) for e in errors]
    error = next(e for e in errors if (e.line, e.field) == (line, field))
    assert says in error.message
    assert error.path == tmp_path / "rules.yaml"
    assert str(error).startswith(f"{tmp_path / 'rules.yaml'}:{line}: field '{field}': ")


CHOICES = "      choices: {appointments: [appointments], reading: [messages, records]}"


@pytest.mark.parametrize(
    ("new", "field", "says"),
    [
        ("      choices: {appointments: [appointments], all: [messages]}", "choices.all",
         "'all' is always offered"),
        ("      choices: {appointments: [appointments], reading: all}", "choices.reading",
         "list the areas"),
        ("      choices: {appointments: [appointments], reading: []}", "choices.reading",
         "must list at least one area"),
        ("      choices: {appointments: [appointments], reading: [mesages]}", "choices.reading",
         "there is no area 'mesages'. Did you mean 'messages'?"),
        ("      choices: {appointments: [appointments], appointments: [messages]}",
         "choices.appointments", "appears twice"),
        ("      choices: {appointments: [appointments], 2read: [messages]}", "choices.2read",
         "not a usable name"),
        ("      choices: [appointments, messages]", "choices", "must be a group of 'name:"),
        ("      choices: {}", "choices", "must be a group of 'name:"),
    ],
)
def test_each_mistake_in_the_proxy_choices(tmp_path: Path, new: str, field: str,
                                           says: str) -> None:
    errors = problems(tmp_path, broken(CHOICES, new))
    prefix = "countries.NO.adult_proxy."
    assert (9, prefix + field) in where(errors), [str(e) for e in errors]
    assert says in next(e for e in errors if e.field == prefix + field).message


def test_a_choice_covers_only_areas_a_proxy_can_be_given_for(tmp_path: Path) -> None:
    text = broken("      areas: all\n      choices", "      areas: [appointments, messages]\n"
                  "      choices")
    [error] = problems(tmp_path, text)
    assert (error.line, error.field) == (9, "countries.NO.adult_proxy.choices.reading")
    assert "a proxy cannot be given for records" in error.message


def test_choices_are_optional_and_only_where_proxies_exist(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, broken(CHOICES + "\n", "")))
    proxy = rules.countries["NO"].adult_proxy
    assert not isinstance(proxy, NoAdultProxy) and proxy.choices == {}
    text = broken("adult_proxy: {available: no, reason: no_adult_proxy_sweden}",
                  "adult_proxy: {available: no, reason: no_adult_proxy_sweden, choices: {}}")
    assert "has no field 'choices'" in " ".join(str(e) for e in problems(tmp_path, text))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = broken("      giver_min_age: 16", "      giver_min_age: old")
    text = text.replace("        from: 12\n", "        from: 13\n")
    text = text.replace("areas: all, reason: own_all", "areas: some, reason: own_all")
    assert where(problems(tmp_path, text)) == [
        (6, "countries.NO.adult_proxy.giver_min_age"),
        (28, "countries.NO.guardian.middle.from"),
        (53, "countries.SE.own_access.all_ages.areas"),
    ]


def test_yaml_syntax_error(tmp_path: Path) -> None:
    [error] = problems(tmp_path, broken("reason: parent_all_under_12", "reason: a: b"))
    assert (error.line, error.field) == (26, None)
    assert error.message.startswith("YAML syntax: ")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "the file is empty"), (b"- just\n- a list\n", "must be a rules file"),
     ("areas: [b\xe5t]\n".encode("latin-1"), "not UTF-8")],
)
def test_files_that_are_not_rules(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(content)
    [error] = check_rules(path)
    assert message in error.message
    assert error.field is None


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(PolicyErrors) as caught:
        load_rules(path)
    [error] = caught.value.errors
    assert (error.path, error.line) == (path, 0)
    assert str(error) == f"{path}: cannot read the file (No such file or directory)."


def test_a_country_the_file_lacks(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    with pytest.raises(PolicyError) as caught:
        policy_for("DK", path)
    assert str(caught.value) == (
        f"{path}: field 'countries': there are no rules for country 'DK'. Countries in the"
        " file: NO, SE."
    )


def test_a_proxy_never_gets_more_than_the_givers_own_access_by_age(tmp_path: Path) -> None:
    # Here a 16-year-old may only use appointments themselves, so that is all they can give.
    text = broken(
        "      - id: child\n        from: 0\n        until: 16",
        "      - id: child\n        from: 0\n        until: 18",
    ).replace("      - id: adult\n        from: 16", "      - id: adult\n        from: 18")
    policy = Policy(load_rules(write(tmp_path, text)), "NO")
    wide = frozenset({"appointments", "records"})
    young = ProxyGrant(date(2009, 1, 1), date(1990, 1, 1), wide)
    on = date(2026, 1, 1)
    decision = policy.adult_proxy(young, on)
    assert (decision.areas, decision.rule) == ({"appointments"}, "NO.adult_proxy.narrowed")
    older = ProxyGrant(date(2000, 1, 1), date(1990, 1, 1), wide)
    assert policy.adult_proxy(older, on).rule == "NO.adult_proxy.allowed"
