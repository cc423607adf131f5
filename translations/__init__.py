"""Languages of the kiosk: gettext catalogs, the language registry and date formatting."""
