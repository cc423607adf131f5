"""Home measurements: check a reading against its plausible range, build its Observation, and
read earlier ones back. What is measured, its codes, units and ranges live in measurements.yaml.
"""

# No `from __future__ import annotations` here: the models' annotations stay types, so msgspec
# and kiosk.datafile read them as they are, instead of evaluating text at every start.

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from kiosk.datafile import At, Says
from kiosk.services.fhir import FhirClient
from kiosk.services.health import submission
from kiosk.services.health.datafile import NAMES, Integer, Number, Text, Texts, load, new_rules
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
from translations.catalog import N_

MEASUREMENTS_FILE = Path(__file__).with_name("measurements.yaml")
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
OUT_OF_RANGE = {
    "systolic": N_("The upper blood pressure number must be between {min} and {max}. "
                  "Please check the number and type it again."),
    "diastolic": N_("The lower blood pressure number must be between {min} and {max}. "
                   "Please check the number and type it again."),
    "pulse": N_("A pulse must be between {min} and {max} beats per minute. "
               "Please check the number and type it again."),
    "weight": N_("A weight must be between {min} and {max} kilograms. "
                "Please check the number and type it again."),
    "glucose": N_("A blood sugar must be between {min} and {max} mmol/L. "
                 "Please check the number and type it again."),
    "saturation": N_("Oxygen saturation must be between {min} and {max} percent. "
                    "Please check the number and type it again."),
}
"""What the citizen is told when a reading of measurements.yaml is implausible, by reading key
({min} and {max} are filled in). Text to translate lives in code, where the catalog check sees it.
"""
NOT_ABOVE = {
    "systolic": N_("The upper blood pressure number must be higher than the lower number. "
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


class ReadingFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One reading of measurements.yaml. ``loinc`` and ``display``: only when the kind has
    several readings (each is then a component), and then required."""

    unit: Text
    unit_text: Text
    minimum: Number = msgspec.field(name="min")
    maximum: Number = msgspec.field(name="max")
    decimals: Integer
    loinc: Text | None = None
    display: Text | None = None
    above: Text | None = None


class KindFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    category: Annotated[Literal["vital-signs", "laboratory"],
                        Says(wrong="must be a non-empty text",
                             bad="must be one of vital-signs, laboratory")]
    loinc: Texts
    display: Text
    readings: Annotated[dict[str, ReadingFile], Meta(min_length=1), Says(
        wrong=NAMES.wrong, bad="must name at least one reading")]


class MeasurementsFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    kinds: Annotated[dict[str, KindFile], NAMES]


RULES = new_rules()


@RULES.check(ReadingFile)
def range_is_a_range(reading: ReadingFile, at: At[None]) -> None:
    if reading.minimum >= reading.maximum:
        at.error("must be greater than min", "max")


@RULES.check(KindFile)
def readings_have_their_texts(kind: KindFile, at: At[None]) -> None:
    """Every reading has its out-of-range text (and a rule's text); a reading of several has its
    own code, and a single one none; ``above`` names another reading."""
    names = list(kind.readings)
    for key, reading in kind.readings.items():
        where = at.below("readings", key)
        own = ("loinc", "display")
        for name in own:
            if len(names) > 1 and getattr(reading, name) is None:
                where.error("missing", name, line=where.line())
            elif len(names) == 1 and getattr(reading, name) is not None:
                known = ", ".join(n for n in _READING_FIELDS if n not in own)
                where.error(f"unknown field (known fields: {known})", name,
                            line=where.doc.line((*where.path, name)))
        if key not in OUT_OF_RANGE:
            where.error("no out-of-range text for this reading in measurements.py's"
                        f" OUT_OF_RANGE (has: {', '.join(OUT_OF_RANGE)})")
        others = [name for name in names if name != key]
        if reading.above is not None and reading.above not in others:
            where.error(f"names no other reading (others: {', '.join(others) or 'none'})",
                        "above")
        elif reading.above is not None and key not in NOT_ABOVE:
            where.error("no text for this rule in measurements.py's NOT_ABOVE", "above")


_READING_FIELDS = tuple(f.encode_name for f in msgspec.structs.fields(ReadingFile))


def load_kinds(path: Path = MEASUREMENTS_FILE) -> dict[str, MeasurementKind]:
    """Every measurement kind in the file, by key. Raises DataFileError naming line and field."""
    file = load(path, MeasurementsFile, RULES)
    return {key: MeasurementKind(
        key=key, category=kind.category, loinc=kind.loinc, display=kind.display,
        readings=tuple(Reading(
            key=name, loinc=reading.loinc, display=reading.display, unit=reading.unit,
            unit_text=reading.unit_text, minimum=Decimal(str(reading.minimum)),
            maximum=Decimal(str(reading.maximum)), decimals=reading.decimals,
            out_of_range=OUT_OF_RANGE[name], above=reading.above,
            not_above=NOT_ABOVE.get(name) if reading.above else None,
        ) for name, reading in kind.readings.items()),
    ) for key, kind in file.kinds.items()}


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
