"""The kiosk's two colour themes and the contrast arithmetic that proves them (WCAG 1.4.3/1.4.6).

Screens and widgets colour themselves only through the ``kiosk-*`` variables below, so checking
the pairs listed in ``CONTRAST_PAIRS`` checks every text colour the citizen sees.
"""

from __future__ import annotations

from textual.color import Color
from textual.theme import Theme

# (foreground variable, background variable): every text-on-colour pair the stylesheets use.
CONTRAST_PAIRS: tuple[tuple[str, str], ...] = (
    ("kiosk-text", "kiosk-bg"),
    ("kiosk-muted", "kiosk-bg"),
    ("kiosk-button-text", "kiosk-button-bg"),
    ("kiosk-focus-text", "kiosk-focus-bg"),
    ("kiosk-bar-text", "kiosk-bar-bg"),
    ("kiosk-banner-text", "kiosk-banner-bg"),
    ("kiosk-error-text", "kiosk-error-bg"),
    ("kiosk-caption-text", "kiosk-caption-bg"),
)

MIN_CONTRAST = {"default": 4.5, "high-contrast": 7.0}

DEFAULT_THEME = Theme(
    name="default",
    primary="#0B4F8A",
    secondary="#2E6DA4",
    accent="#FFD166",
    warning="#FFD166",
    error="#B00020",
    success="#1B7F3B",
    foreground="#F2F2F2",
    background="#14202B",
    surface="#1C2B38",
    panel="#243646",
    dark=True,
    variables={
        "kiosk-text": "#F2F2F2",
        "kiosk-bg": "#14202B",
        "kiosk-muted": "#C8D3DD",
        "kiosk-button-text": "#FFFFFF",
        "kiosk-button-bg": "#0B4F8A",
        "kiosk-focus-text": "#14202B",
        "kiosk-focus-bg": "#FFD166",
        "kiosk-bar-text": "#FFFFFF",
        "kiosk-bar-bg": "#243646",
        "kiosk-banner-text": "#14202B",
        "kiosk-banner-bg": "#A8E6CF",
        "kiosk-error-text": "#FFFFFF",
        "kiosk-error-bg": "#8E1B1B",
        "kiosk-caption-text": "#FFFFFF",
        "kiosk-caption-bg": "#2B2B2B",
        "footer-key-foreground": "#FFD166",
    },
)

HIGH_CONTRAST_THEME = Theme(
    name="high-contrast",
    primary="#FFFF00",
    secondary="#FFFFFF",
    accent="#FFFF00",
    warning="#FFFF00",
    error="#FF8080",
    success="#80FF80",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#000000",
    dark=True,
    variables={
        "kiosk-text": "#FFFFFF",
        "kiosk-bg": "#000000",
        "kiosk-muted": "#FFFFFF",
        "kiosk-button-text": "#FFFF00",
        "kiosk-button-bg": "#000000",
        "kiosk-focus-text": "#000000",
        "kiosk-focus-bg": "#FFFF00",
        "kiosk-bar-text": "#FFFFFF",
        "kiosk-bar-bg": "#000000",
        "kiosk-banner-text": "#000000",
        "kiosk-banner-bg": "#00FFFF",
        "kiosk-error-text": "#FFFFFF",
        "kiosk-error-bg": "#000000",
        "kiosk-caption-text": "#FFFF00",
        "kiosk-caption-bg": "#000000",
        "footer-key-foreground": "#FFFF00",
    },
)

THEMES: dict[str, Theme] = {theme.name: theme for theme in (DEFAULT_THEME, HIGH_CONTRAST_THEME)}


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two colours, 1.0 to 21.0."""
    lighter, darker = sorted(
        (_luminance(Color.parse(foreground)), _luminance(Color.parse(background))), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def contrast_report(theme: Theme) -> list[tuple[str, str, float]]:
    """Every (foreground, background, ratio) pair of a theme, for tests and ``kiosk doctor``."""
    values = theme.variables
    return [(fg, bg, contrast_ratio(values[fg], values[bg])) for fg, bg in CONTRAST_PAIRS]
