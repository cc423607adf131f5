"""Who signed in: the patient a device sign-in's token answer stands for.

In the order SMART App Launch and national identity providers give it:

1. ``patient`` in the token answer (the SMART launch context, asked for with ``launch/patient``);
2. the ``fhirUser`` claim of the verified id_token, a Patient reference relative to the FHIR
   base or absolute under it;
3. a configured claim of the verified id_token that holds the citizen's national identity
   number (e.g. ID-porten's ``pid``), looked up as ``Patient?identifier=`` with the citizen's
   own token, so the FHIR server decides what it shows.

An id_token that comes with the answer is always verified, also when ``patient`` is given. Any
other answer is refused with a ``SignInRefused`` whose cause is logged by the caller.
"""

from __future__ import annotations

from typing import Any

from kiosk.services.discovery import SignInService
from kiosk.services.fhir import NO_NATIONAL_ID, FhirClient, check_id
from kiosk.services.id_token import IdTokenVerifier, SignInRefused


class WhoSignedIn:
    """Resolves a token answer to a Patient id on the kiosk's FHIR server."""

    def __init__(self, fhir: FhirClient, verifier: IdTokenVerifier, *,
                 national_id_claim: str | None = None) -> None:
        self.fhir = fhir
        self.verifier = verifier
        self.national_id_claim = national_id_claim

    def patient_id(self, answer: dict[str, Any], service: SignInService, nonce: str | None,
                   access_token: str) -> str:
        """The signed-in patient's id; SignInRefused when the answer does not say who."""
        id_token = answer.get("id_token")
        claims: dict[str, Any] = {}
        if isinstance(id_token, str) and id_token:
            claims = self.verifier.verify(id_token, service, nonce)
        patient = answer.get("patient")
        if isinstance(patient, str) and patient:
            return _patient_id(patient, "bad-patient-context")
        fhir_user = claims.get("fhirUser")
        if isinstance(fhir_user, str) and fhir_user:
            return self._from_fhir_user(fhir_user)
        national_id = claims.get(self.national_id_claim) if self.national_id_claim else None
        if isinstance(national_id, str) and national_id:
            return self._from_national_id(national_id, access_token)
        raise SignInRefused("no-identity")

    def _from_fhir_user(self, fhir_user: str) -> str:
        base = self.fhir.http.base_url
        if fhir_user.startswith(("https://", "http://")):
            if not fhir_user.startswith(base + "/"):
                raise SignInRefused("fhir-user-on-another-server")
            fhir_user = fhir_user[len(base) + 1:]
        kind, _, rid = fhir_user.partition("/")
        if kind != "Patient":
            # A practitioner or a related person signed in: the kiosk serves patients only.
            raise SignInRefused("fhir-user-not-a-patient")
        return _patient_id(rid, "bad-fhir-user")

    def _from_national_id(self, national_id: str, access_token: str) -> str:
        found = self.fhir.search(
            "Patient", {"identifier": f"{NO_NATIONAL_ID}|{national_id}", "_count": 2},
            access_token)
        if not found:
            raise SignInRefused("no-patient-for-national-id")
        if len(found) > 1:
            raise SignInRefused("several-patients-for-national-id")
        # A server that ignored the search parameter would hand over a stranger's record.
        if not any(isinstance(i, dict) and i.get("system") == NO_NATIONAL_ID
                   and i.get("value") == national_id for i in found[0].get("identifier") or []):
            raise SignInRefused("patient-without-that-national-id")
        return _patient_id(str(found[0].get("id") or ""), "bad-patient-id")


def _patient_id(value: str, cause: str) -> str:
    try:
        return check_id(value)
    except ValueError as exc:
        raise SignInRefused(cause) from exc
