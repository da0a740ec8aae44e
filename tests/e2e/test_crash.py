"""Issue 4, proof 2: workers die mid-request.

The same mixed load as the concurrency proof runs while the pool's workers
are SIGKILLed, one at a time, oldest first (multiwatch gives up on a slot
that dies more than 3 times within 10 s, so the kills are spread over the
slots).  A client whose reply is lost (nginx's 502, a dropped connection)
asks again with the same refID, as a partner would.  Afterwards: no
acknowledged transaction is lost, none is debited twice, the model built from
the replies agrees with every balance, audit passes, SQLite's integrity_check
is ok, and the pool is back at full strength.
"""
import threading
import time
import unittest

from loket import Loket, sqlite_only
import ledger_load as L

CLIENTS = 32
WORKERS = 4
KILLS = 8
REQUESTS = 3200            # at least; the load goes on until the last kill
PRICES = {"T1": 2000, "T5": 5500}
OWN_DEPOSIT = 2000000
HOT, HOT_DEPOSIT = "HOT", 100 * 2000

SUCCESS_DESTS = ["08110000%02d" % i for i in range(6)]
SLOW_DEST = "0812000001"              # a 40 ms biller: kills often land between hold and settlement
FAILED_DEST = "0899000001"
SLOW_FAILED = "0899000002"
STAYS_PENDING = "0877000003"
IN_FLIGHT_SECONDS = 5.0     # > what Settlement::inFlight allows with the harness's 1 s + 1 s timeouts


class CrashTest(L.LedgerProof, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.started = time.time()
        cls.loket = Loket(workers=WORKERS)
        ctl = cls.loket.ctl
        for code, price in PRICES.items():
            ctl("product", "set", code, "--price", price, "--biller", "sim")
        ctl("sim", "set", SLOW_DEST, "--result", "success", "--sn", "SLOW", "--delay-ms", 40)
        ctl("sim", "set", FAILED_DEST, "--result", "failed")
        ctl("sim", "set", SLOW_FAILED, "--result", "failed", "--delay-ms", 40)
        ctl("sim", "set", STAYS_PENDING, "--result", "pending")
        cls.model = L.Model(L.ReplyReader(cls.loket))
        members = ["OWN%02d" % i for i in range(CLIENTS)]
        L.fund_partners(cls.loket, cls.model, dict({m: OWN_DEPOSIT for m in members}, **{HOT: HOT_DEPOSIT}))
        cls.first_pids = L.wait_for_workers(cls.loket, WORKERS)
        cls.load = L.Load(cls.model, cls.loket.port, L.seeded("crash"), members, PRICES, SUCCESS_DESTS, SLOW_DEST,
                          FAILED_DEST, [SLOW_FAILED, STAYS_PENDING], hot=HOT)
        cls.killed = []
        cls.last_kill = time.monotonic()
        done = threading.Event()
        killer = threading.Thread(target=cls.kill_workers, args=(done,), daemon=True)
        load_started = time.time()
        killer.start()
        try:
            cls.load.run(REQUESTS // CLIENTS, until=done)
        finally:
            done.set()
            killer.join()
        cls.load_requests = cls.load.sent
        cls.load_seconds = time.time() - load_started
        cls.final_pids = L.wait_for_workers(cls.loket, WORKERS)
        # A transaction whose worker died between its hold and the biller is
        # left alone while that worker could still be sending it
        # (Settlement::inFlight: biller timeout + busy timeout, in whole
        # seconds, so at most 4 s here); after that the sweep settles it.
        time.sleep(max(0.0, cls.last_kill + IN_FLIGHT_SECONDS - time.monotonic()))
        cls.loket.reconcile()   # the dispatcher asks the biller about every pending order
        cls.load.sweep()

    @classmethod
    def kill_workers(cls, done):
        try:
            time.sleep(0.5)
            for _ in range(KILLS):
                cls.killed.append(L.kill_oldest_worker(cls.loket))
                cls.last_kill = time.monotonic()
                L.wait_for_workers(cls.loket, WORKERS)
                time.sleep(0.4)
        finally:
            done.set()

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()
        print("\ncrash: %d requests by %d clients in %.1f s with %d workers SIGKILLed "
              "(%d replies lost and asked again, %d busy); %d refIDs; RCs %s; %.1f s in all" % (
                  cls.load_requests, CLIENTS, cls.load_seconds, len(cls.killed), cls.load.lost, cls.load.busy,
                  len(cls.model.refs), sorted(cls.model.rcs.items(), key=str), time.time() - cls.started))

    def test_workers_were_killed_and_replaced(self):
        self.assertEqual(len(self.killed), KILLS)
        self.assertGreater(self.load.lost, 0, "no kill ever cost a reply: the proof proved nothing")
        self.assertGreaterEqual(self.load_requests, 3000)
        self.assertEqual(len(self.final_pids), WORKERS)
        self.assertEqual(set(self.final_pids) & set(self.killed), set())
        self.assertEqual(L.wait_for_workers(self.loket, WORKERS), self.final_pids)

    def test_no_acknowledged_transaction_is_lost(self):
        L.check_ledger_against_model(self, self.loket, self.model)

    def test_no_double_debit(self):
        self.assertEqual(L.double_holds(self.loket), [])
        for member in self.load.members + [HOT]:
            self.assertEqual(self.loket.balance(member), self.model.expected_balance(member), member)

    @sqlite_only("PRAGMA integrity_check checks SQLite's file")
    def test_integrity_check_is_ok(self):
        self.assertEqual(L.integrity(self.loket), [("ok",)])

    def test_nothing_the_biller_delivered_was_refunded(self):
        self.assertEqual(L.delivered_but_refunded(self.loket), [])

    def test_no_transaction_is_left_waiting_for_a_dead_worker(self):
        self.assertEqual(self.loket.sql("SELECT COUNT(*) FROM transactions WHERE status = 'PENDING' AND dest != ?",
                                        STAYS_PENDING), [(0,)])


if __name__ == "__main__":
    unittest.main()
