"""The practice health portal: the page the QR code at the end of the phone walk-through opens
in practice mode, so a citizen can try scanning it and see what happens next. A real kiosk sets
``portal_url`` to the national health portal instead."""

from __future__ import annotations

import html

from kiosk.demo.pages import html_page
from kiosk.demo.problem import Reply


def portal_page(kiosk_name: str) -> Reply:
    """The practice portal's front page: what it is, and what the real one offers."""
    name = html.escape(kiosk_name)
    return html_page(200, "Practice health portal", (
        "<p><strong>Well done: your phone opened the health portal.</strong></p>"
        f"<p class='note'>This is a practice page from the kiosk <strong>{name}</strong>. "
        "It is not the real health portal, and nothing you do here is saved.</p>"
        "<p>On the real health portal you sign in with your own electronic ID, and then you "
        "can:</p><ul>"
        "<li>book, move or cancel an appointment</li>"
        "<li>see your medicines and ask for a renewal</li>"
        "<li>send a message to your GP office</li>"
        "<li>see your vaccines and your health contacts</li>"
        "</ul>"
        "<p>Tip: save this page on your phone's home screen, so you find it again.</p>"
        "<p>Ask a staff member at the kiosk if you want help.</p>"
    ))
