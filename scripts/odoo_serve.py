"""A real Odoo server in a child process, for the out-of-process tests and the screenshot walk."""

import contextlib
import os
import socket
import subprocess
import time

import requests


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(command, dbname, workers=0, log_path=None):
    """Run ``command`` (odoo-bin and its configuration, without HTTP options) serving ``dbname`` only, on
    a free local port, until the block ends; yields its base URL."""
    port, gevent_port = free_port(), free_port()
    cmd = [
        *command,
        f"--workers={workers}",
        f"--http-port={port}",
        f"--gevent-port={gevent_port}",
        "--max-cron-threads=0",
        f"--db-filter=^{dbname}$",
        "--http-interface=127.0.0.1",
    ]
    log = open(log_path or os.devnull, "w")  # noqa: SIM115 -- closed below, after the server stops
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{url}/web/health", timeout=2).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Odoo server on port {port} did not start (log: {log_path})")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=60)
        log.close()
