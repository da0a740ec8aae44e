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
# Each backend's pool as its docs configure it: on SQLite one worker with 384
# threads (scripts/loket.properties.in), through ODBC 4 workers with 96 each
# (docs/postgresql.md).  LOKET_BENCH_WORKERS=N: N workers on both, with
# 384 threads in all.
_WORKERS = os.environ.get("LOKET_BENCH_WORKERS")
if _WORKERS is not None and not (_WORKERS.isdigit() and 1 <= int(_WORKERS) <= 384):
    sys.exit("LOKET_BENCH_WORKERS must be a number of workers from 1 to 384, not %r" % _WORKERS)
POOLS = {backend: (int(_WORKERS), 384 // int(_WORKERS)) if _WORKERS else pool
         for backend, pool in (("sqlite", (1, 384)), ("postgresql", (4, 96)))}


def pool_of(backend):
    """harness.Loket's arguments for `backend`'s pool."""
    workers, threads = POOLS[backend]
    return workers, {"pool.threads": threads}


def pool_text(backend):
    workers, threads = POOLS[backend]
    return "%d worker%s x %d threads" % (workers, "" if workers == 1 else "s", threads)
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
    workers, keys = pool_of(backend)
    with harness.Loket(workers=workers, keys=keys) as loket:
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
    return wrk_conns(loket, script_text, seconds, 16)


def isolation(backend, waiting_counts=(0, 64, 256), seconds=4):
    """p50/p99 of balance requests and of instant topups while N orders wait at a 10 s biller."""
    harness.BACKEND = backend
    rows = []
    # The slow and the instant orders share the sim biller here, so its own
    # in-flight limit (biller.max_in_flight, 256) is raised: what is measured
    # is the request path beside N waiting orders, not that per-biller limit.
    workers, keys = pool_of(backend)
    keys["biller.sim.max_in_flight"] = 1024
    with harness.Loket(workers=workers, biller_timeout_ms=15000, keys=keys) as loket:
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


# -- the limits of issue 12, measured beside Loket ---------------------------

TOOLS = os.path.join(harness.BUILD, "bench")


def compile_tools():
    os.makedirs(TOOLS, exist_ok=True)
    src = os.path.join(ROOT, "scripts", "bench.d")
    subprocess.run(["gcc", "-O2", "-o", os.path.join(TOOLS, "responder"), os.path.join(src, "responder.c"), "-lfcgi"],
                   check=True)
    subprocess.run(["gcc", "-O2", "-o", os.path.join(TOOLS, "sqlite_commits"), os.path.join(src, "sqlite_commits.c"),
                    "-lsqlite3"], check=True)


def lib(loket, *command):
    subprocess.run(["bash", "-c", '. "$0/scripts/lib.sh"; "$@"', ROOT] + list(command), env=loket.env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wrk_conns(loket, script_text, seconds, connections, warm_up=0):
    """Requests/s, p50 and p99 of a wrk run.  With warm_up, a run of that many
    seconds first, not counted: the first requests of a fresh pool open its
    database connections and compile their statements (only for scripts that
    may run twice: a topup's refIDs must not repeat)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script_text)
        script = f.name

    def run(duration):
        return subprocess.run(["wrk", "-t2", "-c%d" % connections, "-d%ds" % duration, "--latency", "-s", script,
                               "http://127.0.0.1:%d" % loket.port], capture_output=True, text=True, check=True).stdout
    try:
        if warm_up:
            run(warm_up)
        out = run(seconds)
    finally:
        os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    return rps, p50, p99


def bare_responder_rps(loket, seconds):
    """The same nginx, the same socket, 4 bare libfcgi processes instead of Loket's pool."""
    with open(os.path.join(loket.home, "run", "pool.pid")) as f:
        pool = int(f.read())
    lib(loket, "loket_stop_pool", str(pool), "30")
    sock = loket.socket_path
    bare = subprocess.Popen(["spawn-fcgi", "-n", "-s", sock, "-M", "0666", "-F", "4", "--",
                             os.path.join(TOOLS, "responder")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    try:
        return wrk_conns(loket, BALANCE_LUA % {"pin": harness.PIN, "password": harness.PASSWORD}, seconds, 32,
                         warm_up=1)
    finally:
        subprocess.run(["pkill", "-f", os.path.join(TOOLS, "responder")])
        bare.wait()
        lib(loket, "loket_start_pool", loket.home)
        time.sleep(1)


def sqlite_commit_rate(loket, seconds):
    path = os.path.join(loket.home, "limit.db")
    out = subprocess.run([os.path.join(TOOLS, "sqlite_commits"), path, str(seconds)], capture_output=True, text=True,
                         check=True).stdout
    return float(out)


def pgbench_tps(loket, seconds, clients):
    env = dict(os.environ, PGHOST="127.0.0.1", PGPORT=str(loket.pg.port), PGUSER="loket")
    subprocess.run(["pgbench", "-i", "-q", "-s", "4", "loket"], env=env, check=True, capture_output=True)
    out = subprocess.run(["pgbench", "-N", "-c", str(clients), "-j", "2", "-T", str(seconds), "loket"], env=env,
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def callgrind_per_request(loket, query, uri, counts=(200, 500)):
    """Instructions one worker spends per request: two runs under callgrind
    with different numbers of requests; the difference over the extra ones.
    The first 200 warm every request thread up (its buffers, its cipher
    context), so the difference is the steady state, not first-use costs."""
    totals = []
    # 96 request threads, so that the first 200 requests (which go round the
    # threads waiting in accept) warm every one of them up.
    config = os.path.join(loket.home, "cg.properties")
    with open(os.path.join(loket.home, "loket.properties")) as f, open(config, "w") as g:
        g.write(f.read() + "\npool.threads = 96\n")
    for n in counts:
        sock = os.path.join(loket.home, "run", "cg.sock")
        out = os.path.join(loket.home, "cg.out")
        worker = subprocess.Popen(["spawn-fcgi", "-n", "-s", sock, "-M", "0666", "--", "/usr/bin/valgrind", "--tool=callgrind",
                                   "--callgrind-out-file=" + out, os.path.join(harness.BIN, "loket-fcgi"), "--config",
                                   config],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for i in range(n):
            q = query % {"i": "%d-%d-%d" % (n, i, int(time.time() * 1000))}
            env = {"PATH": "/usr/bin:/bin", "REQUEST_METHOD": "GET", "DOCUMENT_URI": uri, "QUERY_STRING": q,
                   "SERVER_PROTOCOL": "HTTP/1.1"}
            for _ in range(600):
                if worker.poll() is not None:
                    raise RuntimeError("the worker under callgrind exited")
                r = subprocess.run(["cgi-fcgi", "-bind", "-connect", sock], env=env, capture_output=True)
                if r.returncode == 0 and r.stdout:
                    break
                time.sleep(0.1)
        worker.send_signal(15)
        worker.wait(timeout=120)
        with open(out) as f:
            totals.append(int(re.search(r"^summary: (\d+)", f.read(), re.M).group(1)))
        os.unlink(out)
    return (totals[1] - totals[0]) / (counts[1] - counts[0])


def worker_rss_kb(loket):
    rss = []
    for pid in loket.worker_pids():
        with open("/proc/%d/status" % pid) as f:
            rss.append(int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)))
    return max(rss) if rss else 0


def limits(backend, seconds):
    """One row of issue 12's table per path, each limit measured beside Loket."""
    harness.BACKEND = backend
    rows = {}
    workers, keys = pool_of(backend)
    with harness.Loket(workers=workers, keys=keys) as loket:
        for i in range(PARTNERS):
            loket.add_partner("BENCH%d" % i, deposit=DEPOSIT)
        loket.ctl("product", "set", "T1", "--price", 2000, "--biller", "sim")
        rows["balance"] = wrk_conns(loket, BALANCE_LUA % {"pin": harness.PIN, "password": harness.PASSWORD},
                                    seconds, 32, warm_up=1)
        rows["topup"] = wrk_conns(loket, LUA % {"run": "l" + backend[:2], "pin": harness.PIN,
                                                "password": harness.PASSWORD, "partners": PARTNERS}, seconds, 32)
        rows["rss_kb"] = worker_rss_kb(loket)
        if backend == "sqlite":
            rows["bare"] = bare_responder_rps(loket, seconds)
            rows["limit_topup"] = sqlite_commit_rate(loket, seconds)
            creds = "memberID=BENCH1&pin=%s&password=%s" % (harness.PIN, harness.PASSWORD)
            rows["cpu_balance"] = callgrind_per_request(loket, creds + "&x=%(i)s", "/V1/http-get/balance")
            rows["cpu_topup"] = callgrind_per_request(
                loket, "product=T1&dest=081200000000&refID=cg%(i)s&" + creds, "/V1/http-get")
        else:
            rows["limit_topup"] = pgbench_tps(loket, seconds, 32)
        rows["audit"] = "ok" if loket.audit().returncode == 0 else "FAILED"
    return rows


# The "before" column: issue 12's own measurement of the code it was filed
# against (one run, the same kind of machine), printed beside this run.
BEFORE = {"balance": "0.34-0.42", "topup": "0.18-0.19", "cpu_balance": "184k", "cpu_topup": "2.2M"}


def print_limits(seconds):
    print("issue 12: Loket beside the limits of this machine (wrk -t2 -c32 -d%ds; SQLite: %s, PostgreSQL: %s; "
          "client and server on the same cores)" % (seconds, pool_text("sqlite"), pool_text("postgresql")))
    print("%-34s %12s %14s %18s %7s %7s %10s" % ("path", "Loket", "p50 / p99", "limit", "ratio", "goal", "before"))
    for backend in ("sqlite", "postgresql"):
        r = limits(backend, seconds)
        bal, top = r["balance"], r["topup"]
        if backend == "sqlite":
            print("%-34s %10.0f/s %14s %13.0f/s bare %7.2f %7s %10s" % (
                "balance", bal[0], bal[1] + " / " + bal[2], r["bare"][0], bal[0] / r["bare"][0], ">=0.80",
                BEFORE["balance"]))
            print("%-34s %10.0f/s %14s %11.0f/s commit %7.2f %7s %10s" % (
                "topup, instant biller, 32 partners", top[0], top[1] + " / " + top[2], r["limit_topup"],
                top[0] / r["limit_topup"], ">=0.50", BEFORE["topup"]))
            print("%-34s %12.0f %14s %18s %7s %7s %10s" % ("CPU per balance (instructions)", r["cpu_balance"], "", "",
                                                          "", "<=80k", BEFORE["cpu_balance"]))
            print("%-34s %12.0f %14s %18s %7s %7s %10s" % ("CPU per topup (instructions)", r["cpu_topup"], "", "", "",
                                                          "<=600k", BEFORE["cpu_topup"]))
        else:
            print("%-34s %10.0f/s %14s %10.0f/s pgbench %7.2f %7s" % (
                "topup on PostgreSQL, c=32", top[0], top[1] + " / " + top[2], r["limit_topup"],
                top[0] / r["limit_topup"], ""))
            print("%-34s %10.0f/s %14s" % ("balance on PostgreSQL", bal[0], bal[1] + " / " + bal[2]))
        print("%-34s %9.0f MiB %14s %18s %7s %7s" % ("RSS per worker (%s, largest)" % backend, r["rss_kb"] / 1024.0,
                                                     "", "", "", ""))
        print("%-34s %12s" % ("audit after the run (%s)" % backend, r["audit"]))
    print()


def main():
    compile_tools()
    print_limits(SECONDS)
    print("isolation: balance and instant topups (wrk -t2 -c16) while N orders wait at a 10 s biller (SQLite: %s, "
          "PostgreSQL: %s)" % (pool_text("sqlite"), pool_text("postgresql")))
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
    print("topups through nginx (SQLite: %s, PostgreSQL: %s), %d partners, wrk -t2 -c%d -d%ds, client and server "
          "on the same 2 cores" % (pool_text("sqlite"), pool_text("postgresql"), PARTNERS, CONNECTIONS, SECONDS))
    print("%-12s %10s %10s %10s %12s %10s %7s" % ("backend", "topups/s", "p50", "p99", "SUKSES rows", "debits", "audit"))
    for r in results:
        print("%-12s %10.0f %10s %10s %12d %10s %7s" % (r["backend"], r["rps"], r["p50"], r["p99"], r["done"],
                                                       "match" if r["debit_ok"] else "MISMATCH", r["audit"]))


if __name__ == "__main__":
    main()
