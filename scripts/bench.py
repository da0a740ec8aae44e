"""Topup throughput on each backend, and the isolation of a slow biller; see scripts/bench."""
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import loket as harness  # noqa: E402

SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
CONNECTIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 32
WORKERS = int(os.environ.get("LOKET_BENCH_WORKERS", "4"))
PARTNERS = 32          # requests spread over this many partners, as in real traffic
DEPOSIT = 10 ** 12

# Each wrk thread numbers its own refIDs, so every request is a new topup.
LUA = r"""
local counter = 0
local prefix = "x"
function setup(thread)
  thread:set("prefix", string.format("%%s%%d", "%(run)s", math.random(1, 1e9)))
end
function init(args)
  prefix = wrk.thread:get("prefix") or prefix
end
request = function()
  counter = counter + 1
  return wrk.format("GET", "/V1/http-get?product=T1&dest=081200000000&refID=" .. prefix .. "-" .. counter ..
                    "&memberID=BENCH" .. (counter %% %(partners)d) .. "&pin=%(pin)s&password=%(password)s")
end
local sukses, other = 0, 0
response = function(status, headers, body)
  if string.find(body, " SUKSES,", 1, true) then sukses = sukses + 1 else other = other + 1 end
end
"""


def run(backend):
    harness.BACKEND = backend
    with harness.Loket(workers=WORKERS) as loket:
        for i in range(PARTNERS):
            loket.add_partner("BENCH%d" % i, deposit=DEPOSIT)
        loket.ctl("product", "set", "T1", "--price", 2000, "--biller", "sim")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(LUA % {"run": backend[:2], "pin": harness.PIN, "password": harness.PASSWORD,
                          "partners": PARTNERS})
            script = f.name
        out = subprocess.run(["wrk", "-t2", "-c%d" % CONNECTIONS, "-d%ds" % SECONDS, "--latency", "-s", script,
                              "http://127.0.0.1:%d" % loket.port], capture_output=True, text=True, check=True).stdout
        os.unlink(script)
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
        p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
        time.sleep(2)   # requests nginx still had in flight when wrk stopped
        done = loket.sql("SELECT COUNT(*) FROM transactions WHERE status = 'SUCCESS'")[0][0]
        held = loket.sql("SELECT COUNT(*) FROM transactions WHERE status IN ('SUCCESS', 'PENDING', 'QUEUED', "
                         "'SENT')")[0][0]
        debited = sum(DEPOSIT - loket.balance("BENCH%d" % i) for i in range(PARTNERS))
        audit = "ok" if loket.audit().returncode == 0 else "FAILED"
        return {"backend": backend, "rps": rps, "p50": p50, "p99": p99, "done": done,
                "debit_ok": debited == held * 2000, "audit": audit}


BALANCE_LUA = r"""
request = function()
  return wrk.format("GET", "/V1/http-get/balance?memberID=BENCH1&pin=%(pin)s&password=%(password)s")
end
"""


def wrk(loket, script_text, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script_text)
        script = f.name
    out = subprocess.run(["wrk", "-t2", "-c16", "-d%ds" % seconds, "--latency", "-s", script,
                          "http://127.0.0.1:%d" % loket.port], capture_output=True, text=True, check=True).stdout
    os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    return rps, p50, p99


def isolation(backend, waiting_counts=(0, 64, 256), seconds=4):
    """p50/p99 of balance requests and of instant topups while N orders wait at a 10 s biller."""
    harness.BACKEND = backend
    rows = []
    with harness.Loket(workers=WORKERS, biller_timeout_ms=15000) as loket:
        for i in range(PARTNERS):
            loket.add_partner("BENCH%d" % i, deposit=DEPOSIT)
        loket.add_partner("SLOWB", deposit=DEPOSIT)
        loket.ctl("product", "set", "T1", "--price", 2000, "--biller", "sim")
        loket.ctl("sim", "set", "081299999999", "--result", "success", "--delay-ms", 10000)
        for n in waiting_counts:
            def slow(i, n=n):
                q = "product=T1&dest=081299999999&refID=SLOW%d-%d&memberID=SLOWB&pin=%s&password=%s" % (
                    n, i, harness.PIN, harness.PASSWORD)
                try:
                    urllib.request.urlopen("http://127.0.0.1:%d/V1/http-get?%s" % (loket.port, q), timeout=60).read()
                except Exception:
                    pass
            threads = [threading.Thread(target=slow, args=(i,)) for i in range(n)]
            for t in threads:
                t.start()
            loket.wait_for(lambda: loket.sql("SELECT COUNT(*) FROM transactions WHERE member_id = 'SLOWB' AND "
                                             "status = 'SENT'")[0][0] >= n, seconds=20)
            balance = wrk(loket, BALANCE_LUA % {"pin": harness.PIN, "password": harness.PASSWORD}, seconds)
            topup = wrk(loket, LUA % {"run": "i%d" % n, "pin": harness.PIN, "password": harness.PASSWORD,
                                      "partners": PARTNERS}, seconds)
            in_flight = loket.sql("SELECT COUNT(*) FROM transactions WHERE member_id = 'SLOWB' AND "
                                  "status IN ('QUEUED', 'SENT')")[0][0]
            rows.append((backend, n, in_flight, balance, topup))
            for t in threads:
                t.join()
            loket.wait_for(lambda: loket.sql("SELECT COUNT(*) FROM transactions WHERE status IN "
                                             "('QUEUED', 'SENT')")[0][0] == 0, seconds=30)
        audit = "ok" if loket.audit().returncode == 0 else "FAILED"
    return rows, audit


def main():
    print("isolation: balance and instant topups (wrk -t2 -c16) while N orders wait at a 10 s biller, %d workers"
          % WORKERS)
    print("%-12s %5s %10s %10s %8s %8s %10s %8s %8s" % ("backend", "N", "at biller", "balance/s", "p50", "p99",
                                                       "topups/s", "p50", "p99"))
    for backend in ("sqlite", "postgresql"):
        rows, audit = isolation(backend)
        for b, n, in_flight, bal, top in rows:
            print("%-12s %5d %10d %10.0f %8s %8s %10.0f %8s %8s" % (b, n, in_flight, bal[0], bal[1], bal[2],
                                                                   top[0], top[1], top[2]))
        print("%-12s audit %s" % (backend, audit))
    print()
    results = [run(b) for b in ("sqlite", "postgresql")]
    print("topups through nginx -> %d workers, %d partners, wrk -t2 -c%d -d%ds, client and server on the same 2 cores"
          % (WORKERS, PARTNERS, CONNECTIONS, SECONDS))
    print("%-12s %10s %10s %10s %12s %10s %7s" % ("backend", "topups/s", "p50", "p99", "SUKSES rows", "debits", "audit"))
    for r in results:
        print("%-12s %10.0f %10s %10s %12d %10s %7s" % (r["backend"], r["rps"], r["p50"], r["p99"], r["done"],
                                                       "match" if r["debit_ok"] else "MISMATCH", r["audit"]))


if __name__ == "__main__":
    main()
