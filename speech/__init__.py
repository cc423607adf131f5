"""Speech for the kiosk: text to speech (pyttsx3 on espeak-ng) behind a small voice interface."""
