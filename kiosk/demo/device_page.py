"""The page the citizen's phone opens to approve a kiosk sign-in (RFC 8628 verification URI).

It shows the kiosk's name and the code, so the citizen can see they approve the kiosk in front
of them, and lists the practice citizens to choose from (never real people).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from kiosk.demo.oauth import DeviceRequest, OAuth
from kiosk.demo.pages import html_page
from kiosk.demo.problem import Reply

_CODE_FORM = (
    "<form method='get' action='/device'>"
    "<label for='user_code'>Type the code shown on the kiosk screen</label>"
    "<input type='text' id='user_code' name='user_code' autocomplete='off' "
    "autocapitalize='characters' spellcheck='false' required>"
    "<button class='yes' type='submit'>Continue</button></form>"
)


class DevicePage:
    """GET shows the form, POST records the decision. ``citizens`` lists (id, name) pairs."""

    def __init__(self, oauth: OAuth, kiosk_name: str,
                 citizens: Callable[[], list[tuple[str, str]]]) -> None:
        self.oauth, self.kiosk_name, self.citizens = oauth, kiosk_name, citizens

    def handle(self, method: str, form: dict[str, str]) -> Reply:
        if method not in ("GET", "POST"):
            return html_page(405, "Not possible", "<p>Open this page from the kiosk.</p>")
        typed = form.get("user_code", "")
        if not typed:
            return html_page(200, "Sign in at the kiosk", _CODE_FORM)
        request = self.oauth.find_user_code(typed)
        if request is None:
            return html_page(404, "Code not found",
                              "<p class='error' role='alert'>We do not know this code. Check the "
                              "code on the kiosk screen and type it again.</p>" + _CODE_FORM)
        if self.oauth.expired(request):
            return html_page(410, "Code expired", "<p>This code has expired. Start sign-in "
                                                   "again on the kiosk.</p>")
        if request.state != "pending":
            return html_page(409, "Code already used", "<p>This code has already been used. "
                                                        "Start sign-in again on the kiosk.</p>")
        if method == "GET":
            return html_page(200, "Sign in at the kiosk", self._approve_form(request))
        decision = form.get("decision")
        if decision == "deny":
            request.state = "denied"
            return html_page(200, "Sign-in stopped", "<p>Sign-in stopped. Nothing was shared "
                                                      "with the kiosk.</p>")
        patient = form.get("patient", "")
        if decision != "approve" or patient not in dict(self.citizens()):
            return html_page(400, "Choose who you are", self._approve_form(
                request, "Choose who you are, then press Yes."))
        request.state, request.patient_id = "approved", patient
        name = html.escape(self.kiosk_name)
        return html_page(200, "You are signed in",
                          f"<p>You are signed in at <strong>{name}</strong>.</p>"
                          "<p>You can put your phone away and go on at the kiosk.</p>")

    def _approve_form(self, request: DeviceRequest, error: str = "") -> str:
        radios = "".join(
            f"<label><input type='radio' name='patient' value='{html.escape(pid)}' required> "
            f"{html.escape(name)}</label>"
            for pid, name in self.citizens()
        )
        alert = f"<p class='error' role='alert'>{html.escape(error)}</p>" if error else ""
        return (
            f"{alert}<p>Kiosk: <strong>{html.escape(self.kiosk_name)}</strong></p>"
            f"<p class='note'>Asked by: {html.escape(request.client_id)}</p>"
            f"<p>The code on this page is:</p><p class='code'>{html.escape(request.user_code)}</p>"
            "<p><strong>Is this the code on the kiosk screen?</strong> "
            "If not, press No and ask a staff member.</p>"
            "<form method='post' action='/device'>"
            f"<input type='hidden' name='user_code' value='{html.escape(request.user_code)}'>"
            "<fieldset><legend>Who are you? (practice citizens, not real people)</legend>"
            f"{radios}</fieldset>"
            "<button class='yes' type='submit' name='decision' value='approve'>"
            "Yes, sign me in</button>"
            "<button class='no' type='submit' name='decision' value='deny' formnovalidate>"
            "No, stop</button></form>"
        )
