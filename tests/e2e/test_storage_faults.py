"""Issue 4, proof 4: the ledger's storage fails.

  - busy: another process holds the write lock beyond the busy timeout
    (python's sqlite3, BEGIN IMMEDIATE on the ledger file);
  - full disk: the ledger lives on a small tmpfs of its own, filled to the
    last byte;
  - read-only: that tmpfs remounted read-only.  Linux refuses while a file on
    it is open for writing, so the workers are replaced around the remount,
    which is also how a read-only disk meets a real pool (a crash, a restart):
    once with the ledger's -wal/-shm left behind (killed), once without
    (stopped cleanly, so nothing at all can be read).

Each request gets a defined RC within about a second (3 s allowed): RC 99
when nothing was debited; RC 68, never a refund, when a hold was already
written and its settlement could not be.  Nothing is half-written (the
ledger's rows are unchanged across the fault, audit and integrity_check
pass), and service comes back by itself once the fault is gone.  Mounting
needs root, which the suite and CI have.
"""
import os
import signal
import sqlite3
import threading
import time
import unittest

from loket import sqlite_only
import ledger_load as L

PRICE = 2000
BOUND = 3.0          # "about a second": busy_timeout_ms is 1000
WORKERS = 4
SLOW_MS = 800        # the biller's delay: the fault starts inside it


def mount_or_skip():
    # Only root can mount, and only where the sandbox grants CAP_SYS_ADMIN (this
    # machine and CI do).  Where it does not, the suite says so loudly and skips,
    # unless LOKET_REQUIRE_FAULTS=1 insists that the proof must run.
    if os.geteuid() != 0:
        raise unittest.SkipTest("storage faults need root to mount a tmpfs for the ledger")
    try:
        return L.LedgerMount()
    except OSError as e:
        if os.environ.get("LOKET_REQUIRE_FAULTS") == "1":
            raise
        print("\nSTORAGE FAULT PROOFS SKIPPED: %s" % e)
        raise unittest.SkipTest(str(e))


class SteadyReaders:
    """`count` partners asking their balance back to back, each as soon as
    the last answer came, until the block ends."""

    def __init__(self, port, member, count):
        self.port, self.member, self.count = port, member, count
        self.stop = threading.Event()
        self.answered = 0
        self.statuses = set()
        self.threads = []

    def __enter__(self):
        def ask():
            client = L.Client(self.port)
            while not self.stop.is_set():
                status, reply = client.once(L.saldo_query(self.member))
                self.statuses.add(status)
                self.answered += 1

        self.threads = [threading.Thread(target=ask) for _ in range(self.count)]
        for t in self.threads:
            t.start()
        if self.count:
            time.sleep(0.3)   # the load is steady before the first write
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(30)

    def check(self, test):
        if self.count:
            test.assertGreater(self.answered, 10 * self.count, "the readers were not steady")
            test.assertEqual(self.statuses, {200})


@sqlite_only("faults of SQLite's own file")
class FaultSuite(unittest.TestCase):
    workers = WORKERS

    @classmethod
    def setUpClass(cls):
        cls.mount = mount_or_skip()
        try:
            cls.loket = L.MountedLoket(cls.mount, workers=cls.workers)
        except BaseException:
            cls.mount.close()
            raise
        cls.loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "sim")
        cls.reader = L.ReplyReader(cls.loket)
        cls.client = L.Client(cls.loket.port)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.mount.read_write()
        except Exception:
            pass
        cls.loket.close()
        cls.mount.close()

    def partner(self, name, deposit=100000):
        self.loket.add_partner(name, deposit)
        return name

    def timed(self, request):
        """(seconds, rc, reply) of one request, which must be answered 200."""
        start = time.monotonic()
        status, reply = self.client.once(request)
        elapsed = time.monotonic() - start
        self.assertEqual(status, 200, reply)
        return elapsed, self.reader.rc(reply), reply

    def during_fault(self, requests, expected_rcs):
        """Sends `requests` at once (no more than there are workers); each is
        answered within BOUND with one of `expected_rcs`."""
        results = [None] * len(requests)

        def send(i):
            results[i] = self.timed(requests[i])

        L.run_threads(len(requests), send)
        for request, (elapsed, rc, reply), expected in zip(requests, results, expected_rcs):
            self.assertIn(rc, expected, reply)
            self.assertLess(elapsed, BOUND, reply)
        return results

    def comes_back(self, request, seconds=10):
        """The reply to `request` once the service answers it with anything
        but RC 99, asking again as a partner would."""
        end = time.time() + seconds
        while time.time() < end:
            status, reply = self.client.once(request)
            if status == 200 and self.reader.rc(reply) != "99":
                return reply
            time.sleep(0.1)
        self.fail("no service %d s after the fault ended: %s %s" % (seconds, status, reply))

    def refs(self, member):
        return [r for (r,) in self.loket.sql("SELECT ref_id FROM transactions WHERE member_id = ? ORDER BY id",
                                             member)]

    def kinds(self, member, ref):
        return [k for (k,) in self.loket.sql(
            "SELECT m.kind FROM mutations m JOIN transactions t ON t.id = m.trx_id "
            "WHERE t.member_id = ? AND t.ref_id = ? ORDER BY m.id", member, ref)]

    def assert_ledger_whole(self):
        r = self.loket.audit()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(L.integrity(self.loket), [("ok",)])

    def topup(self, member, ref, dest="0811000001"):
        return L.topup_query(member, "T1", dest, ref)

    def pending_then_fault(self, member, ref, dest, start_fault):
        """A topup whose hold is written and whose biller is slow; the fault
        starts once the sim has the order, so only the settlement meets it."""
        result = {}
        thread = threading.Thread(target=lambda: result.update(r=self.timed(self.topup(member, ref, dest))))
        thread.start()
        end = time.time() + 5
        while time.time() < end and not self.loket.sql("SELECT 1 FROM sim_orders WHERE dest = ?", dest):
            time.sleep(0.01)
        start_fault()
        thread.join(10)
        return result["r"]


class BusyAndFullDiskTest(FaultSuite):
    def test_busy_beyond_the_busy_timeout(self):
        m = self.partner("BUSY")
        self.assertIn("SUKSES", self.client.ask(self.topup(m, "B0")))
        before = self.loket.ledger_hash()
        lock = sqlite3.connect(self.loket.db_path, isolation_level=None, timeout=10)
        lock.execute("BEGIN IMMEDIATE")
        try:
            self.during_fault([self.topup(m, "B1"), self.topup(m, "B2"), self.topup(m, "B0"),
                               L.saldo_query(m)], [{"99"}, {"99"}, {"99", "00"}, {"00"}])
            self.during_fault([L.status_query(m, "B0"), L.status_query(m, "B1")], [{"00"}, {"50"}])
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        self.assertEqual(self.loket.ledger_hash(), before)
        self.assertEqual(self.comes_back(self.topup(m, "B1")), "TRX T1.0811000001 SUKSES, HRG:2000 SN:SIM%s REFID:B1."
                         % self.loket.sql("SELECT id FROM transactions WHERE ref_id = 'B1'")[0][0])
        self.assertIn("SUKSES", self.comes_back(self.topup(m, "B2")))
        self.assertEqual(self.refs(m), ["B0", "B1", "B2"])
        self.assertEqual(self.loket.balance(m), 100000 - 3 * PRICE)
        self.assert_ledger_whole()

    def test_busy_after_the_hold_stays_pending_and_settles_later(self):
        m = self.partner("BUSYHELD")
        dest = "0821000001"
        self.loket.ctl("sim", "set", dest, "--result", "success", "--sn", "HELD", "--delay-ms", SLOW_MS)
        lock = sqlite3.connect(self.loket.db_path, isolation_level=None, timeout=10)
        try:
            elapsed, rc, reply = self.pending_then_fault(m, "H1", dest, lambda: lock.execute("BEGIN IMMEDIATE"))
            self.assertEqual(reply, "TRX T1.%s SEDANG DIPROSES, HRG:2000 REFID:H1." % dest)
            self.assertLess(elapsed, SLOW_MS / 1000 + BOUND)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        self.assertEqual(self.kinds(m, "H1"), ["hold"])
        self.assertEqual(self.loket.balance(m), 100000 - PRICE)
        # Once nothing can still be on its way, a status check asks the biller.
        self.assertTrue(self.loket.wait_for(lambda: "SUKSES" in self.client.ask(L.status_query(m, "H1")), 10))
        self.assertEqual(self.kinds(m, "H1"), ["hold"])
        self.assertEqual(self.loket.balance(m), 100000 - PRICE)
        self.assert_ledger_whole()

    def test_full_disk_refuses_before_any_debit(self):
        m = self.partner("FULL")
        self.assertIn("SUKSES", self.client.ask(self.topup(m, "F0")))
        before = self.loket.ledger_hash()
        self.mount.fill(self.loket)
        try:
            self.during_fault([self.topup(m, "F1"), self.topup(m, "F2"), L.saldo_query(m),
                               L.status_query(m, "F0")], [{"99"}, {"99"}, {"00"}, {"00"}])
            self.during_fault([self.topup(m, "F3"), self.topup(m, "F0")], [{"99"}, {"99", "00"}])
            self.assertEqual(self.loket.ledger_hash(), before)
            self.assert_ledger_whole()
        finally:
            self.mount.free()
        for ref in ("F1", "F2", "F3"):
            self.assertIn("SUKSES", self.comes_back(self.topup(m, ref)))
        self.assertEqual(self.refs(m), ["F0", "F1", "F2", "F3"])
        self.assertEqual(self.loket.balance(m), 100000 - 4 * PRICE)
        self.assert_ledger_whole()

    def test_full_disk_after_the_hold_never_refunds_blindly(self):
        # The biller says "failed", but the refund cannot be written: the
        # money stays held and the reply is "in process", never "failed".
        m = self.partner("FULLHELD")
        dest = "0822000001"
        self.loket.ctl("sim", "set", dest, "--result", "failed", "--delay-ms", SLOW_MS)
        try:
            elapsed, rc, reply = self.pending_then_fault(m, "G1", dest, lambda: self.mount.fill(self.loket))
            self.assertEqual(reply, "TRX T1.%s SEDANG DIPROSES, HRG:2000 REFID:G1." % dest)
            self.assertLess(elapsed, SLOW_MS / 1000 + BOUND)
            self.assertEqual(self.kinds(m, "G1"), ["hold"])
            self.assertEqual(self.loket.balance(m), 100000 - PRICE)
        finally:
            self.mount.free()
        self.assertTrue(self.loket.wait_for(lambda: "GAGAL" in self.client.ask(L.status_query(m, "G1")), 10))
        self.assertEqual(self.client.ask(L.status_query(m, "G1")),
                         "STATUS T1.%s GAGAL, DITOLAK BILLER. REFID:G1." % dest)
        self.assertEqual(self.kinds(m, "G1"), ["hold", "refund"])
        self.assertEqual(self.loket.balance(m), 100000)
        self.assert_ledger_whole()


class ReadOnlyTest(FaultSuite):
    workers = 2

    def close_cleanly(self):
        """As the last connection to close, SQLite checkpoints the WAL and
        removes -wal and -shm.  Two workers closing at once may each leave
        that to the other, so this test closes last itself."""
        con = sqlite3.connect(self.loket.db_path, isolation_level=None, timeout=10)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        self.assertFalse(os.path.exists(self.loket.db_path + "-shm"))

    def read_only_round(self, member, sig, reads_work, steady_readers=0):
        self.assertIn("SUKSES", self.client.ask(self.topup(member, "R0")))
        before = self.loket.ledger_hash()

        def remount():
            # A remount read-only needs every writer gone: the dispatcher too
            # (killed like the workers, or stopped cleanly like them).
            self.loket.stop_dispatcher(kill=reads_work)
            if not reads_work:
                self.close_cleanly()
            self.mount.read_only()

        pids = L.restart_workers(self.loket, self.workers, sig, between=remount)
        try:
            reads = {"00"} if reads_work else {"99"}
            self.during_fault([self.topup(member, "R1"), L.saldo_query(member)], [{"99"}, reads])
            self.during_fault([self.topup(member, "R0"), L.status_query(member, "R0")],
                              [{"99"} | reads, reads])
            self.assertEqual(self.loket.worker_pids(), pids, "a worker died on the read-only ledger")
        finally:
            self.mount.read_write()
            self.loket.start_dispatcher()
        self.assertEqual(self.loket.ledger_hash(), before)
        with SteadyReaders(self.loket.port, member, steady_readers) as readers:
            self.assertIn("SUKSES", self.comes_back(self.topup(member, "R1")))
        readers.check(self)
        self.assertEqual(L.saldo_of(self.client.ask(L.saldo_query(member))), 100000 - 2 * PRICE)
        self.assertEqual(self.loket.worker_pids(), pids)
        self.assertEqual(self.refs(member), ["R0", "R1"])
        self.assert_ledger_whole()

    def test_read_only_with_the_wal_left_behind(self):
        # Killed workers leave -wal and -shm: the ledger stays readable.
        self.read_only_round(self.partner("ROKILL"), signal.SIGKILL, reads_work=True)

    def test_read_only_recovers_under_steady_traffic(self):
        # Other partners keep asking their balance while the disk comes back,
        # so some connection opened during the fault is always in use: the
        # workers must still let go of the read-only WAL index and write again.
        self.read_only_round(self.partner("ROBUSY"), signal.SIGKILL, reads_work=True, steady_readers=32)

    def test_read_only_after_a_clean_stop(self):
        # Stopped workers remove -wal and -shm: nothing can be read at all,
        # yet the new workers must start, answer RC 99, and recover.
        self.read_only_round(self.partner("ROSTOP"), signal.SIGTERM, reads_work=False)


if __name__ == "__main__":
    unittest.main()
