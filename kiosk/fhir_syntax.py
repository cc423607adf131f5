"""The shape of FHIR R4 ids and resource type names (spec: datatypes, "id"; resource names).

Both sides of the wire hold to the same rules from the specification: the kiosk's client checks
every id before it goes into a URL, the practice service checks every id it stores. Facts of
the standard, not of either side, so a reading of one cannot hide a misreading of the other.
"""

from __future__ import annotations

import re

ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
RESOURCE_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
