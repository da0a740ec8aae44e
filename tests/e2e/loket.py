"""End-to-end harness: a real Loket (nginx + supervised worker pool + SQLite
ledger file) in a temporary LOKET_HOME, started with the same scripts/run that
operators use, on a free loopback port.

    with Loket(biller_timeout_ms=500) as loket:
        loket.ctl("partner", "add", "M1", "--pin", "1234", "--password", "k")
        status, body = loket.get(product="T1", dest="0812", refID="R1", memberID="M1", ...)

With LOKET_BACKEND=postgresql the same suite runs against PostgreSQL through
ODBC: each instance starts a throwaway cluster (initdb, as the unprivileged
`postgres` user when run as root) on a free loopback port, and stops it after.

An instance that fails to start stops whatever it had started; one a suite
never closes (its setUpClass failed, so tearDownClass never ran) is closed by
the module's cleanup, and at exit at the latest (test_harness.py).
"""
import atexit
import glob
import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.parse
import http.client
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("LOKET_BUILD", os.path.join(ROOT, "build"))
BIN = os.path.join(BUILD, "bin")

PIN = "1234"
PASSWORD = "k3y-Rahasia"

BACKEND = os.environ.get("LOKET_BACKEND", "sqlite")
PG_BIN = "/usr/lib/postgresql/15/bin"


def sqlite_only(reason="exercises SQLite's own file"):
    """Skips a test or suite when the suites run against PostgreSQL."""
    return unittest.skipIf(BACKEND != "sqlite", reason)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """A throwaway PostgreSQL cluster in DIR, trust auth, loopback only."""

    def __init__(self, directory):
        self.dir = directory
        self.port = free_port()
        os.makedirs(directory)
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(directory, "postgres")
        self._pg(PG_BIN + "/initdb", "-D", directory + "/data", "-U", "loket", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "-N")
        try:
            self._pg(PG_BIN + "/pg_ctl", "-D", directory + "/data", "-l", directory + "/server.log", "-w", "-o",
                     "-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200" % (self.port, directory),
                     "start")
            self.psql("postgres", "CREATE DATABASE loket")
        except BaseException:
            self.stop()   # a server that started but cannot be used is not left running
            raise

    def _pg(self, *cmd):
        if self.as_root:
            cmd = ("runuser", "-u", "postgres", "--") + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def psql(self, database, sql):
        r = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\x1f", "-h", "127.0.0.1", "-p", str(self.port),
                            "-U", "loket", "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, check=True)
        return r.stdout

    def connect_string(self):
        # Protocol=7.4-1: a failed statement aborts the whole transaction (psqlODBC's
        # default, -2, would roll back only that statement).
        return ("Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=%d;Database=loket;Uid=loket;Pwd=unused;"
                "Protocol=7.4-1;TextAsLongVarchar=0;UseDeclareFetch=0;CommLog=0;Debug=0" % self.port)

    def stop(self):
        try:
            self._pg(PG_BIN + "/pg_ctl", "-D", self.dir + "/data", "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            pass


def _sql_literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


# Instances not closed yet: closed at exit if nobody else does.
_open = set()


@atexit.register
def _close_leftovers():
    for loket in list(_open):
        loket.close()



def group_members(pgid):
    """The pids whose process group is `pgid`."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def process_gone(pid):
    """True once `pid` has exited with all its threads (a zombie whose other
    threads still exit holds its open files, e.g. the ledger, until they do)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state == "Z" and len(os.listdir("/proc/%d/task" % pid)) <= 1
    except (FileNotFoundError, ProcessLookupError):
        return True

class Loket:
    def __init__(self, workers=2, keys=None, **settings):
        self.home = tempfile.mkdtemp(prefix="loket-e2e-")
        self.pg = None
        self.env = None
        self._closed = False
        _open.add(self)
        # A suite whose setUpClass (or setUpModule) fails after this never gets
        # to its tearDownClass: the module's cleanup stops what was started.
        # (Closing twice is harmless: close() does it once.)
        unittest.addModuleCleanup(self.close)
        try:
            self._set_up(workers, keys, settings)
        except BaseException:
            self.close()   # whatever started before the failure: nginx, workers, dispatcher, cluster
            raise

    def _set_up(self, workers, keys, settings):
        os.chmod(self.home, 0o755)
        self.port = free_port()
        self.backend = BACKEND
        self.pg = PgCluster(os.path.join(self.home, "pg")) if BACKEND == "postgresql" else None
        with open(os.path.join(ROOT, "scripts", "loket.properties.in")) as f:
            config = f.read()
        config = config.replace("@SQL_DIR@", os.path.join(ROOT, "sql"))
        values = {"pool.workers": str(workers), "biller.timeout_ms": "1000", "biller.sim.enabled": "true"}
        if self.pg:
            values.update({"database.connector": "odbc", "database.connect": self.pg.connect_string()})
        for key, value in settings.items():
            values[key.replace("_", ".", 1)] = str(value)
        for key, value in (keys or {}).items():   # keys with more than one dot, as written
            values[key] = str(value)
        for key, value in values.items():
            config += "\n%s = %s\n" % (key, value)
        with open(os.path.join(self.home, "loket.properties"), "w") as f:
            f.write(config)
        self.env = dict(os.environ, LOKET_HOME=self.home, LOKET_PORT=str(self.port), LOKET_SKIP_SETUP="1",
                        LOKET_NO_DEMO="1", LOKET_QUIET="1", LOKET_BUILD=BUILD)
        self.start()

    # -- lifecycle -------------------------------------------------------
    def start(self):
        subprocess.run([os.path.join(ROOT, "scripts", "run"), "--detach"], env=self.env, check=True)

    def stop(self):
        subprocess.run([os.path.join(ROOT, "scripts", "stop")], env=self.env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _lib(self, function):
        subprocess.run(["bash", "-c", '. "$0/scripts/lib.sh"; %s "$1"' % function, ROOT, self.home], env=self.env,
                       check=True, stdout=subprocess.DEVNULL)

    def stop_dispatcher(self, kill=False):
        """Stops the dispatcher (and its supervisor), as scripts/stop does; with
        kill, SIGKILLs both (the ledger's -wal and -shm stay behind)."""
        if kill:
            with open(os.path.join(self.home, "run", "dispatch.pid")) as f:
                supervisor = int(f.read())
            os.killpg(supervisor, 9)
            # Every process of its group (a dispatcher the supervisor had just
            # restarted too) with every thread: the ledger, open for writing,
            # is closed only when the last one has exited.
            self.wait_for(lambda: all(process_gone(p) for p in group_members(supervisor)), 10)
            for name in ("dispatch.pid", "dispatch.child.pid"):
                try:
                    os.unlink(os.path.join(self.home, "run", name))
                except FileNotFoundError:
                    pass
            return
        self._lib("loket_stop_dispatcher")

    def start_dispatcher(self):
        self._lib("loket_start_dispatcher")

    def close(self):
        """Stops everything this instance started and removes its home (kept
        with LOKET_KEEP=1); a second call does nothing."""
        if self._closed:
            return
        self._closed = True
        _open.discard(self)
        try:
            if self.env:
                self.stop()
        finally:
            if self.pg:
                self.pg.stop()
            if os.environ.get("LOKET_KEEP") != "1":
                shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- files -----------------------------------------------------------
    @property
    def db_path(self):
        return os.path.join(self.home, "ledger.db")

    @property
    def socket_path(self):
        return os.path.join(self.home, "run", "loket.sock")

    def access_log(self):
        return self._read(os.path.join(self.home, "nginx", "logs", "loket-access.log"))

    def error_log(self):
        return self._read(os.path.join(self.home, "nginx", "logs", "error.log")) + \
            self._read(os.path.join(self.home, "nginx", "logs", "loket-error.log"))

    def _request_log_settled(self):
        """A worker appends its request lines about 20 ms after the replies
        (RequestLog::FlushDelayMs): wait until the file has not grown for
        150 ms (at most 5 s), so that a test reading it right after its
        requests sees their lines, and a check that something is absent
        looks at every line."""
        path = os.path.join(self.home, "log", "loket.log")
        size = lambda: os.path.getsize(path) if os.path.exists(path) else -1
        last, still, end = size(), 0, time.time() + 5
        while still < 3 and time.time() < end:
            time.sleep(0.05)
            now = size()
            still = still + 1 if now == last else 0
            last = now

    def request_log(self):
        self._request_log_settled()
        return self._read(os.path.join(self.home, "log", "loket.log"))

    def all_logs(self):
        self._request_log_settled()
        text = ""
        for path in glob.glob(os.path.join(self.home, "log", "*")) + \
                glob.glob(os.path.join(self.home, "nginx", "logs", "*")):
            text += self._read(path)
        return text

    @staticmethod
    def _read(path):
        try:
            with open(path, "rb") as f:
                return f.read().decode("latin-1")
        except FileNotFoundError:
            return ""

    # -- operator --------------------------------------------------------
    def ctl(self, *args, check=True):
        r = subprocess.run([os.path.join(BIN, "loketctl"), "--config", os.path.join(self.home, "loket.properties")]
                           + [str(a) for a in args], capture_output=True, text=True)
        if check and r.returncode != 0:
            raise AssertionError("loketctl %s failed (%d): %s%s" % (" ".join(map(str, args)), r.returncode,
                                                                   r.stdout, r.stderr))
        return r if not check else r.stdout

    def add_partner(self, member, deposit=0, **flags):
        self.ctl("partner", "add", member, "--pin", PIN, "--password", PASSWORD)
        if deposit:
            # Above money.max_deposit (Rp 1,000,000,000) a deposit needs --force (bench funds 10^12).
            self.ctl("deposit", member, deposit, *(["--force"] if deposit > 10 ** 9 else []))

    def balance(self, member):
        return int(self.ctl("balance", member).strip())

    def audit(self):
        return self.ctl("audit", check=False)

    def reconcile(self, seconds=20):
        """The operator's `loketctl reconcile --older-than 0`, run until no order
        is still on its way to the biller (QUEUED or SENT): every pending order
        has then been asked once by the dispatcher.  Returns the last output."""
        end = time.time() + seconds
        while True:
            out = self.ctl("reconcile", "--older-than", 0, "--wait", 10)
            on_the_way = self.sql("SELECT COUNT(*) FROM transactions WHERE status IN ('QUEUED', 'SENT')")[0][0]
            if on_the_way == 0 or time.time() > end:
                return out
            time.sleep(0.2)

    def sql(self, query, *params):
        """Rows of `query` (with ? placeholders) as tuples, on either backend."""
        if self.pg:
            parts = query.split("?")
            assert len(parts) == len(params) + 1, query
            text = parts[0] + "".join(_sql_literal(p) + rest for p, rest in zip(params, parts[1:]))
            out = self.pg.psql("loket", text)
            rows = []
            for line in out.splitlines():
                rows.append(tuple(int(v) if v.lstrip("-").isdigit() else v for v in line.split("\x1f")))
            return rows
        con = sqlite3.connect(self.db_path, timeout=10)
        try:
            rows = con.execute(query, params).fetchall()
            con.commit()   # an UPDATE or INSERT takes effect
            return rows
        finally:
            con.close()

    def ledger_hash(self):
        """A digest of every ledger table's rows, to prove a request changed nothing."""
        tables = ("partners", "transactions", "mutations", "products", "sim_fixtures", "sim_bills", "sim_orders")
        h = hashlib.sha256()
        if self.pg:
            for table in tables:
                h.update(self.pg.psql("loket", "SELECT * FROM %s ORDER BY 1" % table).encode())
            return h.hexdigest()
        con = sqlite3.connect(self.db_path, timeout=10)
        try:
            for table in tables:
                for row in con.execute("SELECT * FROM %s ORDER BY 1" % table):
                    h.update(repr(row).encode())
        finally:
            con.close()
        return h.hexdigest()

    def worker_pids(self):
        with open(os.path.join(self.home, "run", "pool.pid")) as f:
            pool = f.read().strip()
        r = subprocess.run(["pgrep", "-P", pool], capture_output=True, text=True)
        return sorted(int(p) for p in r.stdout.split())

    # -- partner ---------------------------------------------------------
    def get_raw(self, query, path="/V1/http-get", timeout=30, source=None, method="GET", body=None):
        """GET path?query with the query string sent exactly as given; from the
        loopback address `source` (e.g. "127.0.0.2") when given."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)
        try:
            target = path + ("?" + query if query is not None else "")
            conn.putrequest(method, target, skip_accept_encoding=True)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            return resp.status, resp.read().decode("latin-1")
        finally:
            conn.close()

    def get(self, path="/V1/http-get", source=None, **params):
        return self.get_raw(urllib.parse.urlencode(params), path, source=source)

    def request(self, member, ref=None, pin=PIN, password=PASSWORD, **params):
        """A partner's request with its credentials; returns the reply text (asserting HTTP 200)."""
        q = dict(params)
        if ref is not None:
            q["refID"] = ref
        q.update(memberID=member, pin=pin, password=password)
        status, body = self.get(**q)
        assert status == 200, (status, body)
        return body

    def topup(self, member, product, dest, ref, qty=None, **kw):
        extra = {"qty": qty} if qty is not None else {}
        return self.request(member, ref, product=product, dest=dest, **extra, **kw)

    def inquiry(self, member, product, dest, ref, **kw):
        return self.request(member, ref, product=product, dest=dest, jenis=5, **kw)

    def payment(self, member, product, dest, ref, **kw):
        return self.request(member, ref, product=product, dest=dest, jenis=6, **kw)

    def status(self, member, ref, product=None, dest=None, **kw):
        extra = {}
        if product:
            extra["product"] = product
        if dest:
            extra["dest"] = dest
        return self.request(member, ref, cek=1, **extra, **kw)

    def saldo(self, member, **kw):
        q = dict(memberID=member, pin=kw.get("pin", PIN), password=kw.get("password", PASSWORD))
        status, body = self.get(path="/V1/http-get/balance", **q)
        assert status == 200, (status, body)
        return body

    def wait_for(self, predicate, seconds=10):
        end = time.time() + seconds
        while time.time() < end:
            if predicate():
                return True
            time.sleep(0.05)
        return False
