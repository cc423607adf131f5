"""Reusable kiosk widgets: big buttons, the help bar, QR code, banners."""
