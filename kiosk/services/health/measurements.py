"""Home measurements: check a reading against its plausible range, build its Observation, and
read earlier ones back. What is measured, its codes, units and ranges live in measurements.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from kiosk.services.fhir import FhirClient
from kiosk.services.health import submission
from kiosk.services.health.datafile import DataFile
from kiosk.services.health.fhirdata import (
    LOINC,
    UCUM,
    codes_of,
    coding,
    instant,
    parse_instant,
    patient_query,
    patient_ref,
)
from kiosk.services.http import _

MEASUREMENTS_FILE = Path(__file__).with_name("measurements.yaml")
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
_CATEGORIES = ("vital-signs", "laboratory")
_READING_FIELDS = ("unit", "unit_text", "min", "max", "decimals")
OUT_OF_RANGE = {
    "systolic": _("The upper blood pressure number must be between {min} and {max}. "
                  "Please check the number and type it again."),
    "diastolic": _("The lower blood pressure number must be between {min} and {max}. "
                   "Please check the number and type it again."),
    "pulse": _("A pulse must be between {min} and {max} beats per minute. "
               "Please check the number and type it again."),
    "weight": _("A weight must be between {min} and {max} kilograms. "
                "Please check the number and type it again."),
    "glucose": _("A blood sugar must be between {min} and {max} mmol/L. "
                 "Please check the number and type it again."),
    "saturation": _("Oxygen saturation must be between {min} and {max} percent. "
                    "Please check the number and type it again."),
}
"""What the citizen is told when a reading of measurements.yaml is implausible, by reading key
({min} and {max} are filled in). Text to translate lives in code, where the catalog check sees it.
"""
NOT_ABOVE = {
    "systolic": _("The upper blood pressure number must be higher than the lower number. "
                  "Please check both numbers."),
}
"""What the citizen is told when a reading is not higher than the one it must be ``above``."""


@dataclass(frozen=True)
class Reading:
    """One number the citizen types, e.g. the upper blood pressure number."""

    key: str
    loinc: str | None
    display: str | None
    unit: str
    unit_text: str
    minimum: Decimal
    maximum: Decimal
    decimals: int
    out_of_range: str
    above: str | None = None
    not_above: str | None = None


@dataclass(frozen=True)
class MeasurementKind:
    key: str
    category: str
    loinc: tuple[str, ...]
    display: str
    readings: tuple[Reading, ...]


class OutOfRange(ValueError):
    """A value a citizen typed is not plausible. ``msgid`` and ``values`` are for the UI."""

    def __init__(self, reading: str, msgid: str, values: Mapping[str, Any]) -> None:
        self.reading, self.msgid, self.values = reading, msgid, dict(values)
        super().__init__(f"reading {reading!r} is not plausible")


@dataclass(frozen=True)
class MeasurementRecord:
    """A measurement read back from the server; ``values`` pairs reading keys with numbers."""

    id: str
    kind: str
    effective: datetime | None
    values: tuple[tuple[str, Decimal], ...]

    def value(self, key: str) -> Decimal | None:
        return dict(self.values).get(key)


def _reading(data: DataFile, key: str, node: Any, field: str, names: list[str]) -> Reading:
    wanted = (*_READING_FIELDS, *(() if len(names) == 1 else ("loinc", "display")))
    f = data.mapping(node, field, required=wanted, optional=("above",))
    low, high = data.number(f["min"], f"{field}.min"), data.number(f["max"], f"{field}.max")
    if low >= high:
        raise data.error(f["max"], f"{field}.max", "must be greater than min")
    if key not in OUT_OF_RANGE:
        known = ", ".join(OUT_OF_RANGE)
        raise data.error(node, field, "no out-of-range text for this reading in "
                                      f"measurements.py's OUT_OF_RANGE (has: {known})")
    others = [name for name in names if name != key]
    if "above" in f:
        if data.text(f["above"], f"{field}.above") not in others:
            raise data.error(f["above"], f"{field}.above",
                             f"names no other reading (others: {', '.join(others) or 'none'})")
        if key not in NOT_ABOVE:
            raise data.error(f["above"], f"{field}.above", "no text for this rule in "
                                                           "measurements.py's NOT_ABOVE")
    text = {name: data.text(f[name], f"{field}.{name}") for name in f
            if name not in ("min", "max", "decimals")}
    return Reading(
        key=key, loinc=text.get("loinc"), display=text.get("display"), unit=text["unit"],
        unit_text=text["unit_text"], minimum=Decimal(str(low)), maximum=Decimal(str(high)),
        decimals=data.integer(f["decimals"], f"{field}.decimals"),
        out_of_range=OUT_OF_RANGE[key], above=text.get("above"),
        not_above=NOT_ABOVE.get(key) if "above" in f else None,
    )


def load_kinds(path: Path = MEASUREMENTS_FILE) -> dict[str, MeasurementKind]:
    """Every measurement kind in the file, by key. Raises DataFileError naming line and field."""
    data = DataFile(path)
    kinds: dict[str, MeasurementKind] = {}
    top = data.mapping(data.root, "(top)", required=("kinds",))
    for key, node in data.mapping(top["kinds"], "kinds", any_keys=True).items():
        field = f"kinds.{key}"
        f = data.mapping(node, field, required=("category", "loinc", "display", "readings"))
        category = data.text(f["category"], f"{field}.category")
        if category not in _CATEGORIES:
            raise data.error(f["category"], f"{field}.category",
                             f"must be one of {', '.join(_CATEGORIES)}")
        nodes = data.mapping(f["readings"], f"{field}.readings", any_keys=True)
        if not nodes:
            raise data.error(f["readings"], f"{field}.readings", "must name at least one reading")
        readings = tuple(
            _reading(data, name, item, f"{field}.readings.{name}", list(nodes))
            for name, item in nodes.items()
        )
        kinds[key] = MeasurementKind(
            key=key, category=category, loinc=data.texts(f["loinc"], f"{field}.loinc"),
            display=data.text(f["display"], f"{field}.display"), readings=readings,
        )
    return kinds


@cache
def kinds() -> dict[str, MeasurementKind]:
    """The shipped measurement kinds, loaded once."""
    return load_kinds()


def _plain(number: Decimal) -> int | Decimal:
    """A number as a citizen reads it: 100, not 1E+2 or 100.0."""
    return int(number) if number == number.to_integral_value() else number.normalize()


def check(kind: MeasurementKind, values: Mapping[str, int | float | Decimal]) -> dict[str, Decimal]:
    """The values rounded to their decimals; OutOfRange for the first implausible one."""
    names = {r.key for r in kind.readings}
    if set(values) != names:
        raise ValueError(f"{kind.key} needs exactly the readings {sorted(names)}")
    rounded: dict[str, Decimal] = {}
    for reading in kind.readings:
        try:
            value = Decimal(str(values[reading.key])).quantize(
                Decimal(1).scaleb(-reading.decimals), rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:
            raise ValueError(f"{kind.key}.{reading.key}: not a number") from exc
        if not reading.minimum <= value <= reading.maximum:
            raise OutOfRange(reading.key, reading.out_of_range,
                             {"min": _plain(reading.minimum), "max": _plain(reading.maximum)})
        rounded[reading.key] = value
    for reading in kind.readings:
        if reading.above and reading.not_above and rounded[reading.key] <= rounded[reading.above]:
            raise OutOfRange(reading.key, reading.not_above, {})
    return rounded


def _quantity(reading: Reading, value: Decimal) -> dict[str, Any]:
    number: int | float = int(value) if reading.decimals == 0 else float(value)
    return {"value": number, "unit": reading.unit_text, "system": UCUM, "code": reading.unit}


def measurement(
    kind: MeasurementKind, values: Mapping[str, int | float | Decimal], patient_id: str,
    now: datetime,
) -> submission.Submission:
    """The Observation for one measurement taken ``now``; OutOfRange if a value is implausible."""
    checked = check(kind, values)
    observation: dict[str, Any] = {
        "status": "final",
        "category": [{"coding": [coding(CATEGORY_SYSTEM, kind.category)]}],
        "code": {"coding": [coding(LOINC, code, kind.display if i == 0 else None)
                            for i, code in enumerate(kind.loinc)]},
        "subject": patient_ref(patient_id),
        "effectiveDateTime": instant(now),
    }
    if len(kind.readings) == 1:
        (reading,) = kind.readings
        observation["valueQuantity"] = _quantity(reading, checked[reading.key])
    else:
        observation["component"] = [
            {"code": {"coding": [coding(LOINC, str(r.loinc), r.display)]},
             "valueQuantity": _quantity(r, checked[r.key])}
            for r in kind.readings
        ]
    return submission.create("Observation", observation)


def _number(quantity: Any) -> Decimal | None:
    if not isinstance(quantity, dict) or isinstance(quantity.get("value"), bool):
        return None
    value = quantity.get("value")
    return Decimal(str(value)) if isinstance(value, int | float) else None


def _record(kind: MeasurementKind, observation: dict[str, Any]) -> MeasurementRecord:
    found: list[tuple[str, Decimal]] = []
    if len(kind.readings) == 1:
        value = _number(observation.get("valueQuantity"))
        if value is not None:
            found.append((kind.readings[0].key, value))
    for component in observation.get("component") or []:
        codes = codes_of((component or {}).get("code"), LOINC)
        value = _number((component or {}).get("valueQuantity"))
        for reading in kind.readings:
            if reading.loinc in codes and value is not None:
                found.append((reading.key, value))
    return MeasurementRecord(
        id=str(observation.get("id")), kind=kind.key, values=tuple(found),
        effective=parse_instant(observation.get("effectiveDateTime"),
                                "Observation.effectiveDateTime"),
    )


def measurements(
    fhir: FhirClient, token: str, patient_id: str, kind: MeasurementKind, count: int = 10,
) -> list[MeasurementRecord]:
    """The patient's latest ``count`` measurements of one kind, newest first."""
    found = fhir.search(
        "Observation",
        {"subject": patient_query(patient_id), "code": f"{LOINC}|{kind.loinc[0]}",
         "_sort": "-date", "_count": count},
        token,
    )
    records = [_record(kind, o) for o in found
               if kind.loinc[0] in codes_of(o.get("code"), LOINC)
               and o.get("status") not in ("entered-in-error", "cancelled")]
    records.sort(key=lambda r: r.effective.timestamp() if r.effective else 0.0, reverse=True)
    return records[:count]
