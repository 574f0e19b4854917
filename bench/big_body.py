"""What a 50 MB webhook body costs an Odoo worker (plain Python, Linux /proc).

    python bench/big_body.py --url http://127.0.0.1:PORT/econnect_psb/webhook
    --master-pid PID [--mb 50]

Sends the body three ways: chunked (no Content-Length), with its Content-Length, and a
small ordinary event for reference, each on its own connection; meanwhile it samples
every 10 ms the resident memory (VmRSS) of the Odoo processes (the children of
``--master-pid``). After ``--warmup`` rounds (a worker's first requests fill its caches)
it repeats every case ``--rounds`` times and prints, per case, the HTTP status, the
median time to the answer, and the growth of the most grown process's memory over its
level before the request (median and maximum).
"""

import argparse
import http.client
import json
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

CHUNK = 64 * 1024


def children(pid):
    result = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                result.append(int(entry.name))
    return result


def rss_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


class Sampler(threading.Thread):
    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self.base = {pid: rss_kb(pid) for pid in pids}
        self.peak = dict(self.base)
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss_kb(pid))
            time.sleep(0.01)

    def growth_mb(self):
        return max((self.peak[pid] - self.base[pid]) / 1024 for pid in self.pids)


def send(url, size, chunked):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    headers = {
        "Content-Type": "application/json",
        "X-EConnect-Signature": "sha256=" + "0" * 64,
        "Connection": "close",
    }
    started = time.perf_counter()
    try:
        if size is None:
            body = json.dumps(
                {"topic": "Ping", "partyId": "0106:1", "documentId": "x"}
            ).encode()
            connection.request("POST", parts.path, body=body, headers=headers)
        else:

            def body():
                sent = 0
                yield b'{"pad": "'
                while sent < size:
                    yield b"x" * CHUNK
                    sent += CHUNK
                yield b'"}'

            if not chunked:
                headers["Content-Length"] = str(size + 11 + (-size % CHUNK))
            connection.request(
                "POST", parts.path, body=body(), headers=headers, encode_chunked=chunked
            )
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except OSError as exc:  # the server may close the connection after its 413
        return f"closed ({exc.__class__.__name__})", time.perf_counter() - started
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--master-pid", type=int, required=True)
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    size = args.mb * 1024 * 1024
    workers = children(args.master_pid)
    print(f"Odoo workers: {workers} (pid {os.getpid()} sampling)")
    cases = (
        ("small event", None, False),
        (f"{args.mb} MB chunked", size, True),
        (f"{args.mb} MB with Content-Length", size, False),
    )
    results = {label: [] for label, _size, _chunked in cases}
    for round_ in range(args.warmup + args.rounds):
        for label, body_size, chunked in cases:
            sampler = Sampler(workers)
            sampler.start()
            status, seconds = send(args.url, body_size, chunked)
            time.sleep(0.3)
            sampler.stop.set()
            sampler.join()
            if (
                round_ >= args.warmup
            ):  # the first requests of a worker allocate its caches
                results[label].append((status, seconds, sampler.growth_mb()))
    for label, runs in results.items():
        statuses = sorted({str(status) for status, _s, _g in runs})
        times = sorted(seconds for _st, seconds, _g in runs)
        growth = [g for _st, _s, g in runs]
        print(
            f"{label:32} status {'/'.join(statuses):5} median "
            f"{times[len(times) // 2] * 1000:6.0f} ms  "
            f"worker memory growth median +{sorted(growth)[len(growth) // 2]:.1f} MB, "
            f"max +{max(growth):.1f} MB"
        )


if __name__ == "__main__":
    main()
