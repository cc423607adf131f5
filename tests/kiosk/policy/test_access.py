"""The bundled rules at every boundary age for Norway and Sweden, proxies, and age arithmetic.

The expected answers are written here from the law as HEALTH.md states it, not read from
rules.yaml, so a wrong number or area in the file fails these tests.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk.policy.access import Decision, Policy, ProxyGrant, age_on, policy_for

ALL = frozenset(
    {"appointments", "medicines", "messages", "consent", "measurements", "vaccines", "contacts",
     "records"}
)
NONE: frozenset[str] = frozenset()

# (country, relation) -> [(first age, areas, rule)], youngest first; each row holds until the
# next row's first age.
BANDS: dict[tuple[str, str], list[tuple[int, frozenset[str], str]]] = {
    ("NO", "guardian"): [
        (0, ALL, "NO.guardian.under_12"),
        (12, frozenset({"appointments", "vaccines", "contacts"}), "NO.guardian.age_12_to_15"),
        (16, NONE, "NO.guardian.from_16"),
    ],
    ("NO", "own_access"): [
        (0, NONE, "NO.own_access.under_13"),
        (13, frozenset({"appointments", "messages", "vaccines", "contacts"}),
         "NO.own_access.age_13_to_15"),
        (16, ALL, "NO.own_access.from_16"),
    ],
    ("SE", "guardian"): [
        (0, ALL, "SE.guardian.under_13"),
        (13, frozenset({"vaccines"}), "SE.guardian.age_13_to_15"),
        (16, NONE, "SE.guardian.from_16"),
    ],
    ("SE", "own_access"): [
        (0, NONE, "SE.own_access.under_13"),
        (13, frozenset({"appointments"}), "SE.own_access.age_13_to_15"),
        (16, ALL, "SE.own_access.from_16"),
    ],
}
BOUNDARIES = {key: [age for age, _, _ in rows[1:]] for key, rows in BANDS.items()}
BIRTH = date(2010, 6, 15)


def expected(country: str, relation: str, age: int) -> tuple[frozenset[str], str]:
    rows = [row for row in BANDS[(country, relation)] if row[0] <= age]
    _, areas, rule = rows[-1]
    return areas, rule


def birthday(birth: date, age: int) -> date:
    return birth.replace(year=birth.year + age)


def decide(country: str, relation: str, birth: date, on: date, area: str | None = None) -> Decision:
    policy = policy_for(country)
    ask = policy.guardian if relation == "guardian" else policy.own_access
    return ask(birth, on, area=area)


BOUNDARY_CASES = [
    pytest.param(country, relation, age, offset, id=f"{country}-{relation}-{age}{offset:+d}d")
    for (country, relation), ages in BOUNDARIES.items()
    for age in ages
    for offset in (-1, 0, 1)
]


@pytest.mark.parametrize(("country", "relation", "age", "offset"), BOUNDARY_CASES)
def test_every_boundary_age_the_day_before_on_and_after(
    country: str, relation: str, age: int, offset: int
) -> None:
    on = birthday(BIRTH, age) + timedelta(days=offset)
    reached = age if offset >= 0 else age - 1
    areas, rule = expected(country, relation, reached)
    decision = decide(country, relation, BIRTH, on)
    assert (decision.allowed, decision.areas, decision.rule) == (bool(areas), areas, rule)
    assert decision.reason
    for area in sorted(ALL):
        one = decide(country, relation, BIRTH, on, area)
        assert (one.allowed, one.areas, one.rule) == (area in areas, areas, rule)


@pytest.mark.parametrize(("country", "relation"), sorted(BANDS))
@pytest.mark.parametrize("age", [0, 5, 14, 17, 18, 40, 99])
def test_ages_between_the_boundaries(country: str, relation: str, age: int) -> None:
    on = date(2026, 3, 10)
    birth = date(on.year - age, 1, 2)
    areas, rule = expected(country, relation, age)
    decision = decide(country, relation, birth, on)
    assert (decision.areas, decision.rule) == (areas, rule)


def test_born_today_is_age_zero_and_the_parent_acts() -> None:
    today = date(2026, 3, 10)
    assert decide("NO", "guardian", today, today).areas == ALL


@pytest.mark.parametrize(
    ("country", "area", "age", "reason"),
    [
        ("NO", "messages", 12, "A child aged 12 to 15 must message the GP office themselves."),
        ("NO", "messages", 15, "A child aged 12 to 15 must message the GP office themselves."),
        ("NO", "records", 14, "A parent cannot read the health record of a child aged 12 to 15."),
        ("NO", "medicines", 13, "A parent can use only some services for a child aged 12 to 15."),
        ("NO", "appointments", 16,
         "From age 16, young people take care of their own health matters."),
        ("SE", "appointments", 13,
         "For a child aged 13 to 15, most services are closed to the guardian."),
    ],
)
def test_a_refused_area_says_why_in_plain_words(
    country: str, area: str, age: int, reason: str
) -> None:
    decision = decide(country, "guardian", BIRTH, birthday(BIRTH, age), area)
    assert not decision.allowed
    assert decision.reason == reason


def test_messaging_the_gp_is_a_per_area_rule_from_12_to_15_in_norway() -> None:
    before = decide("NO", "guardian", BIRTH, birthday(BIRTH, 12) - timedelta(days=1), "messages")
    during = decide("NO", "guardian", BIRTH, birthday(BIRTH, 12), "messages")
    vaccines = decide("NO", "guardian", BIRTH, birthday(BIRTH, 12), "vaccines")
    assert (before.allowed, during.allowed, vaccines.allowed) == (True, False, True)


def test_young_people_read_their_own_record_from_16() -> None:
    for country in ("NO", "SE"):
        at_15 = decide(country, "own_access", BIRTH, birthday(BIRTH, 16) - timedelta(days=1),
                       "records")
        at_16 = decide(country, "own_access", BIRTH, birthday(BIRTH, 16), "records")
        assert not at_15.allowed
        assert at_15.reason == "Young people can read their own health record from age 16."
        assert at_16.allowed


# -- age arithmetic --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(2010, 6, 15), date(2010, 6, 15), 0),
        (date(2010, 6, 15), date(2022, 6, 14), 11),
        (date(2010, 6, 15), date(2022, 6, 15), 12),
        (date(2010, 6, 15), date(2022, 6, 16), 12),
        (date(2010, 12, 31), date(2011, 1, 1), 0),
        (date(2010, 1, 1), date(2010, 12, 31), 0),
        # Born on 29 February: a year older on 1 March when the year has no 29 February.
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
        (date(2008, 2, 29), date(2025, 2, 28), 16),
        (date(2008, 2, 29), date(2025, 3, 1), 17),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        # Born on 28 February or 1 March in a leap year: no shift.
        (date(2008, 2, 28), date(2026, 2, 28), 18),
        (date(2008, 3, 1), date(2026, 2, 28), 17),
    ],
)
def test_age_on(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age


def test_a_birth_date_after_the_decision_is_an_error() -> None:
    with pytest.raises(ValueError, match="after the day of the decision"):
        age_on(date(2026, 3, 11), date(2026, 3, 10))


def test_leap_day_births_at_policy_boundaries() -> None:
    leap = date(2008, 2, 29)
    assert decide("NO", "guardian", leap, date(2024, 2, 28)).rule == "NO.guardian.age_12_to_15"
    assert decide("NO", "guardian", leap, date(2024, 2, 29)).rule == "NO.guardian.from_16"
    se_leap = date(2012, 2, 29)  # turns 13 in 2025, a year without 29 February
    assert decide("SE", "guardian", se_leap, date(2025, 2, 28)).rule == "SE.guardian.under_13"
    assert decide("SE", "guardian", se_leap, date(2025, 3, 1)).rule == "SE.guardian.age_13_to_15"
    proxy = ProxyGrant(date(1960, 5, 5), leap, frozenset({"appointments"}))
    assert policy_for("NO").adult_proxy(proxy, date(2026, 2, 28)).rule == (
        "NO.adult_proxy.proxy_too_young"
    )
    assert policy_for("NO").adult_proxy(proxy, date(2026, 3, 1)).allowed


# -- adult proxy (fullmakt) ------------------------------------------------------------------

ON = date(2026, 3, 10)
ADULT = date(1970, 4, 1)
PROXY_ADULT = date(1995, 8, 20)


def grant(**changes: object) -> ProxyGrant:
    values: dict[str, object] = {
        "giver_birth": ADULT, "proxy_birth": PROXY_ADULT,
        "areas": frozenset({"appointments", "medicines"}),
    }
    values.update(changes)
    return ProxyGrant(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def norway() -> Policy:
    return policy_for("NO")


@pytest.mark.parametrize(
    ("offset", "rule"),
    [(-1, "NO.adult_proxy.giver_too_young"), (0, "NO.adult_proxy.allowed"),
     (1, "NO.adult_proxy.allowed")],
)
def test_giver_must_be_16(norway: Policy, offset: int, rule: str) -> None:
    giver = date(2009, 9, 9)
    on = birthday(giver, 16) + timedelta(days=offset)
    decision = norway.adult_proxy(grant(giver_birth=giver), on)
    assert (decision.allowed, decision.rule) == (offset >= 0, rule)
    if offset < 0:
        assert decision.reason == "You must be 16 or older to give someone a proxy."
        assert decision.areas == NONE


@pytest.mark.parametrize(
    ("offset", "rule"),
    [(-1, "NO.adult_proxy.proxy_too_young"), (0, "NO.adult_proxy.allowed"),
     (1, "NO.adult_proxy.allowed")],
)
def test_proxy_must_be_18(norway: Policy, offset: int, rule: str) -> None:
    proxy = date(2008, 7, 31)
    on = birthday(proxy, 18) + timedelta(days=offset)
    decision = norway.adult_proxy(grant(proxy_birth=proxy), on)
    assert (decision.allowed, decision.rule) == (offset >= 0, rule)
    if offset < 0:
        assert decision.reason == "A proxy must be 18 or older."


@pytest.mark.parametrize(
    ("valid_until", "allowed"),
    [(None, True), (ON + timedelta(days=1), True), (ON, True), (ON - timedelta(days=1), False)],
)
def test_a_time_limited_proxy_ends_after_its_last_day(
    norway: Policy, valid_until: date | None, allowed: bool
) -> None:
    decision = norway.adult_proxy(grant(valid_until=valid_until), ON)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "NO.adult_proxy.ended"
        assert decision.reason == "This proxy has ended. The person who gave it can give a new one."


def test_an_open_ended_proxy_still_works_decades_later(norway: Policy) -> None:
    assert norway.adult_proxy(grant(), date(2060, 1, 1)).allowed


def test_the_proxy_covers_exactly_the_areas_given(norway: Policy) -> None:
    decision = norway.adult_proxy(grant(), ON)
    assert decision.areas == {"appointments", "medicines"}
    assert decision.reason == "The proxy can be used for the services that were chosen."
    assert norway.adult_proxy(grant(), ON, area="medicines").allowed
    outside = norway.adult_proxy(grant(), ON, area="messages")
    assert (outside.allowed, outside.rule) == (False, "NO.adult_proxy.not_covered")
    assert outside.areas == {"appointments", "medicines"}
    assert outside.reason == "This proxy does not cover this service."


def test_a_proxy_never_gets_more_than_the_giver_has(norway: Policy) -> None:
    wide = grant(areas=frozenset({"appointments", "medicines", "records"}))
    decision = norway.adult_proxy(wide, ON, giver_areas={"appointments", "medicines", "vaccines"})
    assert decision.allowed
    assert decision.areas == {"appointments", "medicines"}
    assert decision.rule == "NO.adult_proxy.narrowed"
    assert decision.reason == (
        "The proxy can only be used for services the person giving it can use."
    )
    records = norway.adult_proxy(wide, ON, area="records", giver_areas={"appointments"})
    assert (records.allowed, records.rule) == (False, "NO.adult_proxy.not_covered")


def test_a_giver_with_none_of_the_areas_gives_nothing(norway: Policy) -> None:
    decision = norway.adult_proxy(grant(), ON, giver_areas={"vaccines"})
    assert (decision.allowed, decision.areas, decision.rule) == (
        False, NONE, "NO.adult_proxy.nothing_to_give"
    )


@pytest.mark.parametrize(
    ("giver", "proxy", "rule"),
    [(True, False, "giver_confidential_address"), (False, True, "confidential_address"),
     (True, True, "giver_confidential_address")],
)
def test_no_proxy_with_a_confidential_address(
    norway: Policy, giver: bool, proxy: bool, rule: str
) -> None:
    decision = norway.adult_proxy(
        grant(giver_confidential_address=giver, proxy_confidential_address=proxy), ON
    )
    assert (decision.allowed, decision.areas, decision.rule) == (
        False, NONE, f"NO.adult_proxy.{rule}"
    )
    # Neither reason says "address": the proxy must not learn that someone's address is
    # protected, and the giver's screen may be seen by others.
    assert "address" not in decision.reason


def test_the_giver_is_told_plainly_why_they_cannot_give_a_proxy(norway: Policy) -> None:
    decision = norway.adult_proxy(grant(giver_confidential_address=True), ON)
    assert decision.reason == (
        "Your health record is protected, so a proxy cannot be given for it. Please contact"
        " the health service for help."
    )
    told_to_proxy = norway.adult_proxy(grant(proxy_confidential_address=True), ON)
    assert told_to_proxy.reason == "A proxy cannot be used here. Ask the health service for help."


def test_a_confidential_address_blocks_before_any_age_rule(norway: Policy) -> None:
    young = grant(giver_birth=date(2015, 1, 1), proxy_birth=date(2015, 1, 1),
                  giver_confidential_address=True)
    assert norway.adult_proxy(young, ON).rule == "NO.adult_proxy.giver_confidential_address"


# -- what a proxy is given for: all, or some choices ------------------------------------------

CHOICES = {
    "appointments": frozenset({"appointments"}),
    "medicines": frozenset({"medicines"}),
    "messages": frozenset({"messages"}),
    "records": frozenset({"vaccines", "contacts", "records"}),
}


def test_norway_offers_these_choices_besides_all(norway: Policy) -> None:
    assert norway.proxy_choices == tuple(CHOICES)
    for name, areas in CHOICES.items():
        assert norway.proxy_areas([name]) == areas


def test_all_is_every_area_including_those_no_choice_covers(norway: Policy) -> None:
    assert norway.proxy_areas(["all"]) == ALL
    assert norway.proxy_areas(["all", "medicines"]) == ALL
    assert {"consent", "measurements"} - frozenset().union(*CHOICES.values()) == {
        "consent", "measurements"}


def test_some_choices_cover_the_union_of_their_areas(norway: Policy) -> None:
    assert norway.proxy_areas(["appointments", "records"]) == {
        "appointments", "vaccines", "contacts", "records"}
    assert norway.proxy_areas([]) == NONE


def test_an_unknown_choice_is_a_programming_error(norway: Policy) -> None:
    with pytest.raises(ValueError, match="unknown proxy choice vaccines"):
        norway.proxy_areas(["vaccines"])


@pytest.mark.parametrize(
    ("chosen", "area", "allowed"),
    [(["appointments"], "appointments", True), (["appointments"], "medicines", False),
     (["appointments"], "messages", False), (["records"], "vaccines", True),
     (["records"], "contacts", True), (["records"], "appointments", False),
     (["all"], "consent", True), (["medicines", "messages"], "messages", True)],
)
def test_a_proxy_acts_only_in_the_areas_chosen(
    norway: Policy, chosen: list[str], area: str, allowed: bool
) -> None:
    decision = norway.adult_proxy(grant(areas=norway.proxy_areas(chosen)), ON, area=area)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "NO.adult_proxy.not_covered"


def test_sweden_has_no_choices_and_all_is_still_refused() -> None:
    sweden = policy_for("SE")
    assert sweden.proxy_choices == ()
    with pytest.raises(ValueError):
        sweden.proxy_areas(["appointments"])
    decision = sweden.adult_proxy(grant(areas=sweden.proxy_areas(["all"])), ON)
    assert (decision.allowed, decision.rule) == (False, "SE.adult_proxy.unavailable")


@pytest.mark.parametrize("area", [None, "appointments"])
def test_sweden_has_no_general_adult_proxy(area: str | None) -> None:
    decision = policy_for("SE").adult_proxy(grant(), ON, area=area)
    assert (decision.allowed, decision.areas, decision.rule) == (
        False, NONE, "SE.adult_proxy.unavailable"
    )
    assert "no general proxy for adults" in decision.reason


def test_a_decision_holds_no_personal_data(norway: Policy) -> None:
    decisions = [
        norway.adult_proxy(grant(), ON),
        norway.adult_proxy(grant(proxy_birth=date(2010, 6, 15)), ON),
        norway.guardian(BIRTH, ON),
    ]
    for decision in decisions:
        text = repr(decision)
        for birth in (ADULT, PROXY_ADULT, BIRTH):
            assert birth.isoformat() not in text
            assert str(birth.year) not in text


def test_an_unknown_area_is_a_programming_error_not_a_refusal(norway: Policy) -> None:
    with pytest.raises(ValueError, match="unknown area mesages"):
        norway.guardian(BIRTH, ON, area="mesages")
    with pytest.raises(ValueError, match=r"grant\.areas: unknown area x"):
        norway.adult_proxy(grant(areas=frozenset({"x"})), ON)
    with pytest.raises(ValueError, match="at least one area"):
        norway.adult_proxy(grant(areas=NONE), ON)
