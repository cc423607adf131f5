"""The smallest Textual app that draws one word, "ready": the baseline for bench/startup.py."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class MinimalApp(App[None]):
    """One centred word; Ctrl+Q quits."""

    def compose(self) -> ComposeResult:
        yield Static("ready")


if __name__ == "__main__":
    MinimalApp().run()
