"""Separate Odoo processes for tests that a test transaction cannot host: install and
uninstall round trips, and a multi-worker server for concurrency.

`make test` exports where Odoo, its config and the template database are.
"""

import concurrent.futures
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import uuid

import psycopg2
import requests

from odoo.tests import TransactionCase
from odoo.tools import config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))

import odoo_serve

ENV_VARS = ("CREDIT_TEMPLATE_DB", "CREDIT_INSTALLED_DB", "CREDIT_ODOO_CONF", "CREDIT_ODOO_BIN", "CREDIT_PY")


def missing_environment():
    return [var for var in ENV_VARS if var not in os.environ]


def connect(dbname):
    return psycopg2.connect(
        dbname=dbname,
        host=config["db_host"] or None,
        port=config["db_port"] or None,
        user=config["db_user"] or None,
        password=config["db_password"] or None,
    )


def psql(dbname, statement):
    conn = connect(dbname)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(statement)
            return cr.fetchall() if cr.description else None
    finally:
        conn.close()


def create_database(prefix, installed=True):
    """A copy of the database `make test` installed the addon on (or, with ``installed=False``, of the
    template without the addon); returns its name."""
    dbname = f"{prefix}_{uuid.uuid4().hex[:8]}"
    template = os.environ["CREDIT_INSTALLED_DB" if installed else "CREDIT_TEMPLATE_DB"]
    psql("postgres", f'CREATE DATABASE "{dbname}" TEMPLATE "{template}"')
    return dbname


def drop_database(dbname):
    psql("postgres", f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{dbname}'")
    psql("postgres", f'DROP DATABASE IF EXISTS "{dbname}"')
    shutil.rmtree(config.filestore(dbname), ignore_errors=True)


@contextlib.contextmanager
def throwaway_database(prefix, installed=True):
    """A database of create_database(), dropped afterwards."""
    dbname = create_database(prefix, installed)
    try:
        yield dbname
    finally:
        drop_database(dbname)


# The out-of-process steps of the suite (an Odoo process on a copy of the database, seconds each) start
# in these threads as soon as the tests are collected (see conftest.py), and run while the in-process
# tests use the other core; a test then waits for its step's result.
_background = concurrent.futures.ThreadPoolExecutor(max_workers=3, thread_name_prefix="credit-background")
_started = {}


def start(key, function):
    """The future of ``function()``, started now unless it was already (once per ``key``)."""
    if key not in _started:
        _started[key] = _background.submit(function)
    return _started[key]


def odoo_command(dbname, *args):
    return [
        os.environ["CREDIT_PY"],
        os.environ["CREDIT_ODOO_BIN"],
        *args,
        "-c",
        os.environ["CREDIT_ODOO_CONF"],
        "-d",
        dbname,
        "--log-level=warn",
    ]


def run_odoo(dbname, *args, stdin=None):
    """Run odoo-bin to completion; returns the CompletedProcess."""
    cmd = odoo_command(dbname, *args, "--stop-after-init", "--no-http")
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=900)


def odoo_shell(dbname, code):
    """Run Python ``code`` in `odoo-bin shell` on ``dbname`` (``env`` is the superuser's); commits."""
    return run_odoo(dbname, "shell", stdin=f"{code}\nenv.cr.commit()\n")


def odoo_server(dbname, workers=4, log_path=None):
    """A real Odoo server with ``workers`` worker processes serving ``dbname``; yields its base URL."""
    return odoo_serve.serve(odoo_command(dbname), dbname, workers=workers, log_path=log_path)


class JsonRpc:
    """The external API as an integration would use it: /jsonrpc, object.execute_kw."""

    def __init__(self, url, dbname, login, password):
        self.url, self.dbname, self.password = f"{url}/jsonrpc", dbname, password
        self.session = requests.Session()
        self.uid = self._call("common", "login", dbname, login, password)
        if not self.uid:
            raise RuntimeError(f"cannot log in as {login}")

    def _call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"service": service, "method": method, "args": args},
        }
        # json.dumps, not requests' json=: it carries NaN and Infinity, as a client may send them
        reply = self.session.post(
            self.url, data=json.dumps(payload), headers={"Content-Type": "application/json"}, timeout=300
        ).json()
        if "error" in reply:
            data = reply["error"].get("data", {})
            raise RpcError(data.get("name", ""), data.get("message", reply["error"].get("message", "")))
        return reply["result"]

    def __call__(self, model, method, *args, **kwargs):
        return self._call(
            "object", "execute_kw", self.dbname, self.uid, self.password, model, method, list(args), kwargs
        )

    def xmlid(self, xmlid):
        module, name = xmlid.split(".")
        rows = self(
            "ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], ["res_id"]
        )
        return rows[0]["res_id"]


class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


SERIALIZATION_FAILURE = "ERROR: could not serialize access due to concurrent update"
LOG_ERROR = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ \d+ (ERROR|CRITICAL) ")


def users_script(password, controller="controller"):
    """`odoo-bin shell` code making ``users``: a salesperson "seller", a credit controller and a credit
    manager "manager" (salespeople too), all with ``password``."""
    return f"""
from odoo import Command
def user(login, *groups):
    ids = [env.ref(g).id for g in ("base.group_user", *groups)]
    return env["res.users"].create({{"name": login.title(), "login": login, "groups_id": [Command.set(ids)]}})
users = (user("seller", "sales_team.group_sale_salesman")
         | user("{controller}", "sales_team.group_sale_salesman", "credit_management.group_credit_controller")
         | user("manager", "sales_team.group_sale_salesman", "credit_management.group_credit_manager"))
env.cr.execute("UPDATE res_users SET password = %s WHERE id = ANY(%s)",
               [env["res.users"]._crypt_context().hash("{password}"), users.ids])
"""


def prepared_database(prefix, script):
    """A copy of the installed database with ``script`` run in it by `odoo-bin shell` (committed)."""
    dbname = create_database(prefix)
    prepared = odoo_shell(dbname, script)
    if prepared.returncode:
        drop_database(dbname)
        raise RuntimeError(prepared.stderr[-3000:])
    return dbname


class ServerCase(TransactionCase):
    """Tests over JSON-RPC against a real multi-worker server of their own, on a copy of the installed
    database prepared by ``setup_script`` (in the background while other tests run); the server's log
    must end with no traceback and no ERROR line, but the statements a concurrent update refused (Odoo
    logs them, then replays the request)."""

    database_prefix = ""
    setup_script = ""
    workers = 2

    @classmethod
    def _prepare(cls):
        return prepared_database(cls.database_prefix, cls.setup_script)

    @classmethod
    def start_background(cls):
        start(cls.database_prefix, cls._prepare)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = missing_environment()
        assert not missing, f"{missing} are set by `make test`; run the suite through it"
        cls.dbname = start(cls.database_prefix, cls._prepare).result()
        cls.addClassCleanup(drop_database, cls.dbname)
        cls.log = os.path.join(
            os.path.dirname(os.environ["CREDIT_ODOO_CONF"]), f"{cls.database_prefix}-server.log"
        )
        cls.url = cls.enterClassContext(odoo_server(cls.dbname, workers=cls.workers, log_path=cls.log))
        cls.admin = JsonRpc(cls.url, cls.dbname, "admin", "admin")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()  # stops the server
        with open(cls.log) as log:
            text = log.read()
        lines = text.splitlines()
        expected = {i for i, line in enumerate(lines[:-1]) if lines[i + 1].startswith(SERIALIZATION_FAILURE)}
        unexpected = [line for i, line in enumerate(lines) if LOG_ERROR.match(line) and i not in expected]
        assert "Traceback" not in text, f"a traceback in the server's log ({cls.log})"
        assert not unexpected, f"the server logged errors (see {cls.log}): {unexpected[:3]}"
