"""The demo service's memory: every resource by type and id, with versions.

Each write gets a new ``meta.versionId`` and ``meta.lastUpdated``; the old version is not kept
(no ``_history``). Reads hand out copies, so a caller can never change stored data by accident.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterable
from datetime import UTC
from typing import Any

from kiosk.clock import Clock


class Store:
    """Resources of the known ``types``; ids are random UUIDs (repeatable with a seeded rng)."""

    def __init__(self, types: Iterable[str], clock: Clock, rng: random.Random) -> None:
        self.clock = clock
        self._rng = rng
        self._resources: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in types}

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self._resources)

    def get(self, kind: str, rid: str) -> dict[str, Any] | None:
        found = self._resources[kind].get(rid)
        return copy.deepcopy(found) if found is not None else None

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Copies of every resource of a type, oldest first."""
        return [copy.deepcopy(r) for r in self._resources[kind].values()]

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def put(self, resource: dict[str, Any]) -> dict[str, Any]:
        """Store a resource (giving it an id if it has none); returns a copy as stored."""
        kind = resource["resourceType"]
        resource = copy.deepcopy(resource)
        resource.setdefault("id", self.new_id())
        old = self._resources[kind].get(resource["id"])
        version = int(old["meta"]["versionId"]) + 1 if old else 1
        meta = {k: v for k, v in (resource.get("meta") or {}).items()
                if k not in ("versionId", "lastUpdated")}
        resource["meta"] = {**meta, "versionId": str(version),
                            "lastUpdated": self.clock.now().astimezone(UTC).isoformat()}
        self._resources[kind][resource["id"]] = resource
        return copy.deepcopy(resource)
