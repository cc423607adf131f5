"""A Session signed in for real at the demo service, as the task areas receive it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.services.signin import TokenResponse
from kiosk.session import Session

SignIn = Callable[[str], TokenResponse]


def session_for(sign_in: SignIn, patient: str, name: str | None = None,
                **answers: Any) -> Session:
    """``patient`` signed in (shown as ``name``, by default the id in title case), with
    ``answers`` already given as if the guide had asked them."""
    session = Session("en")
    token = sign_in(patient)
    session.sign_in(token.patient_id, name or patient.title(), token.access_token)
    for key, value in answers.items():
        session.remember(key, value, str(value))
    return session
