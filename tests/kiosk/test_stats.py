"""Visit counts for digital-inclusion figures: a helped visit and an unhelped one through the real
app, the file holding nothing but counts (day, task, language, helped, visits), a damaged file
kept aside, and `kiosk stats` printing them."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from kiosk.app import KioskApp
from kiosk.runtime import Runtime
from kiosk.stats import FILE_NAME, NO_TASK, add_visit, read_counts

FIELDS = {"day", "task", "language", "assisted", "visits"}


def stats_file(runtime: Runtime) -> Path:
    return runtime.settings.state_dir / FILE_NAME


async def test_each_visit_is_counted_by_day_task_language_and_help(
    kd: SimpleNamespace, app: KioskApp, runtime: Runtime
) -> None:
    async with app.run_test(size=kd.SIZE) as pilot:
        # A helped visit: helper mode unlocked mid-task, then locked again before the end.
        await kd.open_guide(pilot)
        guide_id = kd.view(app).runner.guide.id
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press(*kd.STAFF_PIN, "enter")
        await kd.wait_until(pilot, lambda: runtime.helper.active_staff is not None, "helper")
        app.action_lock_helper()
        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the idle view")
        # A visit on its own, in Norwegian, that began no task.
        await kd.open_menu(pilot, language_key="1")
        await pilot.press("f10")
        await kd.wait_until(pilot, lambda: kd.screen_name(app) == "IdleView", "the idle view")
        await kd.settle(pilot)
    path = stats_file(runtime)
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert set(raw) == {"version", "counts"}
    assert all(set(count) == FIELDS for count in raw["counts"])
    assert sorted(raw["counts"], key=lambda c: c["task"]) == [
        {"day": "2026-12-01", "task": guide_id, "language": "en", "assisted": True, "visits": 1},
        {"day": "2026-12-01", "task": NO_TASK, "language": "nb", "assisted": False, "visits": 1},
    ]
    text = path.read_text(encoding="utf-8")
    assert kd.STAFF_NAME not in text and "T08" not in text and "kari" not in text.lower()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_counts_add_up_and_only_counts_are_kept(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    day = date(2026, 12, 1)
    add_visit(path, day, ["appointment"], "nb", assisted=True)
    add_visit(path, day, ["appointment", "medicines"], "nb", assisted=True)
    add_visit(path, date(2026, 12, 2), [], "en", assisted=False)
    assert [(c.day, c.task, c.language, c.assisted, c.visits) for c in read_counts(path)] == [
        ("2026-12-01", "appointment", "nb", True, 2),
        ("2026-12-01", "medicines", "nb", True, 1),
        ("2026-12-02", NO_TASK, "en", False, 1),
    ]
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]  # no temporary file left


def test_a_damaged_file_is_kept_aside_and_counting_goes_on(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_text('{"version": 1, "counts": [{"day": "2026-12-01", "who": "Kari"}]}')
    add_visit(path, date(2026, 12, 1), ["appointment"], "nb", assisted=False)
    assert [c.visits for c in read_counts(path)] == [1]
    assert "Kari" in (tmp_path / f"{FILE_NAME}.damaged").read_text()


def test_kiosk_stats_prints_the_counts_and_totals(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    add_visit(state / FILE_NAME, date(2026, 12, 1), ["appointment"], "nb", assisted=True)
    add_visit(state / FILE_NAME, date(2026, 12, 2), ["appointment"], "en", assisted=False)
    env = {**os.environ, "HELSELOS_STATE_DIR": str(state)}
    done = subprocess.run([sys.executable, "-m", "kiosk", "stats", "--since", "2026-12-02"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["day", "task", "language", "helped", "visits"]
    assert lines[1].split() == ["2026-12-02", "appointment", "en", "no", "1"]
    assert "2026-12-01" not in done.stdout
    assert "per task:" in done.stdout and "helped:" in done.stdout
