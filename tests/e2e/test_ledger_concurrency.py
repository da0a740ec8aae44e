"""Issue 4, proof 1: many partners at once through nginx.

32 clients send a seeded mix (ledger_load.LoadClient) of topups, duplicates
sent at the same moment as their originals (with a status check in the same
burst), refID conflicts, replays, status and balance checks; the sim succeeds,
fails and stays pending; one hot partner shared by every client runs out of
money, and one shared partner sees duplicates and conflicts across clients.
A model built from the replies alone must then agree with every balance, and
the ledger with the model: audit passes, no refID is answered both SUKSES and
GAGAL, no transaction holds twice, nothing the biller delivered is refunded.
Replay a failure with LOKET_SEED=<the printed seed>.
"""
import time
import unittest

from loket import Loket
import ledger_load as L

CLIENTS = 32
REQUESTS = 6000            # during the load; the final status sweep comes on top
PRICES = {"T1": 2000, "T5": 5500}
OWN_DEPOSIT = 2000000
HOT, HOT_DEPOSIT = "HOT", 150 * 2000
SHARED, SHARED_DEPOSIT = "SHARED", 5000000

SUCCESS_DESTS = ["08110000%02d" % i for i in range(8)]
SLOW_DEST = "0812000001"              # success after 30 ms: a wider in-flight window
FAILED_DEST = "0899000001"
LATE_SUCCESS, LATE_FAILED, STAYS_PENDING = "0877000001", "0877000002", "0877000003"


class LedgerConcurrencyTest(L.LedgerProof, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.started = time.time()
        cls.loket = Loket(workers=4)
        ctl = cls.loket.ctl
        for code, price in PRICES.items():
            ctl("product", "set", code, "--price", price, "--biller", "sim")
        ctl("sim", "set", SLOW_DEST, "--result", "success", "--sn", "SLOW", "--delay-ms", 30)
        ctl("sim", "set", FAILED_DEST, "--result", "failed")
        for dest in (LATE_SUCCESS, LATE_FAILED, STAYS_PENDING):
            ctl("sim", "set", dest, "--result", "pending")
        cls.model = L.Model(L.ReplyReader(cls.loket))
        members = ["OWN%02d" % i for i in range(CLIENTS)]
        L.fund_partners(cls.loket, cls.model, dict({m: OWN_DEPOSIT for m in members}, **{HOT: HOT_DEPOSIT,
                                                                                     SHARED: SHARED_DEPOSIT}))
        cls.load = L.Load(cls.model, cls.loket.port, L.seeded("ledger concurrency"), members, PRICES,
                          SUCCESS_DESTS, SLOW_DEST, FAILED_DEST, [LATE_SUCCESS, LATE_FAILED, STAYS_PENDING],
                          hot=HOT, shared=SHARED)
        load_started = time.time()
        cls.load.run(REQUESTS // CLIENTS)
        cls.load_requests = cls.load.sent
        cls.load_seconds = time.time() - load_started
        # The late dests settle now; the sweep's status checks settle them.
        ctl("sim", "set", LATE_SUCCESS, "--result", "success", "--sn", "LATE")
        ctl("sim", "set", LATE_FAILED, "--result", "failed")
        cls.loket.reconcile()   # the dispatcher asks the biller about every pending order
        cls.load.sweep()

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()
        print("\nledger concurrency: %d requests by %d clients in %.1f s of load (%d lost, %d busy), "
              "%d refIDs, %d balance checks; RCs %s; %.1f s in all" % (
                  cls.load_requests, CLIENTS, cls.load_seconds, cls.load.lost, cls.load.busy,
                  len(cls.model.refs), cls.load.saldo_checks, sorted(cls.model.rcs.items(), key=str),
                  time.time() - cls.started))

    def test_enough_load(self):
        self.assertGreaterEqual(self.load_requests, 5000)
        self.assertEqual(len(self.load.clients), CLIENTS)

    def test_model_agrees_with_every_balance(self):
        client = L.Client(self.loket.port)
        for member in self.load.members + [HOT, SHARED]:
            expected = self.model.expected_balance(member)
            self.assertEqual(self.loket.balance(member), expected, member)
            self.assertEqual(L.saldo_of(client.ask(L.saldo_query(member))), expected, member)

    def test_hot_partner_ran_out(self):
        self.assertEqual(self.loket.balance(HOT), 0)
        hot = [m for m in self.model.refs.values() if m.member == HOT]
        self.assertEqual(sum(1 for m in hot if m.state == "SUKSES"), HOT_DEPOSIT // PRICES["T1"])
        refused = sum(1 for m in hot if m.state == "GAGAL")
        self.assertGreater(refused, 0)
        self.assertEqual(self.loket.sql("SELECT COUNT(*) FROM transactions WHERE member_id = ? AND rc = '17'",
                                        HOT)[0][0], refused)

    def test_no_duplicate_is_charged(self):
        self.assertEqual(L.double_holds(self.loket), [])
        self.assertEqual(self.loket.sql("SELECT member_id, ref_id FROM transactions GROUP BY member_id, ref_id "
                                        "HAVING COUNT(*) > 1"), [])

    def test_ledger_holds_exactly_what_the_replies_said(self):
        L.check_ledger_against_model(self, self.loket, self.model)

    def test_late_outcomes_settled_as_the_biller_said(self):
        by_dest = {}
        for m in self.model.refs.values():
            if m.params:
                by_dest.setdefault(m.params[1], set()).add(m.state)
        self.assertEqual(by_dest.get(LATE_SUCCESS), {"SUKSES"})
        self.assertEqual(by_dest.get(LATE_FAILED), {"GAGAL"})
        self.assertEqual(by_dest.get(STAYS_PENDING), {"PENDING"})
        self.assertEqual(by_dest.get(FAILED_DEST), {"GAGAL"})

    def test_nothing_the_biller_delivered_was_refunded(self):
        self.assertEqual(L.delivered_but_refunded(self.loket), [])


if __name__ == "__main__":
    unittest.main()
