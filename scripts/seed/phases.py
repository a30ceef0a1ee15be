"""Timing of seed()'s phases, logged for the CLI's --verbose."""

import contextlib
import logging
import resource
import time

_logger = logging.getLogger("odoo.scripts.seed")  # under "odoo": quiet at the default warn level


@contextlib.contextmanager
def _phase(name):
    """Log how long a phase took and the peak RSS so far (INFO; the CLI shows it with --verbose)."""
    started = time.perf_counter()
    yield
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    _logger.info("%-28s %7.2f s  (peak RSS %d MiB)", name, time.perf_counter() - started, peak)
