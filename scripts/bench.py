"""Topup throughput on each backend; see scripts/bench."""
import os
import re
import subprocess
import sys
import tempfile
import time

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
        held = loket.sql("SELECT COUNT(*) FROM transactions WHERE status IN ('SUCCESS', 'PENDING')")[0][0]
        debited = sum(DEPOSIT - loket.balance("BENCH%d" % i) for i in range(PARTNERS))
        audit = "ok" if loket.audit().returncode == 0 else "FAILED"
        return {"backend": backend, "rps": rps, "p50": p50, "p99": p99, "done": done,
                "debit_ok": debited == held * 2000, "audit": audit}


def main():
    results = [run(b) for b in ("sqlite", "postgresql")]
    print("topups through nginx -> %d workers, %d partners, wrk -t2 -c%d -d%ds, client and server on the same 2 cores"
          % (WORKERS, PARTNERS, CONNECTIONS, SECONDS))
    print("%-12s %10s %10s %10s %12s %10s %7s" % ("backend", "topups/s", "p50", "p99", "SUKSES rows", "debits", "audit"))
    for r in results:
        print("%-12s %10.0f %10s %10s %12d %10s %7s" % (r["backend"], r["rps"], r["p50"], r["p99"], r["done"],
                                                       "match" if r["debit_ok"] else "MISMATCH", r["audit"]))


if __name__ == "__main__":
    main()
