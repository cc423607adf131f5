"""FHIR R4 search over the demo store: the parameters in ``search.yaml``, with modifiers,
date prefixes, ``_sort``, ``_count`` and paging links, answered as a searchset Bundle.

A parameter it does not know is left out, as R4 says a lenient server does, and the ``self``
link shows what was applied; with ``Prefer: handling=strict`` it is refused (400). Conditional
creates are always strict: a condition the server half-understood could match the wrong thing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any
from urllib.parse import quote, urlencode

from kiosk.demo.dates import date_matches, value_range
from kiosk.demo.params import (
    TYPE_NAME,
    SearchParam,
    normal_reference,
    param_values,
    references,
)
from kiosk.demo.problem import Problem

DEFAULT_PAGE, MAX_PAGE = 50, 200
IGNORED = frozenset({"_format", "_pretty", "_total"})
"""Control parameters that change nothing here: the total is always given."""
_CONTROL = frozenset({"_count", "_offset", "_sort", "_summary"})
_MODIFIERS = {"token": {"not", "missing"}, "reference": {"missing"}, "date": {"missing"},
              "string": {"exact", "contains", "missing"}}
Query = dict[str, list[str]]


class Search:
    """Filters, sorts and pages resources of one type for a search request."""

    def __init__(self, params: dict[str, dict[str, SearchParam]]) -> None:
        self.params = params

    def param(self, kind: str, name: str) -> SearchParam:
        try:
            return self.params[kind][name]
        except KeyError:
            known = ", ".join(sorted(self.params.get(kind, {})))
            raise Problem(400, f"unknown search parameter {name!r} for {kind} "
                               f"(known: {known})", "not-supported") from None

    def applied(self, kind: str, query: Query, *, strict: bool) -> Query:
        """The part of ``query`` this server can apply. R4 search: parameters it does not
        know are left out (and so missing from the ``self`` link, which tells the client),
        unless the client asked ``Prefer: handling=strict``: then they are refused (400)."""
        known = self.params.get(kind, {})
        kept: Query = {}
        for key, raws in query.items():
            name = key.partition(":")[0]
            if key in IGNORED:
                continue
            if key == "_sort":
                names = [k for raw in raws for k in raw.split(",") if k]
                usable = [k for k in names if k.lstrip("-") in known]
                if strict and len(usable) < len(names):
                    self.param(kind, next(k for k in names if k not in usable).lstrip("-"))
                if usable:
                    kept[key] = [",".join(usable)]
            elif key in _CONTROL or name in known:
                kept[key] = raws
            elif strict:
                self.param(kind, name)
        return kept

    def filter(self, kind: str, resources: Iterable[dict[str, Any]],
               query: Query) -> list[dict[str, Any]]:
        tests: list[tuple[SearchParam, str, str]] = []
        for key, raws in query.items():
            if key in IGNORED or key in _CONTROL:
                continue
            name, _, modifier = key.partition(":")
            param = self.param(kind, name)
            tests.extend((param, modifier, raw) for raw in raws)
        return [r for r in resources
                if all(self._matches(r, p, m, raw) for p, m, raw in tests)]

    def _matches(self, resource: dict[str, Any], param: SearchParam, modifier: str,
                 raw: str) -> bool:
        if modifier == "missing":
            if raw not in ("true", "false"):
                raise Problem(400, f"{param.name}:missing takes true or false")
            return (not param_values(resource, param)) == (raw == "true")
        if param.type == "reference" and modifier and TYPE_NAME.match(modifier):
            param = SearchParam(param.name, param.type, param.paths, modifier)
        elif modifier and modifier not in _MODIFIERS[param.type]:
            raise Problem(400, f"modifier :{modifier} is not supported on {param.name}",
                          "not-supported")
        alternatives = raw.split(",")
        if param.type == "token":
            hit = any(_token_matches(v, a) for a in alternatives
                      for v in param_values(resource, param))
            return not hit if modifier == "not" else hit
        if param.type == "reference":
            refs = set(references(resource, param))
            return any(_reference_matches(refs, a, param.target) for a in alternatives)
        if param.type == "date":
            ranges = [r for v in param_values(resource, param) if (r := value_range(v))]
            return any(date_matches(ranges, a) for a in alternatives)
        texts = [t for v in param_values(resource, param) for t in _strings(v)]
        return any(_string_matches(texts, a, modifier) for a in alternatives)

    def sort(self, kind: str, found: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
        for key in reversed([k for raw in query.get("_sort", []) for k in raw.split(",") if k]):
            param = self.param(kind, key.lstrip("-"))
            present = [r for r in found if _sort_key(r, param) is not None]
            absent = [r for r in found if _sort_key(r, param) is None]
            present.sort(key=partial(_sort_key, param=param), reverse=key.startswith("-"))
            found = present + absent
        return found

    def bundle(self, kind: str, found: list[dict[str, Any]], query: Query,
               url: str) -> dict[str, Any]:
        """A searchset Bundle of one page, with ``self`` and ``next`` links."""
        try:
            count = min(int(query.get("_count", [DEFAULT_PAGE])[0]), MAX_PAGE)
            offset = max(int(query.get("_offset", ["0"])[0]), 0)
        except ValueError as exc:
            raise Problem(400, "_count and _offset must be whole numbers") from exc
        summary = query.get("_summary", [""])[0]
        if summary not in ("", "count", "false"):
            raise Problem(400, "_summary supports only count and false", "not-supported")
        page = [] if summary == "count" else found[offset: offset + max(count, 0)]
        links = [{"relation": "self", "url": _search_url(url, query, offset)}]
        if summary != "count" and count > 0 and offset + count < len(found):
            links.append({"relation": "next", "url": _search_url(url, query, offset + count)})
        return {
            "resourceType": "Bundle", "type": "searchset", "total": len(found), "link": links,
            "entry": [{"fullUrl": f"{url}/{r['id']}", "resource": r,
                       "search": {"mode": "match"}} for r in page],
        }


def _search_url(url: str, query: Query, offset: int) -> str:
    params = [(k, v) for k, vs in query.items() if k != "_offset" for v in vs]
    params.append(("_offset", str(offset)))
    return f"{url}?{urlencode(params, quote_via=quote)}"


def _token_matches(value: Any, raw: str) -> bool:
    before, bar, after = raw.partition("|")
    # "system|code", or a bare "code" in any system.
    system, code = (before, after) if bar else (None, raw)
    if isinstance(value, bool):
        return system is None and code == str(value).lower()
    if isinstance(value, str):
        return not system and code == value
    if not isinstance(value, dict):
        return False
    if isinstance(value.get("coding"), list):
        return any(_token_matches(c, raw) for c in value["coding"])
    found = value.get("code", value.get("value"))
    if system is not None and system != "" and value.get("system") != system:
        return False
    if system == "" and value.get("system"):
        return False
    return code == "" or code == found


def _reference_matches(refs: set[str], raw: str, target: str | None) -> bool:
    wanted = normal_reference(raw) if "/" in raw else raw
    if "/" in wanted:
        return wanted in refs
    if target:
        return f"{target}/{wanted}" in refs
    return any(ref.rpartition("/")[2] == wanted for ref in refs)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for child in value.values():
            yield from _strings(child)
    elif isinstance(value, list):
        for child in value:
            yield from _strings(child)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _string_matches(texts: list[str], raw: str, modifier: str) -> bool:
    if modifier == "exact":
        return raw in texts
    wanted = _fold(raw)
    if modifier == "contains":
        return any(wanted in _fold(t) for t in texts)
    return any(_fold(t).startswith(wanted) for t in texts)


def _sort_key(resource: dict[str, Any], param: SearchParam) -> Any:
    for value in param_values(resource, param):
        if param.type == "date":
            found = value_range(value)
            if found:
                return found[0]
        elif param.type == "reference":
            refs = references(resource, param)
            return refs[0] if refs else None
        else:
            texts = list(_strings(value)) if not isinstance(value, bool) else [str(value)]
            if isinstance(value, dict) and isinstance(value.get("coding"), list):
                texts = [str(c.get("code", "")) for c in value["coding"] if isinstance(c, dict)]
            if texts:
                return _fold(texts[0])
    return None
