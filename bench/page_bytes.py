"""What a page's bytes alone cost the server and a client: CPU per request for bodies of a few
sizes, served by uvicorn (httptools, uvloop, as `smartpick serve`) to one keep-alive client on
loopback (`bench/load.py`'s lean client), with no computation behind them.

The results page of the load test's 12 addresses weighs a few hundred KB; this tells how much of
the server's and the load's CPU a request is its size, whatever the page computes.

    .venv/bin/python bench/page_bytes.py [--sizes 10,300,700] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load import _Connection, _counters, _free_port, _process_tree  # noqa: E402

# The app: one body of KB kilobytes for every request.
APP = """
import os
BODY = b"x" * (int(os.environ["KB"]) * 1024)
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await receive()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})
"""


async def _requests(port: int, n: int) -> None:
    connection = _Connection("127.0.0.1", port, {})
    for _ in range(n):
        await connection.get("/results?" + "q" * 400)  # about a results page's query
    connection.close()


def measure(kb: int, requests: int) -> tuple[float, float]:
    """(server, client) CPU ms per request for a body of `kb` KB."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "bytes_app.py").write_text(APP)
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "uvicorn"), "bytes_app:app", "--port", str(port)]
            + ["--log-level", "warning", "--no-access-log"],
            env={**os.environ, "KB": str(kb), "PYTHONPATH": folder},
        )
        try:
            for _ in range(100):  # until it listens
                try:
                    asyncio.run(_requests(port, 50))
                    break
                except OSError:
                    time.sleep(0.1)
            pids = _process_tree(server.pid)
            server_at, client_at = _counters(pids).cpu_s, time.process_time()
            asyncio.run(_requests(port, requests))
            server_ms = 1000 * (_counters(pids).cpu_s - server_at) / requests
            client_ms = 1000 * (time.process_time() - client_at) / requests
        finally:
            server.terminate()
            server.wait()
    return server_ms, client_ms


def main() -> None:
    """Print the CPU per request of each body size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,300,700", help="body sizes in KB, comma-separated")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not all(1 <= s <= 10_000 for s in sizes) or not 100 <= args.requests <= 100_000:
        parser.error("sizes must be 1-10,000 KB and requests 100-100,000")
    print(f"machine {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'body':>8}{'server ms':>12}{'client ms':>12}   CPU per request")
    for kb in sizes:
        server_ms, client_ms = measure(kb, args.requests)
        print(f"{kb:>5} KB{server_ms:>12.2f}{client_ms:>12.2f}", flush=True)


if __name__ == "__main__":
    main()
