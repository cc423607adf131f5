"""One HTTP client per origin: the identity provider's hosts each get their own, every client
stays on its own host, and the FHIR API's client stays under its base path."""

from __future__ import annotations

import pytest

from kiosk.services.http import BadResponse, HttpPool, origin_of
from tests.documents_server import DocumentsServer


def test_each_origin_gets_one_client_of_its_own() -> None:
    pool = HttpPool(timeout_s=3, retries=1)
    try:
        idp = pool.client("https://login.example.org/oauth2/token")
        assert idp is pool.client("https://login.example.org/device?x=1")
        assert idp.base_url == "https://login.example.org"
        assert pool.client("https://login.example.org:8443/token") is not idp
        assert pool.client("http://login.example.org/token") is not idp
        assert (idp.timeout_s, pool.at("https://fhir.example.org/fhir/R4").base_url) == (
            3, "https://fhir.example.org/fhir/R4")
    finally:
        pool.close()


def test_no_client_follows_a_link_to_another_host_or_out_of_its_base() -> None:
    pool = HttpPool()
    try:
        fhir = pool.at("https://fhir.example.org/fhir/R4")
        assert fhir.url("https://fhir.example.org/fhir/R4/Slot?page=2") == \
            "https://fhir.example.org/fhir/R4/Slot?page=2"
        for elsewhere in ("https://evil.example/fhir/R4/Slot", "https://fhir.example.org/admin",
                          "https://fhir.example.org.evil.example/fhir/R4/Slot"):
            with pytest.raises(BadResponse, match="another host"):
                fhir.url(elsewhere)
        with pytest.raises(BadResponse):
            pool.client("ftp://files.example.org/x")
    finally:
        pool.close()


def test_origins_keep_scheme_host_and_port_and_drop_credentials() -> None:
    assert origin_of("https://user:pw@idp.example:8443/a/b?c") == "https://idp.example:8443"
    with pytest.raises(ValueError):
        origin_of("/relative/path")


def test_a_request_to_an_absolute_url_goes_through_its_origins_client(
        documents: DocumentsServer) -> None:
    documents.documents["/.well-known/jwks.json"] = {"keys": []}
    pool = HttpPool(timeout_s=3, retries=0)
    try:
        assert pool.request("GET", f"{documents.url}/.well-known/jwks.json") == {"keys": []}
        assert pool.client(documents.url).base_url == documents.url
    finally:
        pool.close()
