"""A screenshot walk of the main screens of each role, in English and Simplified Chinese.

    scripts/screenshots.py -c .odoo/odoo.conf -d credit_screens --out .odoo/screenshots

On a database made by the demo data (scripts/demo_data.py): loads Chinese, serves the database with
a real Odoo server, and has headless Chromium (Debian's, through playwright) log in as the
salesperson, the controller and the accountant (admin) at 1366x768, one pass per language (the block
dialog and the quotation list's credit filter included), then prints the credit review and the
statement as PDFs and their first pages as PNG. Writes <out>/<lang>/<nn>-<role>-<screen>.png and
prints each file. Run through `make screenshots`.
"""

import os
import pathlib
import subprocess
import sys

import polib

HERE = pathlib.Path(__file__).resolve().parent
ADDON = HERE.parent / "credit_management"
sys.path.insert(0, str(HERE))

from odoo_env import odoo_env, parse_args  # noqa: E402 -- scripts/ is on the path as the script's folder
from odoo_serve import serve  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1366, "height": 768}
LANGS = ("en_US", "zh_CN")
SETTLE_MS = 1500
LOGINS = {"sales": "sales", "controller": "controller", "accountant": "admin"}


def screens(ids, label):
    """(role, name, url path, selector to wait for, steps) of the walk, in order. Steps, run once the
    selector is there, before the screenshot: ("click" | "scroll" | "wait", selector). ``label``
    gives a text of the interface in the walk's language (a filter's name)."""
    customer = "/odoo/action-credit_management.action_credit_customers/{}"
    credit_tab = [("click", ".o_notebook a[name='credit_management']")]
    blocked_filter = label("Credit: Blocked or on Hold")
    return [
        ("sales", "quotation-blocked", f"/odoo/sales/{ids['blocked']}", ".o_form_view", []),
        (
            "sales",
            "block-dialog",
            f"/odoo/sales/{ids['blocked']}",
            ".o_form_view",
            [
                ("click", ".o_statusbar_buttons button[name='action_confirm']:visible"),
                ("wait", ".modal-footer"),
            ],
        ),
        ("sales", "quotation-approval", f"/odoo/sales/{ids['approval']}", ".o_form_view", []),
        ("sales", "quotations", "/odoo/sales", ".o_list_view", []),
        (
            "sales",
            "quotations-credit-filter",
            "/odoo/sales",
            ".o_list_view",
            [
                ("click", ".o_searchview_dropdown_toggler"),
                ("click", f".o_filter_menu .o-dropdown-item:has-text('{blocked_filter}')"),
                ("click", ".o_searchview_dropdown_toggler"),
            ],
        ),
        ("controller", "dashboard", "/odoo/credit-dashboard", ".o_credit_dashboard .o_credit_kpi", []),
        (
            "controller",
            "worklist",
            "/odoo/action-credit_management.action_credit_collection_worklist",
            ".o_list_view",
            [],
        ),
        ("controller", "customer-credit", customer.format(ids["customer"]), ".o_notebook", credit_tab),
        (
            "controller",
            "customer-credit-breakdown",
            customer.format(ids["customer"]),
            ".o_notebook",
            [*credit_tab, ("scroll", "div[name='credit_breakdown_html']")],
        ),
        ("controller", "customer-on-hold", customer.format(ids["held"]), ".o_notebook", credit_tab),
        (
            "controller",
            "customer-on-hold-exposure",
            customer.format(ids["held"]),
            ".o_notebook",
            [*credit_tab, ("scroll", "div[name='credit_avg_days_late']")],
        ),
        (
            "controller",
            "score-history",
            "/odoo/action-credit_management.action_credit_score_history",
            ".o_list_view",
            [],
        ),
        (
            "controller",
            "approvals",
            "/odoo/action-credit_management.action_credit_approval_request",
            ".o_list_view",
            [],
        ),
        ("accountant", "aging", "/odoo/action-credit_management.action_credit_aging_report", ".o_action", []),
        (
            "accountant",
            "grade-distribution",
            "/odoo/action-credit_management.action_credit_grade_distribution_report",
            ".o_action",
            [],
        ),
        (
            "accountant",
            "grade-migration",
            "/odoo/action-credit_management.action_credit_grade_migration_report",
            ".o_action",
            [],
        ),
    ]


# (role, name, report, key of the record in prepare's ids)
PDFS = [
    ("controller", "review-pdf", "credit_management.action_report_credit_review", "customer"),
    ("accountant", "statement-pdf", "credit_management.action_report_customer_statement", "held"),
]


def prepare(config, database):
    """The records the walk opens: {key: id}. The demo data loaded Chinese."""
    with odoo_env(config, database) as env:
        orders = env["sale.order"].search([("state", "=", "draft")], order="id")
        by_action = {order.credit_check_action: order for order in orders}
        customer = env["res.partner"].search(
            [("customer_rank", ">", 0), ("parent_id", "=", False), ("credit_score_date", "!=", False)],
            order="id",
            limit=1,
        )
        held = env["res.partner"].search([("credit_hold", "=", True)], order="id", limit=1)
        return {
            "blocked": (by_action.get("block") or by_action["hold"]).id,
            "approval": by_action["approval"].id,
            "customer": (by_action["approval"].partner_id or customer).id,
            "held": (held or customer).id,
        }


def set_language(config, database, lang, ids):
    """The walk's users read ``lang``; the customers whose statement is printed too."""
    with odoo_env(config, database) as env:
        env["res.users"].search([("login", "in", list(LOGINS.values()))]).write({"lang": lang})
        env["res.partner"].browse([ids["held"]]).write({"lang": lang})


def labels(lang):
    """The walk's lookup of an interface text in ``lang``, from the addon's own translation."""
    if lang == "en_US":
        return lambda text: text
    entries = {entry.msgid: entry.msgstr for entry in polib.pofile(str(ADDON / "i18n" / f"{lang}.po"))}
    return lambda text: entries.get(text) or text


def print_pdfs(config, database, lang, out, ids, first):
    """Each PDF of ``PDFS`` rendered as its role reads it, its first page as PNG (pdftoppm)."""
    written = []
    with odoo_env(config, database) as env:
        for number, (role, name, report, key) in enumerate(PDFS, start=first):
            user = env["res.users"].search([("login", "=", LOGINS[role])])
            reports = env["ir.actions.report"].with_user(user).with_context(lang=lang)
            pdf, _kind = reports._render_qweb_pdf(report, [ids[key]])
            base = out / f"{number:02d}-{role}-{name}"
            base.with_suffix(".pdf").write_bytes(pdf)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(base) + ".pdf",
                    str(base),
                ],
                check=True,
            )
            written.append(base.with_suffix(".png"))
    return written


def walk(url, out, ids, label):
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
        for number, (role, name, path, ready, steps) in enumerate(screens(ids, label), start=1):
            page = pages[role]
            page.goto(f"{url}{path}")
            page.wait_for_selector(ready, timeout=60000)
            for kind, selector in steps:
                page.wait_for_selector(selector, timeout=60000)
                if kind == "click":
                    page.click(selector)
                elif kind == "scroll":
                    page.locator(selector).scroll_into_view_if_needed()
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
        set_language(args.config, args.database, lang, ids)
        out = pathlib.Path(args.out) / lang
        out.mkdir(parents=True, exist_ok=True)
        for old in [*out.glob("*.png"), *out.glob("*.pdf")]:  # a walk's files only, numbered afresh
            old.unlink()
        with serve(command, args.database) as url:
            shots = walk(url, out, ids, labels(lang))
            # while the server runs: wkhtmltopdf reads the PDFs' styles from it
            shots += print_pdfs(args.config, args.database, lang, out, ids, first=len(shots) + 1)
        for path in shots:
            print(path)


if __name__ == "__main__":
    main()
