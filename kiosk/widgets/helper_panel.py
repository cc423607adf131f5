"""The helper panel: beside the citizen's screen while a staff member has helper mode on, what
that staff member needs to help without taking over, in their own language.

It shows what ``helper_mode.panel.staff_view`` lets through (the task, the step, the visible
answers, the step's hint for staff) and offers the kiosk's own actions: explain the step aloud
(in the citizen's language), back, ask the step again, language, text size, speech rate and
volume, lock, and while the task has a page in the health portal, hand it over to the
citizen's phone and print it on a slip. It offers nothing that answers, confirms or sends: the
citizen presses those on their side. Its buttons take no keyboard focus, so the citizen's keys,
focus and speech stay with the citizen's screen; staff touch them.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Button, Static

from helper_mode.panel import PRIVATE_NOTE, StaffView
from kiosk.slip import CONTINUE_ON_PHONE
from kiosk.widgets.reading_order import drawn
from translations.catalog import N_, Localizer

ANSWERS = N_("Answers so far")
HINT = N_("Hint for staff")
PRINT_SLIP = N_("Print a slip")
CITIZEN_CONFIRMS = N_("Only the citizen can confirm or send, on their side of the screen.")
# (button id, msgid, action); "step" buttons only while a step of a task is shown.
ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("panel-explain", N_("Explain this step aloud"), "app.explain_step"),
    ("panel-back", N_("Back"), "screen.back"),
    ("panel-restart", N_("Ask this step again"), "app.restart_step"),
    ("panel-language", N_("Change language"), "app.change_language"),
    ("panel-bigger", N_("Bigger text"), "app.toggle_large_text"),
    ("panel-phone", CONTINUE_ON_PHONE, "app.continue_on_phone"),
    ("panel-print", PRINT_SLIP, "app.print_task_slip"),
    ("panel-lock", N_("Lock"), "app.lock_helper"),
    ("panel-slower", N_("Slower speech"), "app.speech_rate(False)"),
    ("panel-faster", N_("Faster speech"), "app.speech_rate(True)"),
    ("panel-softer", N_("Softer"), "app.volume(False)"),
    ("panel-louder", N_("Louder"), "app.volume(True)"),
)
STEP_ACTIONS = frozenset({"panel-explain", "panel-restart"})
HANDOFF_ACTIONS = frozenset({"panel-phone", "panel-print"})
"""Offered only as ``show(handoff=…)`` says: the task has a link (and a printer for a slip)."""


class HelperPanel(Vertical):
    """Hidden unless helper mode is on; then the staff view of the visit and the actions."""

    def __init__(self) -> None:
        super().__init__(id="helper-panel")
        self._l10n: Localizer | None = None
        self._view = StaffView()
        self._restartable = False
        self._handoff: frozenset[str] = frozenset()

    def on_mount(self) -> None:
        self.display = False

    def compose(self) -> ComposeResult:
        l10n = self._l10n
        if l10n is None:
            return
        view, shown = self._view, l10n.display

        def line(text: str, classes: str = "", id: str | None = None) -> Static:
            return Static(drawn(text, shown), markup=False, classes=classes, id=id)

        if view.title:
            yield line(l10n.gettext(view.title), "panel-title", "panel-task")
        if view.step:
            yield line(l10n.format(view.step, **(view.values or {})), id="panel-step")
        if view.note:
            yield line(l10n.gettext(view.note), "panel-note", "panel-hidden")
        if view.hint:
            yield line(l10n.gettext(HINT), "panel-heading")
            yield line(l10n.gettext(view.hint), id="panel-hint")
        if view.answers:
            yield line(l10n.gettext(ANSWERS), "panel-heading")
            yield line("\n".join("• " + l10n.gettext(answer) for answer in view.answers),
                       id="panel-answers")
        if view.citizen_confirms:
            yield line(l10n.gettext(CITIZEN_CONFIRMS), "panel-note", "panel-confirm")
        buttons = []
        for widget_id, msgid, action in ACTIONS:
            if widget_id in STEP_ACTIONS and not self._step_shown(widget_id):
                continue
            if widget_id in HANDOFF_ACTIONS and widget_id not in self._handoff:
                continue
            button = Button(shown.show(l10n.gettext(msgid)), id=widget_id, action=action,
                            compact=True, classes="panel-action")
            button.can_focus = False
            buttons.append(button)
        yield Grid(*buttons, id="panel-actions")

    def _step_shown(self, widget_id: str) -> bool:
        if widget_id == "panel-restart":
            return self._restartable
        # A private step may be explained too: its help is said only into a headset.
        return bool(self._view.step) or self._view.note == PRIVATE_NOTE

    def show(self, staff: str | None, view: StaffView, l10n: Localizer, *,
             restartable: bool, handoff: frozenset[str] = frozenset()) -> None:
        """Helper mode is on for ``staff`` (None: off, the panel goes): draw ``view`` in the
        staff member's language; ``restartable``: the step is a question that can be asked
        again; ``handoff``: which of HANDOFF_ACTIONS the task offers."""
        self.display = staff is not None
        if staff is None:
            return
        if (view, l10n.lang, restartable, handoff) == (
                self._view, getattr(self._l10n, "lang", None), self._restartable, self._handoff):
            return
        self._view, self._l10n, self._restartable = view, l10n, restartable
        self._handoff = handoff
        # Not awaited here: a press of the panel's own button leads here, and redrawing
        # removes that button while its handler runs (see the app's Bigger text).
        self.call_later(self.recompose)
