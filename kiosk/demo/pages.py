"""HTML pages the demo service shows on the citizen's phone, all in one accessible template."""

from __future__ import annotations

import html
from importlib import resources
from string import Template

from kiosk.demo.problem import Reply

_TEMPLATE = Template(
    resources.files("kiosk.demo").joinpath("verify_page.html").read_text("utf-8")
)


def html_page(status: int, title: str, main: str) -> Reply:
    """A page with ``title`` as its heading and ``main`` (already escaped HTML) below it; never
    cached or framed, since sign-in pages must not outlive their use."""
    page = _TEMPLATE.substitute(
        lang="en", title=html.escape(title), main=f"<h1>{html.escape(title)}</h1>\n{main}"
    )
    return Reply(status, page.encode(), "text/html; charset=utf-8",
                 (("Cache-Control", "no-store"), ("X-Frame-Options", "DENY")))
