"""Refreshing bureau reports for 10,000 customers against the local simulated Creditsafe server.

    make bench BENCH=bureau [BENCH_ARGS="--customers 10000"]

Creates the customers (company, country, registration number) the first time, queues a report for each
(as the daily refresh would), then runs the bureau cron in a child process while this process serves the
simulated API (tests/bureau_server.py): total time, calls, the child's peak RSS. Then the crash test:
the queue is filled again, the child is killed mid-run and started again; no customer's report is
fetched twice. Prints its figures;
asserts nothing.
"""

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import benchenv  # noqa: E402 -- bench/ is on the path as the script's folder
from bureau_server import PASSWORD, USERNAME, BureauServer  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", default="bench_bureau")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step](args)), flush=True)
        return
    benchenv.ensure_database(args.config, args.database)
    with BureauServer() as server:
        args.url = f"{server.url}/v1"
        print(f"setup: {_child(args, 'setup')}")
        server.calls.clear()
        started = time.perf_counter()
        result = _child(args, "run")
        seconds = time.perf_counter() - started
        reports = _reports(server.calls)
        print(
            f"refresh of {args.customers:,} customers, {args.concurrency} connections: {seconds:.1f} s "
            f"({reports / seconds:.0f} reports/s), {reports:,} report calls, "
            f"{server.calls['/v1/authenticate']} authentication(s); child {result}"
        )
        server.calls.clear()
        _child(args, "queue")
        child = _spawn(args, "run")
        time.sleep(max(seconds / 3, 2))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        killed = dict(server.calls)
        _child(args, "run")
        twice = [path for path, n in server.calls.items() if path.count("/") == 3 and n > 1]
        print(
            f"killed after {_reports(killed):,} report calls, run again: {_reports(server.calls):,} report "
            f"calls in all, {len(twice)} customer(s) called twice the same day"
        )


def _reports(calls):
    """Calls of /v1/companies/{id}: one per report."""
    return sum(n for path, n in calls.items() if path.count("/") == 3)


def _spawn(args, step):
    cmd = [
        sys.executable,
        __file__,
        "-c",
        args.config,
        "-d",
        args.database,
        f"--step={step}",
        f"--customers={args.customers}",
        f"--concurrency={args.concurrency}",
        f"--url={args.url}",
    ]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _child(args, step):
    child = _spawn(args, step)
    out, err = child.communicate()
    if child.returncode:
        sys.exit(f"step {step} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def _env(args):
    from odoo_env import odoo_env

    return odoo_env(args.config, args.database)


def step_setup(args):
    """The provider and the customers, once; a clean queue and no reports."""
    with _env(args) as env:
        providers = env["credit.bureau.provider"].with_context(active_test=False).search([])
        provider = providers[:1] or providers.create({"name": "Simulated Creditsafe", "kind": "creditsafe"})
        provider.write(
            {
                "environment": "custom",
                "base_url": args.url,
                "username": USERNAME,
                "password": PASSWORD,
                "monthly_budget": 0,
                "concurrency": args.concurrency,
                "token": False,
                "active": True,
            }
        )
        env.cr.execute("SELECT count(*) FROM res_partner WHERE ref LIKE 'BUREAU-%%'")
        have = env.cr.fetchone()[0]
        if have < args.customers:
            gb = env.ref("base.uk").id
            partners = env["res.partner"].with_context(tracking_disable=True)
            for start in range(have, args.customers, 1000):
                partners.create(
                    [
                        {
                            "name": f"Bureau customer {i}",
                            "ref": f"BUREAU-{i}",
                            "is_company": True,
                            "customer_rank": 1,
                            "country_id": gb,
                            "company_registry": f"{i:08d}",
                        }
                        for i in range(start, min(start + 1000, args.customers))
                    ]
                )
        env.cr.commit()
    return step_queue(args)


def step_queue(args):
    """A report due today for every bench customer: the earlier run's requests and reports are dropped."""
    with _env(args) as env:
        env.cr.execute("DELETE FROM credit_bureau_request; DELETE FROM credit_bureau_report")
        partners = env["res.partner"].search([("ref", "like", "BUREAU-")])
        env["credit.bureau.request"]._enqueue(partners, "refresh")
        env.cr.commit()
        return {"queued": len(partners)}


def step_run(args):
    """The bureau cron, as the server runs it (a commit per answer)."""
    with _env(args) as env:
        started = time.perf_counter()
        calls = env["credit.bureau.request"]._cron_process(auto_commit=True)
        return {
            "calls": calls,
            "seconds": round(time.perf_counter() - started, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }


STEPS = {"setup": step_setup, "queue": step_queue, "run": step_run}

if __name__ == "__main__":
    main()
