"""Operating Loket (issue 5): template reload through nginx, the supervised pool
(replacement, graceful SIGTERM, scaling), logs free of secrets, the install tree
and the operator's report commands."""
import csv
import io
import os
import pty
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

from loket import Loket, ROOT, BUILD, BIN, PIN, PASSWORD, free_port, sqlite_only

SCRIPTS = os.path.join(ROOT, "scripts")


class Load:
    """Threads that keep sending requests until the block ends; every reply is
    checked by `check(status, body)`, which returns an error text or None."""

    def __init__(self, send, check, threads=3):
        self.send, self.check, self.threads = send, check, threads
        self.failures, self.count = [], 0
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def _run(self, n):
        i = 0
        while not self._stop.is_set():
            i += 1
            try:
                status, body = self.send(n, i)
                error = self.check(status, body)
            except Exception as e:  # a refused or reset connection is a failed request too
                error = repr(e)
            with self._lock:
                self.count += 1
                if error:
                    self.failures.append(error)

    def __enter__(self):
        self._workers = [threading.Thread(target=self._run, args=(n,)) for n in range(self.threads)]
        for t in self._workers:
            t.start()
        time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        time.sleep(0.2)
        self._stop.set()
        for t in self._workers:
            t.join()


def slurp(path):
    with open(path) as f:
        return f.read()


def spit(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)


def unit_settings(text):
    """A systemd unit's Key=Value settings (the last one of a key wins, as in systemd)."""
    settings = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            settings[key.strip()] = value.strip()
    return settings


def run_script(loket, name, *args):
    return subprocess.run([os.path.join(SCRIPTS, name)] + [str(a) for a in args], env=loket.env,
                          capture_output=True, text=True, timeout=120)


def config_value(home, key):
    value = None
    for line in slurp(os.path.join(home, "loket.properties")).splitlines():
        m = re.match(r"\s*%s\s*=\s*(.*?)\s*$" % re.escape(key), line)
        if m:
            value = m.group(1)
    return value


def template_version(home):
    text = slurp(os.path.join(home, "templates-version.conf"))
    return int(re.search(r"LOKET_TEMPLATES_VERSION\s+(\d+);", text).group(1))


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


class TemplateReloadTest(unittest.TestCase):
    """loketctl rc set + scripts/reload-templates: new text, same workers, no failed request."""

    @classmethod
    def setUpClass(cls):
        # The RC 42 reply is asked for hundreds of times: no lockout (auth.max_failures 0).
        cls.loket = Loket(workers=2, auth_max_failures=0)

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def wrong_credentials_reply(self):
        # RC 42 for the balance endpoint: cheap, and touches no money.
        return self.loket.get(path="/V1/http-get/balance", memberID="NOBODY", pin=PIN, password=PASSWORD)

    def reload(self):
        return run_script(self.loket, "reload-templates")

    def test_new_text_served_by_same_workers_without_a_failed_request(self):
        old_text = self.wrong_credentials_reply()[1]
        new_text = "SALDO GAGAL, MEMBER ATAU PIN TIDAK COCOK."
        pids = self.loket.worker_pids()
        version = template_version(self.loket.home)
        self.loket.ctl("rc", "set", "42", "SALDO", new_text)

        def check(status, body):
            if status != 200 or body not in (old_text, new_text):
                return (status, body)
        with Load(lambda n, i: self.wrong_credentials_reply(), check, threads=3) as load:
            r = self.reload()
            self.assertEqual(r.returncode, 0, r.stderr)
            after = [self.wrong_credentials_reply() for _ in range(12)]
        self.assertEqual(after, [(200, new_text)] * 12)
        self.assertEqual(load.failures, [])
        self.assertGreater(load.count, 20)
        self.assertEqual(self.loket.worker_pids(), pids)
        self.assertEqual(template_version(self.loket.home), version + 1)


class BadTemplateTest(unittest.TestCase):
    """A bad template is refused by name; nothing changes and the last texts stay served."""

    def test_bad_template_is_refused_naming_it_and_nothing_changes(self):
        # Its own instance, with one worker, which has loaded the current version
        # (scripts/run's readiness request): nothing is pending when the template breaks.
        # The RC 42 reply is asked for again and again: no lockout (auth.max_failures 0).
        with Loket(workers=1, auth_max_failures=0) as loket:
            def reply():
                return loket.get(path="/V1/http-get/balance", memberID="NOBODY", pin=PIN, password=PASSWORD)
            good = reply()[1]
            self.assertEqual(good, "SALDO GAGAL, PIN ATAU PASSWORD SALAH.")
            pids = loket.worker_pids()
            version = template_version(loket.home)
            # loketctl rc set refuses a bad text, so break it behind its back.
            update = "UPDATE response_codes SET text = 'SALDO GAGAL [tidakada]' WHERE rc = '42' AND action = 'SALDO'"
            if loket.pg:
                loket.pg.psql("loket", update)
            else:
                con = sqlite3.connect(loket.db_path, timeout=10)
                con.execute(update)
                con.commit()
                con.close()
            self.assertEqual(loket.ctl("rc", "set", "43", "SALDO", "SALDO [tidakada]", check=False).returncode, 1)
            r = run_script(loket, "reload-templates")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("rc 42 SALDO: unknown placeholder [tidakada]", r.stderr)
            self.assertIn("nothing changed", r.stderr)
            self.assertEqual(template_version(loket.home), version)
            self.assertEqual([reply() for _ in range(8)], [(200, good)] * 8)
            self.assertEqual(loket.worker_pids(), pids)
            # Fixed, it goes through.
            fixed = "SALDO GAGAL, PIN/PASSWORD SALAH."
            loket.ctl("rc", "set", "42", "SALDO", fixed)
            r = run_script(loket, "reload-templates")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([reply() for _ in range(8)], [(200, fixed)] * 8)
            self.assertEqual(template_version(loket.home), version + 1)


class WorkerPoolTest(unittest.TestCase):
    """The supervised pool: replacement, graceful SIGTERM, scaling."""

    SLOW = "0877000111"

    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(workers=2, biller_timeout_ms=4000)
        ctl = cls.loket.ctl
        ctl("product", "set", "T1", "--price", 2000, "--biller", "sim")
        ctl("sim", "set", cls.SLOW, "--result", "success", "--sn", "SLOW", "--delay-ms", 1500)
        cls.loket.add_partner("POOL", 10000000)

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def balance_ok(self, status, body):
        if status != 200 or not body.startswith("saldo="):
            return (status, body)

    def balance(self, n=0, i=0):
        return self.loket.get(path="/V1/http-get/balance", memberID="POOL", pin=PIN, password=PASSWORD)

    def slow_topup(self, ref, result):
        t0 = time.time()
        result["reply"] = self.loket.topup("POOL", "T1", self.SLOW, ref)
        result["seconds"] = time.time() - t0

    def wait_pool(self, size, seconds=5):
        return self.loket.wait_for(lambda: len(self.loket.worker_pids()) == size, seconds)

    def test_killed_worker_is_replaced_within_a_second(self):
        self.assertTrue(self.wait_pool(len(self.loket.worker_pids())))
        before = self.loket.worker_pids()
        victim = before[0]
        t0 = time.time()
        os.kill(victim, signal.SIGKILL)
        replaced = self.loket.wait_for(
            lambda: victim not in self.loket.worker_pids() and len(self.loket.worker_pids()) == len(before), 1.0)
        self.assertTrue(replaced, "worker %d not replaced within 1 s: %s" % (victim, self.loket.worker_pids()))
        self.assertLess(time.time() - t0, 1.0)
        self.assertEqual([self.balance()[0] for _ in range(8)], [200] * 8)

    def test_a_worker_whose_socket_cannot_accept_exits_instead_of_hanging(self):
        # fd 0 is a socket, but not a listening one: every request thread's
        # accept fails; the worker says so once and exits 1, all threads ended.
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            r = subprocess.run([os.path.join(BIN, "loket-fcgi"), "--config",
                                os.path.join(self.loket.home, "loket.properties")],
                               stdin=s.fileno(), capture_output=True, text=True, timeout=20)
        finally:
            s.close()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stderr.count("accept on fd 0 failed"), 1, r.stderr)

    def test_sigterm_lets_the_request_in_hand_finish(self):
        self.assertTrue(self.wait_pool(len(self.loket.worker_pids())))
        before = self.loket.worker_pids()
        result = {}
        slow = threading.Thread(target=self.slow_topup, args=("TERM-1", result))
        slow.start()
        time.sleep(0.5)   # the sim biller holds the request for 1.5 s
        for pid in before:
            os.kill(pid, signal.SIGTERM)
        slow.join()
        self.assertEqual(result["reply"], "TRX T1.%s SUKSES, HRG:2000 SN:SLOW REFID:TERM-1." % self.SLOW)
        self.assertGreater(result["seconds"], 1.4)
        # Every signalled worker exits, and the supervisor brings the pool back.
        self.assertTrue(self.loket.wait_for(
            lambda: not set(before) & set(self.loket.worker_pids()) and len(self.loket.worker_pids()) == len(before), 3))
        self.assertEqual(self.loket.topup("POOL", "T1", self.SLOW, "TERM-1"), result["reply"])
        self.assertEqual(self.balance()[0], 200)

    def test_scale_up_and_down_without_a_failed_request(self):
        loket = self.loket
        with Load(self.balance, self.balance_ok, threads=3) as load:
            r = run_script(loket, "scale", 4)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(len(loket.worker_pids()), 4)
            self.assertEqual(config_value(loket.home, "pool.workers"), "4")

            # Shrink while a slow request is in the hands of the old pool.
            result = {}
            slow = threading.Thread(target=self.slow_topup, args=("SCALE-1", result))
            slow.start()
            time.sleep(0.3)
            r = run_script(loket, "scale", 1)
            self.assertEqual(r.returncode, 0, r.stderr)
            slow.join()
            self.assertEqual(result["reply"], "TRX T1.%s SUKSES, HRG:2000 SN:SLOW REFID:SCALE-1." % self.SLOW)
            self.assertEqual(len(loket.worker_pids()), 1)
            self.assertEqual(config_value(loket.home, "pool.workers"), "1")

            # Without N: the size the configuration has.
            with open(os.path.join(loket.home, "loket.properties"), "a") as f:
                f.write("pool.workers = 2\n")
            r = run_script(loket, "scale")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(len(loket.worker_pids()), 2)
        self.assertEqual(load.failures, [])
        self.assertGreater(load.count, 50)
        # The dispatcher's files (dispatch.*) are its own; of the pool's, only the live one.
        self.assertEqual(sorted(f for f in os.listdir(os.path.join(loket.home, "run")) if not f.startswith("dispatch")),
                         ["loket.sock", "pool.pid"])
        self.assertEqual(run_script(loket, "scale", 0).returncode, 2)


class BusyWorkerStopTest(unittest.TestCase):
    """A worker whose every request thread is busy when TERM arrives: the
    signal waits until a thread would accept again, the reply in hand is
    written, then the worker ends (pool.threads = 1, one worker)."""

    SLOW = "0877000222"

    def test_term_while_every_thread_is_busy(self):
        with Loket(workers=1, keys={"pool.threads": "1"}, biller_timeout_ms=4000) as loket:
            loket.ctl("product", "set", "T1", "--price", 2000, "--biller", "sim")
            loket.ctl("sim", "set", self.SLOW, "--result", "success", "--sn", "BUSY", "--delay-ms", 1500)
            loket.add_partner("BUSY", 10000000)
            self.assertTrue(loket.wait_for(lambda: len(loket.worker_pids()) == 1, 5))
            before = loket.worker_pids()
            result = {}

            def slow():
                t0 = time.time()
                result["reply"] = loket.topup("BUSY", "T1", self.SLOW, "BUSY-1")
                result["seconds"] = time.time() - t0
            t = threading.Thread(target=slow)
            t.start()
            time.sleep(0.5)   # the only request thread waits for the sim's 1.5 s
            os.kill(before[0], signal.SIGTERM)
            t.join()
            self.assertEqual(result["reply"], "TRX T1.%s SUKSES, HRG:2000 SN:BUSY REFID:BUSY-1." % self.SLOW)
            self.assertGreater(result["seconds"], 1.4)
            # It ends (no thread left blocked in accept), and the supervisor replaces it.
            self.assertTrue(loket.wait_for(
                lambda: before[0] not in loket.worker_pids() and len(loket.worker_pids()) == 1, 3),
                loket.worker_pids())
            self.assertEqual(loket.topup("BUSY", "T1", self.SLOW, "BUSY-1"), result["reply"])


class SecretsTest(unittest.TestCase):
    """No pin, password or signature in any file under LOKET_HOME, even after an upstream failure."""

    SECRET_PIN = "Zq7PinX93k"
    SECRET_PASSWORD = "Pw-Sangat-Rahasia-88"
    WRONG_PIN = "Wr0ngPin55"
    SIGNATURE = "SIGN-Secret-77abc"

    def test_no_secret_in_any_file_under_home(self):
        with Loket(workers=2) as loket:
            loket.ctl("product", "set", "T1", "--price", 2000, "--biller", "sim")
            loket.ctl("partner", "add", "SECRET", "--pin", self.SECRET_PIN, "--password", self.SECRET_PASSWORD)
            loket.ctl("deposit", "SECRET", 100000)
            cred = dict(pin=self.SECRET_PIN, password=self.SECRET_PASSWORD)
            self.assertIn("SUKSES", loket.topup("SECRET", "T1", "0812555", "S1", **cred))
            self.assertIn("SUKSES", loket.status("SECRET", "S1", **cred))
            self.assertTrue(loket.saldo("SECRET", **cred).startswith("saldo="))
            self.assertIn("PIN ATAU PASSWORD SALAH", loket.topup("SECRET", "T1", "0812555", "S2", pin=self.WRONG_PIN,
                                                                 password=self.SECRET_PASSWORD))
            self.assertIn("FORMAT SALAH", loket.request("SECRET", "S3", product="T1", dest="08 12", **cred))
            self.assertIn("SUKSES", loket.topup("SECRET", "T1", "0812556", "S4", sign=self.SIGNATURE, **cred))
            loket.get(path="/V1/http-get/nothing-here", memberID="SECRET", **cred)
            # An upstream failure: nginx would write the request line, pin included, into error_log.
            pool = int(slurp(os.path.join(loket.home, "run", "pool.pid")))
            os.kill(pool, signal.SIGTERM)
            self.assertTrue(loket.wait_for(lambda: not os.path.exists("/proc/%d" % pool), 10))
            status, _ = loket.get(product="T1", dest="0812557", refID="S5", memberID="SECRET", sign=self.SIGNATURE,
                                  **cred)
            self.assertEqual(status, 502)
            loket.stop()

            self.assertIn("member=SECRET", loket.request_log())
            self.assertIn("memberID=SECRET", loket.access_log())
            secrets = [s.encode() for s in (self.SECRET_PIN, self.SECRET_PASSWORD, self.WRONG_PIN, self.SIGNATURE)]
            scanned = 0
            for top, _, files in os.walk(loket.home):
                for name in files:
                    path = os.path.join(top, name)
                    if not os.path.isfile(path):
                        continue
                    with open(path, "rb") as f:
                        data = f.read()
                    scanned += 1
                    for s in secrets:
                        self.assertNotIn(s, data, "%s found in %s" % (s.decode(), path))
            self.assertGreater(scanned, 5)


class ReportCommandsTest(unittest.TestCase):
    """partner list, product list, trx list filters, report daily, mutations --csv, reconcile progress."""

    @classmethod
    def setUpClass(cls):
        # Re-checks only when reconcile asks, so that its counts are exactly this test's.
        cls.loket = Loket(workers=2, biller_timeout_ms=1000, reply_wait_ms=300, dispatcher_recheck_schedule=3600)
        l = cls.loket
        l.ctl("product", "set", "T1", "--price", 2000, "--biller", "sim")
        l.ctl("product", "set", "T5", "--price", 5500, "--biller", "sim")
        l.ctl("product", "set", "TP", "--price", 1000, "--biller", "sim")
        l.ctl("product", "set", "PLNPASC", "--family", "PLNPASC", "--admin", 2750, "--biller", "sim")
        l.ctl("sim", "set", "0811", "--result", "success", "--sn", "OK1")
        l.ctl("sim", "set", "0822", "--result", "failed")
        l.ctl("sim", "set", "0833", "--result", "pending")
        l.add_partner("RA", 100000)
        l.add_partner("RB", 50000)
        l.ctl("partner", "add", "RC", "--pin", PIN, "--password", PASSWORD, "--name", "Toko, \"Maju\"")
        assert "SUKSES" in l.topup("RA", "T1", "0811", "A1")
        assert "SUKSES" in l.topup("RA", "T5", "0811", "A2", qty=2)
        assert "GAGAL" in l.topup("RA", "T1", "0822", "A3")
        assert "SEDANG DIPROSES" in l.topup("RB", "T1", "0833", "B1")
        assert "SUKSES" in l.topup("RB", "T1", "0811", "B2")

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def ctl(self, *args):
        return self.loket.ctl(*args)

    def today(self):
        return csv_rows(self.ctl("trx", "list", "--csv"))[0]["time"][:10]

    def test_partner_list(self):
        rows = {r["memberID"]: r for r in csv_rows(self.ctl("partner", "list", "--csv"))}
        self.assertEqual(rows["RA"]["balance"], str(100000 - 2000 - 11000))
        self.assertEqual(rows["RB"]["balance"], str(50000 - 2000 - 2000))
        self.assertEqual(rows["RC"]["name"], "Toko, \"Maju\"")
        self.assertEqual(rows["RC"]["active"], "yes")
        self.assertEqual((rows["RA"]["level"], rows["RA"]["ip"], rows["RA"]["locked"]), ("-", "any", "no"))
        table = self.ctl("partner", "list").splitlines()
        self.assertEqual(table[0].split(), ["memberID", "name", "balance", "active", "signature", "level", "ip",
                                            "locked"])
        self.assertEqual(len({len(line) for line in table if line.startswith(("RA", "RB"))}), 1)  # aligned
        self.assertFalse([line for line in table if line != line.rstrip()])

    def test_partner_list_shows_what_decides_whether_a_partner_gets_in(self):
        # An operator answering "why is RL refused?": its allowlist, its level, and the lock
        # its five wrong pins (auth.max_failures) caused, until when.
        self.loket.add_partner("RL", 1000)
        self.ctl("level", "set", "SILVER", "T1", "--markup", 100)
        self.ctl("partner", "set", "RL", "--ip", "127.0.0.1,10.0.0.0/8", "--level", "SILVER")
        for _ in range(5):
            self.loket.saldo("RL", pin="0000")
        row = {r["memberID"]: r for r in csv_rows(self.ctl("partner", "list", "--csv"))}["RL"]
        self.assertEqual(row["level"], "SILVER")
        self.assertIn("10.0.0.0/8", row["ip"])
        self.assertRegex(row["locked"], r"^until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
        self.ctl("partner", "unlock", "RL")
        row = {r["memberID"]: r for r in csv_rows(self.ctl("partner", "list", "--csv"))}["RL"]
        self.assertEqual(row["locked"], "no")

    def test_product_list(self):
        rows = {r["code"]: r for r in csv_rows(self.ctl("product", "list", "--csv"))}
        self.assertEqual((rows["T5"]["kind"], rows["T5"]["price"]), ("topup", "5500"))
        self.assertEqual((rows["PLNPASC"]["kind"], rows["PLNPASC"]["family"], rows["PLNPASC"]["admin"]),
                         ("bill", "PLNPASC", "2750"))
        self.assertIn("PLNPASC", self.ctl("product", "list"))

    def test_trx_list_filters(self):
        everything = csv_rows(self.ctl("trx", "list", "--csv"))
        self.assertGreaterEqual(len(everything), 5)
        ra = csv_rows(self.ctl("trx", "list", "--member", "RA", "--csv"))
        self.assertEqual([r["refID"] for r in ra], ["A1", "A2", "A3"])
        self.assertEqual([r["status"] for r in ra], ["SUCCESS", "SUCCESS", "FAILED"])
        self.assertEqual(ra[1]["qty"], "2")
        self.assertEqual(ra[1]["price"], "11000")
        pending = csv_rows(self.ctl("trx", "list", "--status", "PENDING", "--member", "RB", "--csv"))
        self.assertEqual([(r["memberID"], r["refID"]) for r in pending], [("RB", "B1")])
        today = self.today()
        self.assertEqual(len(csv_rows(self.ctl("trx", "list", "--since", today, "--csv"))), len(everything))
        self.assertEqual(csv_rows(self.ctl("trx", "list", "--since", "2099-01-01 00:00:00", "--csv")), [])
        self.assertEqual(len(csv_rows(self.ctl("trx", "list", "--limit", "2", "--csv"))), 2)
        table = self.ctl("trx", "list", "--member", "RA").splitlines()
        self.assertEqual(table[0].split()[:4], ["id", "time", "memberID", "refID"])
        self.assertEqual(len(table), 4)
        bad = self.loket.ctl("trx", "list", "--since", "kemarin", check=False)
        self.assertEqual(bad.returncode, 2)

    def test_report_daily_counts_and_sums_per_product_and_status(self):
        rows = csv_rows(self.ctl("report", "daily", "--csv"))
        got = {(r["product"], r["status"]): (int(r["count"]), int(r["sum"])) for r in rows
               if r["product"] in ("T1", "T5")}
        # A failed (refunded) transaction counts, but sums nothing (issue 13).
        self.assertEqual(got, {("T1", "SUCCESS"): (2, 4000), ("T1", "FAILED"): (1, 0),
                               ("T1", "PENDING"): (1, 2000), ("T5", "SUCCESS"): (1, 11000)})
        self.assertEqual(csv_rows(self.ctl("report", "daily", "--date", self.today(), "--csv")), rows)
        self.assertEqual(self.ctl("report", "daily", "--date", "2001-01-01", "--csv").strip(),
                         "product,status,count,sum,cost,margin\nTOTAL,taken,0,0,0,0")
        table = self.ctl("report", "daily").splitlines()
        self.assertEqual(table[0].split(), ["product", "status", "count", "sum", "cost", "margin"])

    def test_mutations_csv(self):
        rows = csv_rows(self.ctl("mutations", "RA", "--csv"))
        self.assertEqual([(r["kind"], int(r["amount"])) for r in rows],
                         [("deposit", 100000), ("hold", -2000), ("hold", -11000), ("hold", -2000), ("refund", 2000)])
        for r in rows:
            self.assertEqual(int(r["before"]) + int(r["amount"]), int(r["after"]))
        self.assertEqual(int(rows[-1]["after"]), self.loket.balance("RA"))
        self.assertEqual(csv_rows(self.ctl("mutations", "RA", "--from", self.today(), "--to", self.today(), "--csv")),
                         rows)
        self.assertEqual(csv_rows(self.ctl("mutations", "RA", "--to", "2001-01-01", "--csv")), [])

    def test_reconcile_shows_progress_on_a_terminal(self):
        l = self.loket
        l.add_partner("RECON", 1000000)
        l.ctl("sim", "set", "0844", "--result", "pending")
        for i in range(120):
            self.assertIn("SEDANG DIPROSES", l.topup("RECON", "TP", "0844", "P%d" % i))
        l.ctl("sim", "set", "0844", "--result", "success", "--sn", "LATE")
        time.sleep(1.1)
        command = [os.path.join(BIN, "loketctl"), "--config", os.path.join(l.home, "loket.properties"),
                   "reconcile", "--older-than", "0"]
        master, slave = pty.openpty()
        p = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave, text=True)
        os.close(slave)
        terminal = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            terminal += chunk
        os.close(master)
        out = p.stdout.read()
        p.stdout.close()
        p.wait()
        self.assertEqual(p.returncode, 0)
        terminal = terminal.decode()
        self.assertIn("reconcile: 100/121 examined", terminal)   # the 120, and RB's B1
        self.assertIn("reconcile: 121/121 examined", terminal)
        self.assertIn("succeeded 120", out)
        self.assertEqual(l.balance("RECON"), 1000000 - 120 * 1000)
        # Not on a terminal: the summary only.
        quiet = l.ctl("reconcile", "--older-than", "0", check=False)
        self.assertEqual(quiet.stderr, "")
        self.assertRegex(quiet.stdout, r"^pending examined \d+, succeeded 0,")


@sqlite_only("about SQLite's files")
@unittest.skipUnless(os.geteuid() == 0, "needs root")
class LoketctlOwnerTest(unittest.TestCase):
    """Root's loketctl refuses a ledger owned by the workers' user (its -wal/-shm would lock them out)."""

    def test_root_refuses_a_ledger_of_another_user(self):
        home = tempfile.mkdtemp(prefix="loket-owner-")
        try:
            os.chmod(home, 0o755)
            config = os.path.join(home, "loket.properties")
            spit(config, slurp(os.path.join(SCRIPTS, "loket.properties.in")).replace("@SQL_DIR@",
                                                                                  os.path.join(ROOT, "sql")))
            os.chmod(config, 0o644)   # scripts/test runs under umask 0007; nobody must read its config
            os.makedirs(os.path.join(home, "log"))   # log.file must be writable (checked at start)
            shutil.chown(os.path.join(home, "log"), "nobody")
            shutil.chown(home, "nobody")
            ctl = [os.path.join(BIN, "loketctl"), "--config", config]
            r = subprocess.run(ctl + ["init"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("belongs to nobody; run loketctl as that user (runuser -u nobody", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(home, "ledger.db")))
            r = subprocess.run(["runuser", "-u", "nobody", "--"] + ctl + ["init"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = subprocess.run(ctl + ["partner", "list"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("ledger.db belongs to nobody", r.stderr)
        finally:
            shutil.rmtree(home, ignore_errors=True)


@sqlite_only("the install tree is the same whatever the backend")
class InstallTreeTest(unittest.TestCase):
    """cmake --install lays out binaries, config, sql/, nginx snippets, systemd units, logrotate."""

    @classmethod
    def setUpClass(cls):
        cls.prefix = tempfile.mkdtemp(prefix="loket-install-")
        cls.scratch = tempfile.mkdtemp(prefix="loket-install-run-")
        cls.result = subprocess.run(["cmake", "--install", BUILD, "--prefix", cls.prefix],
                                    capture_output=True, text=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.prefix, ignore_errors=True)
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.prefix, *parts)

    def read(self, *parts):
        return slurp(self.path(*parts))

    def test_install_succeeds_and_lays_out_every_file(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        for f in ["bin/loketctl", "sbin/loket-fcgi", "sbin/loket-pool", "sbin/loket-reload-templates",
                  "sbin/loket-scale", "sbin/loket-backup"]:
            self.assertTrue(os.access(self.path(f), os.X_OK), f)
        for f in ["etc/loket/loket.properties", "etc/loket/templates-version.conf",
                  "etc/loket/nginx/loket-http.conf", "etc/loket/nginx/loket-server.conf",
                  "etc/loket/nginx/loket-fastcgi.conf", "etc/loket/nginx/loket-site.conf",
                  "etc/loket/nginx/example-tls-site.conf",
                  "etc/logrotate.d/loket", "lib/systemd/system/loket.socket", "lib/systemd/system/loket.service",
                  "lib/systemd/system/loket-reconcile.service", "lib/systemd/system/loket-reconcile.timer",
                  "lib/systemd/system/loket-backup.service", "lib/systemd/system/loket-backup.timer",
                  "share/doc/loket/operations.md"]:
            self.assertTrue(os.path.isfile(self.path(f)), f)
        source_sql = os.path.join(ROOT, "sql")
        for top, _, files in os.walk(source_sql):
            for name in files:
                rel = os.path.relpath(os.path.join(top, name), source_sql)
                self.assertTrue(os.path.isfile(self.path("share", "loket", "sql", rel)), rel)

    def config(self):
        values = {}
        for line in self.read("etc", "loket", "loket.properties").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
        return values

    def test_config_is_commented_and_points_at_the_installed_layout(self):
        text = self.read("etc", "loket", "loket.properties")
        self.assertGreater(len([l for l in text.splitlines() if l.startswith("#")]), 10)
        c = self.config()
        self.assertEqual(c["sql.dir"], self.path("share", "loket", "sql"))
        self.assertEqual(c["database.connect"], "/var/lib/loket/ledger.db")
        self.assertEqual(c["log.file"], "/var/log/loket/loket.log")
        self.assertEqual(c["pool.socket"], "/run/loket/loket.sock")
        self.assertIn("LOKET_TEMPLATES_VERSION 1;", self.read("etc", "loket", "templates-version.conf"))

    def scratch_config(self):
        """The installed config with the ledger and log moved into a scratch directory."""
        config = os.path.join(self.scratch, "loket.properties")
        if not os.path.exists(config):
            text = self.read("etc", "loket", "loket.properties")
            text = text.replace("/var/lib/loket/", self.scratch + "/").replace("/var/log/loket/", self.scratch + "/")
            with open(config, "w") as f:
                f.write(text + "\npool.workers = 3\n")
            subprocess.run([self.path("bin", "loketctl"), "--config", config, "init"], check=True,
                           capture_output=True)
        return config

    def test_config_is_valid_for_the_installed_loketctl(self):
        ctl = [self.path("bin", "loketctl"), "--config", self.scratch_config()]
        for args in (["init"], ["rc", "check"], ["product", "list"], ["partner", "list"]):
            r = subprocess.run(ctl + args, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, (args, r.stdout, r.stderr))
        self.assertTrue(os.path.isfile(os.path.join(self.scratch, "ledger.db")))

    def test_loket_pool_serves_the_socket_on_fd0_and_stops_gracefully(self):
        # What loket.service does (StandardInput=socket), with spawn-fcgi handing over the socket.
        config = self.scratch_config()
        sock = os.path.join(self.scratch, "pool.sock")
        pool = subprocess.Popen(["spawn-fcgi", "-n", "-s", sock, "--", self.path("sbin", "loket-pool"), "--config",
                                 config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            def workers():
                r = subprocess.run(["pgrep", "-P", str(pool.pid)], capture_output=True, text=True)
                return r.stdout.split()
            ok = False
            end = time.time() + 10
            while time.time() < end and not ok:
                env = {"PATH": "/usr/bin:/bin", "REQUEST_METHOD": "GET", "DOCUMENT_URI": "/V1/http-get/balance",
                       "QUERY_STRING": "memberID=X&pin=1&password=2"}
                r = subprocess.run(["cgi-fcgi", "-bind", "-connect", sock], env=env, capture_output=True, text=True,
                                   timeout=10)
                ok = r.stdout.endswith("SALDO GAGAL, PIN ATAU PASSWORD SALAH.") and len(workers()) == 3
                time.sleep(0.1)
            self.assertTrue(ok, (r.stdout, workers()))
            self.assertIn(os.path.join(self.scratch, "loket.log"), "\n".join(
                os.path.join(self.scratch, f) for f in os.listdir(self.scratch)))
            pool.send_signal(signal.SIGTERM)
            self.assertEqual(pool.wait(10), 0)
            self.assertEqual(workers(), [])
        finally:
            if pool.poll() is None:
                pool.kill()
                pool.wait()

    def test_nginx_snippets_pass_nginx_t(self):
        # The installed snippets as they are, but for the log directory: nginx -t opens its logs.
        work = os.path.join(self.scratch, "nginx")
        os.makedirs(os.path.join(work, "tmp"), exist_ok=True)
        snippets = self.path("etc", "loket", "nginx")
        copies = os.path.join(work, "conf")
        os.makedirs(copies, exist_ok=True)
        for name in os.listdir(snippets):
            text = slurp(os.path.join(snippets, name))
            self.assertNotRegex(text, r"include\s+/etc/loket/")   # all pointed at the install
            text = text.replace("/var/log/nginx/", work + "/").replace(snippets + "/", copies + "/")
            spit(os.path.join(copies, name), text)
        fastcgi = slurp(os.path.join(copies, "loket-fastcgi.conf"))
        self.assertIn("include %s;" % self.path("etc", "loket", "templates-version.conf"), fastcgi)
        self.assertIn("error_log", fastcgi)
        self.assertIn("alert;", fastcgi)   # nginx logs the request line, secrets and all, up to "crit"
        self.assertIn("server unix:/run/loket/loket.sock;", slurp(os.path.join(copies, "loket-http.conf")))
        temps = "".join("    %s_temp_path %s/tmp/%s;\n" % (t, work, t)
                        for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = os.path.join(work, "nginx.conf")
        with open(conf, "w") as f:
            f.write("pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\n    access_log off;\n%s"
                    "    include %s/loket-http.conf;\n"
                    "    server {\n        listen 127.0.0.1:%d;\n        include %s/loket-server.conf;\n    }\n}\n"
                    % (work, work, temps, copies, free_port(), copies))
        r = subprocess.run(["nginx", "-t", "-p", work, "-c", conf, "-e", work + "/error.log"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_example_tls_site_passes_nginx_t(self):
        if not shutil.which("openssl"):
            self.skipTest("no openssl to make a test certificate")
        work = os.path.join(self.scratch, "tls")
        os.makedirs(os.path.join(work, "tmp"), exist_ok=True)
        cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=h2h.example.co.id", "-keyout", key, "-out", cert], check=True, capture_output=True)
        snippets = self.path("etc", "loket", "nginx")
        for name in os.listdir(snippets):
            text = slurp(os.path.join(snippets, name))
            text = text.replace("/var/log/nginx/", work + "/").replace(snippets + "/", work + "/")
            text = text.replace("/etc/ssl/certs/CHANGE-ME-fullchain.pem", cert)
            text = text.replace("/etc/ssl/private/CHANGE-ME-privkey.pem", key)
            text = re.sub(r"listen (\[::\]:)?443 ssl;", "listen 127.0.0.1:%d ssl;" % free_port(), text, count=1)
            text = re.sub(r"\n\s*listen \[::\]:443 ssl;", "", text)
            spit(os.path.join(work, name), text)
        temps = "".join("    %s_temp_path %s/tmp/%s;\n" % (t, work, t)
                        for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = os.path.join(work, "nginx.conf")
        with open(conf, "w") as f:
            f.write("pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\n    access_log off;\n%s    include %s/example-tls-site.conf;\n}\n"
                    % (work, work, temps, work))
        r = subprocess.run(["nginx", "-t", "-p", work, "-c", conf, "-e", work + "/error.log"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_systemd_units(self):
        socket = self.read("lib", "systemd", "system", "loket.socket")
        for line in ("ListenStream=/run/loket/loket.sock", "SocketMode=0660", "SocketGroup=www-data"):
            self.assertIn(line, socket)
        service = self.read("lib", "systemd", "system", "loket.service")
        for line in ("User=loket", "StandardInput=socket", "StandardOutput=journal", "StateDirectory=loket",
                     "LogsDirectory=loket",
                     "ExecStart=%s --config %s" % (self.path("sbin", "loket-pool"),
                                                   self.path("etc", "loket", "loket.properties"))):
            self.assertIn(line, service)
        reconcile = self.read("lib", "systemd", "system", "loket-reconcile.service")
        self.assertIn("ExecStart=%s --config %s reconcile" % (self.path("bin", "loketctl"),
                                                             self.path("etc", "loket", "loket.properties")), reconcile)
        self.assertIn("User=loket", reconcile)
        self.assertIn("OnUnitActiveSec=", self.read("lib", "systemd", "system", "loket-reconcile.timer"))
        backup = self.read("lib", "systemd", "system", "loket-backup.service")
        self.assertIn("ExecStart=%s --config %s " % (self.path("sbin", "loket-backup"),
                                                    self.path("etc", "loket", "loket.properties")), backup)
        self.assertIn("INSTALLED_BIN_DIR=%s" % self.path("bin"), self.read("sbin", "loket-backup"))
        self.assertIn("OnCalendar=", self.read("lib", "systemd", "system", "loket-backup.timer"))
        pool = self.read("sbin", "loket-pool")
        self.assertIn("INSTALLED_SBIN_DIR=%s" % self.path("sbin"), pool)
        self.assertIn("multiwatch", pool)
        # The dispatcher: the installed binary, restarted whatever way it ends,
        # and its files (the wake-up socket, a key it creates) closed to others.
        dispatch = unit_settings(self.read("lib", "systemd", "system", "loket-dispatch.service"))
        self.assertEqual(dispatch["ExecStart"], "%s --config %s" % (self.path("sbin", "loket-dispatch"),
                                                                    self.path("etc", "loket", "loket.properties")))
        self.assertTrue(os.access(self.path("sbin", "loket-dispatch"), os.X_OK))
        self.assertEqual((dispatch["User"], dispatch["Restart"]), ("loket", "always"))
        self.assertEqual(int(dispatch["UMask"], 8) & 0o007, 0o007, dispatch["UMask"])
        self.assertEqual(int(unit_settings(service)["UMask"], 8) & 0o007, 0o007)

    def test_systemd_analyze_verifies_every_unit(self):
        # systemd-analyze verify reads unit files without a running systemd
        # (CI: root in a container); where it cannot, say so instead of passing.
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze is not installed (Debian: systemd)")
        units = self.path("lib", "systemd", "system")
        probe = os.path.join(self.scratch, "loket-probe.service")
        spit(probe, "[Service]\nType=oneshot\nExecStart=/bin/true\n")
        r = subprocess.run(["systemd-analyze", "verify", probe], capture_output=True, text=True)
        if r.returncode != 0 or r.stdout + r.stderr:
            self.skipTest("systemd-analyze verify does not work here: %s" % (r.stdout + r.stderr).strip()[:200])
        names = sorted(os.listdir(units))
        self.assertEqual(names, ["loket-backup.service", "loket-backup.timer", "loket-dispatch.service",
                                 "loket-reconcile.service", "loket-reconcile.timer", "loket.service", "loket.socket"])
        r = subprocess.run(["systemd-analyze", "verify"] + [os.path.join(units, u) for u in names],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # An unknown key or a bad value is only a warning ("..., ignoring"): none at all.
        self.assertEqual(r.stdout + r.stderr, "")

    def test_logrotate_and_scripts(self):
        rotate = "\n".join(l for l in self.read("etc", "logrotate.d", "loket").splitlines() if not l.startswith("#"))
        self.assertIn("/var/log/loket/*.log", rotate)
        self.assertIn("su loket loket", rotate)
        self.assertNotIn("copytruncate", rotate)
        self.assertNotIn("postrotate", rotate)
        for script in ("loket-reload-templates", "loket-scale"):
            text = self.read("sbin", script)
            self.assertIn("INSTALLED_CONF_DIR=%s" % self.path("etc", "loket"), text)
            r = subprocess.run([self.path("sbin", script), "--help"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(r.stdout.startswith(script), r.stdout)

    def test_reinstall_keeps_the_operators_config(self):
        config = self.path("etc", "loket", "loket.properties")
        version = self.path("etc", "loket", "templates-version.conf")
        with open(config, "a") as f:
            f.write("# edited by the operator\n")
        with open(version, "w") as f:
            f.write("fastcgi_param LOKET_TEMPLATES_VERSION 9;\n")
        r = subprocess.run(["cmake", "--install", BUILD, "--prefix", self.prefix], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(slurp(config).endswith("# edited by the operator\n"))
        self.assertEqual(slurp(version), "fastcgi_param LOKET_TEMPLATES_VERSION 9;\n")
        self.assertTrue(os.path.isfile(config + ".dist"))


if __name__ == "__main__":
    unittest.main()
