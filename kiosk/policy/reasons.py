"""Every sentence an access decision can give as its reason, by the name rules.yaml uses.

The sentences are English msgids in plain language, shown and spoken to the citizen after
translation. They live here, marked with ``N_``, so the catalog check finds them; rules.yaml
names them, so which reason applies is still decided by the table. A reason names the rule,
never a person's details, so none has a ``{placeholder}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from translations.catalog import N_

REASONS: Mapping[str, str] = MappingProxyType({
    # Proxies between adults (fullmakt).
    "proxy_allowed": N_("The proxy can be used for the services that were chosen."),
    "proxy_narrowed": N_(
        "The proxy can only be used for services the person giving it can use."
    ),
    "proxy_giver_under_16": N_("You must be 16 or older to give someone a proxy."),
    "proxy_under_18": N_("A proxy must be 18 or older."),
    "proxy_ended": N_("This proxy has ended. The person who gave it can give a new one."),
    # Said to the giver only, who knows their own address is protected; it does not say
    # "address", as the screen may be seen by others.
    "proxy_giver_protected": N_(
        "Your health record is protected, so a proxy cannot be given for it. Please contact"
        " the health service for help."
    ),
    # Deliberately vague: telling a proxy why would reveal that someone's address is protected.
    "proxy_not_here": N_("A proxy cannot be used here. Ask the health service for help."),
    "proxy_giver_lacks_services": N_(
        "The person giving the proxy cannot use these services themselves."
    ),
    "proxy_not_covering_service": N_("This proxy does not cover this service."),
    "no_adult_proxy_sweden": N_(
        "In Sweden there is no general proxy for adults. You can register a pharmacy proxy at"
        " a pharmacy."
    ),
    # A parent or guardian acting for a child.
    "parent_all_under_12": N_("A parent can use all services for a child under 12."),
    "parent_some_12_to_15": N_("A parent can use only some services for a child aged 12 to 15."),
    "child_messages_gp_12_to_15": N_(
        "A child aged 12 to 15 must message the GP office themselves."
    ),
    "parent_no_record_12_to_15": N_(
        "A parent cannot read the health record of a child aged 12 to 15."
    ),
    "guardian_all_under_13": N_("A guardian can use all services for a child under 13."),
    "guardian_closed_13_to_15": N_(
        "For a child aged 13 to 15, most services are closed to the guardian."
    ),
    "own_matters_from_16": N_("From age 16, young people take care of their own health matters."),
    # What a person may use themselves.
    "own_none_under_13_parent": N_(
        "Children under 13 cannot use the health services on their own. A parent can help."
    ),
    "own_none_under_13_guardian": N_(
        "Children under 13 cannot use the health services on their own. A guardian can help."
    ),
    "own_some_13_to_15": N_("Young people aged 13 to 15 can use some services on their own."),
    "own_appointments_13_to_15": N_(
        "Young people aged 13 to 15 can only book some appointments on their own."
    ),
    "own_record_from_16": N_("Young people can read their own health record from age 16."),
    "own_all_from_16": N_("From age 16, you can use all services on your own."),
})
