"""Open an Odoo environment from a plain script (demo data, benchmarks).

    with odoo_env(config_path, dbname) as env:
        ...

The transaction commits when the block ends without error.
"""

import argparse
import contextlib
import logging
import threading

import odoo
from odoo.api import SUPERUSER_ID, Environment
from odoo.modules.registry import Registry


def parse_args(description, extra=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True)
    if extra:
        extra(parser)
    return parser.parse_args()


_configured = {}


@contextlib.contextmanager
def odoo_env(config_path, dbname, log_level="warn"):
    # Odoo's configuration can be parsed once per process.
    if not _configured:
        odoo.tools.config.parse_config(["-c", config_path, "-d", dbname, f"--log-level={log_level}"])
        logging.getLogger("odoo").setLevel(getattr(logging, log_level.upper(), logging.WARNING))
        _configured.update(config=config_path)
    threading.current_thread().dbname = dbname
    registry = Registry(dbname)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        yield env
