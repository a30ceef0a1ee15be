"""Benchmark: the controller's dashboard over 100,000 customers with 1,000,000 open invoices.

    make bench BENCH=dashboard [BENCH_ARGS="--runs 5"]

The aging benchmark's ledger (bench_aging.seed: 100,000 customers, each with a grade and ten open
invoices spread over every age), seeded the first time. Prints, as a credit controller:

- the dashboard's one server call (credit.dashboard.get_data: every KPI, both charts, the four lists),
  on a cold ORM cache, min and median over --runs;
- its first paint in a real browser (headless Debian chromium through playwright, 1366x768, served by
  a real Odoo server): from the click on the Dashboard menu to the KPI tiles on screen, the web client
  already loaded, min and median over --runs. Target 1.5 s.
Asserts nothing.
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "scripts"))

import bench_aging  # noqa: E402 -- bench/ is on the path as the script's folder
import benchenv  # noqa: E402
from odoo_env import odoo_env  # noqa: E402
from odoo_serve import serve  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

LOGIN = "bench_controller"
CHROMIUM = "/usr/bin/chromium"


def controller(env):
    return benchenv.controller_user(env, LOGIN, password=LOGIN)


def server_call(env, runs):
    dashboard = env["credit.dashboard"].with_user(controller(env))
    data = dashboard.get_data()
    kpis = ", ".join(f"{kpi['label']} {kpi['value']:,.1f}" for kpi in data["kpis"])
    print(f"dashboard: {kpis}")
    bench_aging.timed(env, "server call (get_data)", runs, dashboard.get_data)


def first_paint(args, runs):
    command = [
        sys.executable,
        os.path.join(benchenv.ODOO_SRC, "odoo-bin"),
        "-c",
        args.config,
        "-d",
        args.database,
    ]
    seconds = []
    with serve([*command, "--log-level=warn"], args.database) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{url}/web/login")
        page.fill("input[name=login]", LOGIN)
        page.fill("input[name=password]", LOGIN)
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar", timeout=120000)
        for _ in range(runs + 1):  # the first one warms the server's caches and the assets
            page.goto(f"{url}/odoo/action-credit_management.action_credit_customers")
            page.wait_for_selector(".o_list_view", timeout=120000)
            menu = page.locator(".o_main_navbar a:has-text('Dashboard')").first
            started = time.perf_counter()
            menu.click()
            page.wait_for_selector(".o_credit_dashboard .o_credit_kpi", timeout=120000)
            seconds.append(time.perf_counter() - started)
        browser.close()
    seconds = seconds[1:]
    print(
        f"{'first paint in the browser (menu to tiles)':<44} min {min(seconds):6.3f} s   "
        f"median {statistics.median(seconds):6.3f} s   (target 1.5 s)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", default="bench_dashboard")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    benchenv.ensure_database(args.config, args.database)
    with odoo_env(args.config, args.database) as env:
        bench_aging.seed_once(env, args.database, args.lines, args.customers)
        bench_aging.verify_sample(env)
        controller(env)
        server_call(env, args.runs)
    first_paint(args, args.runs)


if __name__ == "__main__":
    main()
