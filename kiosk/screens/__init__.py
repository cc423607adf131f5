"""One module per kiosk screen, each with its .tcss beside it."""
