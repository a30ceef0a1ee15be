"""Suite-wide pytest hooks.

- The out-of-process steps (see tests/server.py) start as soon as the tests that
  will run are known, so that they run alongside the others.
- ``CREDIT_TEST_NOW`` (an ISO datetime, UTC) freezes the clock of the whole run at that instant; it
  keeps ticking from there, so timeouts still work. ``scripts/test.sh`` reruns the date-sensitive
  modules on the calendar's traps this way (see ``scripts/trap_dates.txt``).
"""

import os

import freezegun

# The out-of-process steps run in background threads while in-process tests freeze the clock; a frozen
# clock is the whole process's, so a subprocess started before a freeze would see its timeout expire at
# once. Their waits read the real clock.
freezegun.configure(extend_ignore_list=["subprocess", "selectors", "odoo_serve", "server"])

_frozen = None


def pytest_configure(config):
    global _frozen
    now = os.environ.get("CREDIT_TEST_NOW")
    if now:
        _frozen = freezegun.freeze_time(now, tick=True)
        _frozen.start()


def pytest_unconfigure(config):
    if _frozen:
        _frozen.stop()


def pytest_report_header(config):
    now = os.environ.get("CREDIT_TEST_NOW")
    tz = os.environ.get("CREDIT_TEST_TZ")
    if now:
        return f"clock frozen at {now} UTC{f', user time zone {tz}' if tz else ''}"
    return "clock: the real one"


def pytest_collection_finish(session):
    for cls in {item.cls for item in session.items if getattr(item, "cls", None)}:
        start = getattr(cls, "start_background", None)
        if start:
            start()
