"""A screenshot walk of the main screens of each role, in English and Simplified Chinese.

    scripts/screenshots.py -c .odoo/odoo.conf -d credit_screens --out .odoo/screenshots

On a database made by the demo data (scripts/demo_data.py): loads Chinese, serves the database with
a real Odoo server, and has headless Chromium (Debian's, through playwright) log in as the
salesperson, the controller and the accountant (admin) at 1366x768, one pass per language. Writes
<out>/<lang>/<nn>-<role>-<screen>.png and prints each file. Run through `make screenshots`.
"""

import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from odoo_env import odoo_env, parse_args  # noqa: E402 -- scripts/ is on the path as the script's folder
from odoo_serve import serve  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1366, "height": 768}
LANGS = ("en_US", "zh_CN")
SETTLE_MS = 1500
LOGINS = {"sales": "sales", "controller": "controller", "accountant": "admin"}


def screens(ids):
    """(role, name, url path, selector to wait for) of the walk, in order; a selector of the form
    ``"... >> click"`` is clicked once present (a tab), the screenshot taken after."""
    customer = f"/odoo/action-credit_management.action_credit_customers/{ids['customer']}"
    return [
        ("sales", "quotation-blocked", f"/odoo/sales/{ids['blocked']}", ".o_form_view"),
        ("sales", "quotation-approval", f"/odoo/sales/{ids['approval']}", ".o_form_view"),
        ("sales", "quotations", "/odoo/sales", ".o_list_view"),
        ("controller", "dashboard", "/odoo/credit-dashboard", ".o_credit_dashboard .o_credit_kpi"),
        (
            "controller",
            "worklist",
            "/odoo/action-credit_management.action_credit_collection_worklist",
            ".o_list_view",
        ),
        ("controller", "customer-credit", customer, ".o_notebook a[name='credit_management'] >> click"),
        (
            "controller",
            "approvals",
            "/odoo/action-credit_management.action_credit_approval_request",
            ".o_list_view",
        ),
        ("accountant", "aging", "/odoo/action-credit_management.action_credit_aging_report", ".o_action"),
        (
            "accountant",
            "grade-distribution",
            "/odoo/action-credit_management.action_credit_grade_distribution_report",
            ".o_action",
        ),
    ]


def prepare(config, database):
    """Chinese loaded; the records the walk opens: {key: id}."""
    with odoo_env(config, database) as env:
        env["res.lang"]._activate_lang("zh_CN")
        modules = env["ir.module.module"].search([("state", "=", "installed")])
        modules._update_translations(["zh_CN"])
        orders = env["sale.order"].search([("state", "=", "draft")], order="id")
        by_action = {order.credit_check_action: order for order in orders}
        customer = env["res.partner"].search(
            [("customer_rank", ">", 0), ("parent_id", "=", False), ("credit_score_date", "!=", False)],
            order="id",
            limit=1,
        )
        return {
            "blocked": (by_action.get("block") or by_action["hold"]).id,
            "approval": by_action["approval"].id,
            "customer": (by_action["approval"].partner_id or customer).id,
        }


def set_language(config, database, lang):
    with odoo_env(config, database) as env:
        env["res.users"].search([("login", "in", list(LOGINS.values()))]).write({"lang": lang})


def walk(url, out, ids):
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pages = {}
        for role, login in LOGINS.items():
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(f"{url}/web/login")
            page.fill("input[name=login]", login)
            page.fill("input[name=password]", login)
            page.click("button[type=submit]")
            page.wait_for_selector(".o_main_navbar", timeout=60000)
            pages[role] = page
        for number, (role, name, path, ready) in enumerate(screens(ids), start=1):
            page = pages[role]
            page.goto(f"{url}{path}")
            ready, _sep, action = ready.partition(" >> ")
            page.wait_for_selector(ready, timeout=60000)
            if action == "click":
                page.click(ready)
            # the bus keeps a connection open, so the network never idles: let the view settle
            page.wait_for_timeout(SETTLE_MS)
            target = out / f"{number:02d}-{role}-{name}.png"
            page.screenshot(path=str(target))
            written.append(target)
        browser.close()
    return written


def main():
    args = parse_args(__doc__.splitlines()[0], lambda parser: parser.add_argument("--out", required=True))
    odoo_bin = pathlib.Path(os.environ.get("ODOO_SRC", "/opt/odoo-18.0")) / "odoo-bin"
    command = [sys.executable, str(odoo_bin), "-c", args.config, "-d", args.database, "--log-level=warn"]
    ids = prepare(args.config, args.database)
    for lang in LANGS:
        set_language(args.config, args.database, lang)
        out = pathlib.Path(args.out) / lang
        out.mkdir(parents=True, exist_ok=True)
        with serve(command, args.database) as url:
            for path in walk(url, out, ids):
                print(path)


if __name__ == "__main__":
    main()
