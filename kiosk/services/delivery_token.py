"""The kiosk's own delivery token: OAuth 2.0 client credentials (RFC 6749 section 4.4).

The outbox delivers a submission with the citizen's token only while their session is live;
after that it uses this token, which the service grants the kiosk itself and which may only
create submissions. The token is kept in memory, never written anywhere and never logged; it
is fetched again shortly before it runs out, or when the service says it is no longer valid.
"""

from __future__ import annotations

import base64
import logging
import math
import threading
from urllib.parse import quote_plus

from kiosk.clock import Clock, SystemClock
from kiosk.services.http import BadResponse, HttpClient

log = logging.getLogger(__name__)

CLIENT_CREDENTIALS = "client_credentials"
REFRESH_MARGIN_S = 30.0
"""Fetch a new token when the current one has less than this left (or a tenth of its life)."""


class DeliveryToken:
    """Fetches and caches the delivery token. Thread-safe: the delivery loop and a citizen's
    submission may ask at the same time. The secret is sent with HTTP Basic (RFC 6749 2.3.1)."""

    def __init__(self, http: HttpClient, client_id: str, client_secret: str, *,
                 token_path: str = "oauth/token", scope: str | None = None,
                 clock: Clock | None = None) -> None:
        self.http = http
        self.client_id = client_id
        self._secret = client_secret
        self.token_path = token_path
        self.scope = scope
        self.clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0

    def __repr__(self) -> str:
        return f"DeliveryToken(client_id={self.client_id!r})"

    def get(self) -> str:
        """A valid token, fetched when needed; raises the ServiceError family when it cannot."""
        with self._lock:
            if self._token is None or self.clock.monotonic() >= self._renew_at:
                self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """The service refused the token (HTTP 401): fetch a new one next time."""
        with self._lock:
            self._token = None

    def _fetch(self) -> None:
        form = {"grant_type": CLIENT_CREDENTIALS}
        if self.scope:
            form["scope"] = self.scope
        # RFC 6749 section 2.3.1: both parts are form-encoded before they are joined.
        pair = f"{quote_plus(self.client_id)}:{quote_plus(self._secret)}"
        basic = base64.b64encode(pair.encode()).decode("ascii")
        body = self.http.post(self.token_path, data=form,
                              headers={"Authorization": f"Basic {basic}"})
        token, lifetime = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token:
            raise BadResponse("delivery token: the answer holds no access_token")
        if lifetime is None:  # the service does not say: use it until it is refused
            self._renew_at = math.inf
        elif isinstance(lifetime, int) and not isinstance(lifetime, bool) and lifetime >= 0:
            margin = min(REFRESH_MARGIN_S, lifetime / 10)
            self._renew_at = self.clock.monotonic() + lifetime - margin
        else:
            raise BadResponse("delivery token: 'expires_in' is not a whole number of seconds")
        self._token = token
        log.info("delivery token fetched")
