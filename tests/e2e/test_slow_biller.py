"""Issue 4, proof 3: a slow or stuck biller.

A sim delay beyond biller.timeout_ms leaves the transaction PENDING (RC 68,
money held).  `loketctl reconcile` settles it later: success keeps the money,
a definite failure refunds exactly once, still unknown stays pending.  A
biller that succeeds after our timeout is never refunded.  Reconcile is safe
run several times at once, beside partners' traffic and status checks.
"""
import os
import random
import re
import subprocess
import time
import unittest

from loket import BIN, Loket, PASSWORD, PIN
import ledger_load as L

TIMEOUT_MS = 300
PRICE = 2000


class SlowBillerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(workers=4, biller_timeout_ms=TIMEOUT_MS, reply_wait_ms=1000)
        cls.loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "sim")
        cls.reader = L.ReplyReader(cls.loket)
        cls.client = L.Client(cls.loket.port)

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def partner(self, name, deposit=100000):
        self.loket.add_partner(name, deposit)
        return name

    def topup(self, member, dest, ref):
        return self.client.ask(L.topup_query(member, "T1", dest, ref))

    def status(self, member, ref):
        return self.client.ask(L.status_query(member, ref))

    def reconcile(self, older_than=0):
        out = self.loket.ctl("reconcile", "--older-than", older_than)
        m = re.match(r"pending examined (\d+), succeeded (\d+), refunded (\d+), still pending (\d+)",
                                   out)
        self.assertIsNotNone(m, out)
        return tuple(int(x) for x in m.groups())

    def mutations(self, member, ref):
        return [k for (k,) in self.loket.sql(
            "SELECT m.kind FROM mutations m JOIN transactions t ON t.id = m.trx_id "
            "WHERE t.member_id = ? AND t.ref_id = ? ORDER BY m.id", member, ref)]

    def db_status(self, member, ref):
        return self.loket.sql("SELECT status FROM transactions WHERE member_id = ? AND ref_id = ?", member, ref)[0][0]

    def slow_pending(self, member, dest, ref, result):
        """A topup whose biller answers after our timeout: PENDING, money held."""
        self.loket.ctl("sim", "set", dest, "--result", result, "--sn", "LATE" + dest[-3:], "--delay-ms", 2000)
        reply = self.topup(member, dest, ref)
        # The sim would answer after 2 s; "in process" is our timeout speaking.
        self.assertEqual(reply, "TRX T1.%s SEDANG DIPROSES, HRG:%d REFID:%s." % (dest, PRICE, ref))
        self.assertEqual(self.reader.rc(reply, "TRX"), "68")
        self.assertEqual(self.db_status(member, ref), "PENDING")
        self.assertEqual(self.mutations(member, ref), ["hold"])

    def test_success_after_timeout_keeps_the_money(self):
        m = self.partner("LATEOK")
        self.slow_pending(m, "0813000001", "OK1", "success")
        self.assertEqual(self.loket.balance(m), 100000 - PRICE)
        # Too young for the default reconcile: left alone.
        self.assertEqual(self.db_status(m, "OK1"), "PENDING")
        self.loket.ctl("reconcile", "--older-than", 3600)
        self.assertEqual(self.db_status(m, "OK1"), "PENDING")
        examined, succeeded, refunded, _ = self.reconcile()
        self.assertGreaterEqual(succeeded, 1)
        self.assertEqual(self.db_status(m, "OK1"), "SUCCESS")
        self.assertEqual(self.loket.balance(m), 100000 - PRICE)
        self.assertEqual(self.mutations(m, "OK1"), ["hold"])
        expected = "STATUS T1.0813000001 SUKSES, HRG:%d SN:LATE001 REFID:OK1." % PRICE
        self.assertEqual(self.status(m, "OK1"), expected)
        self.assertEqual(self.loket.sql("SELECT mitra_message FROM transactions WHERE member_id = ? AND ref_id = ?",
                                        m, "OK1"), [(expected,)])
        self.reconcile()
        self.assertEqual(self.mutations(m, "OK1"), ["hold"])
        self.assertIn("SUKSES", self.topup(m, "0813000001", "OK1"))
        self.assertEqual(self.loket.balance(m), 100000 - PRICE)

    def test_failure_after_timeout_refunds_exactly_once(self):
        m = self.partner("LATEFAIL")
        self.slow_pending(m, "0813000002", "F1", "failed")
        self.reconcile()
        self.assertEqual(self.db_status(m, "F1"), "FAILED")
        self.assertEqual(self.loket.balance(m), 100000)
        for _ in range(3):
            self.reconcile()
            self.assertEqual(self.status(m, "F1"), "STATUS T1.0813000002 GAGAL, DITOLAK BILLER. REFID:F1.")
        self.assertEqual(self.mutations(m, "F1"), ["hold", "refund"])
        self.assertEqual(self.loket.balance(m), 100000)

    def test_still_unknown_stays_pending(self):
        m = self.partner("LATEPEND")
        self.slow_pending(m, "0813000003", "P1", "pending")
        for _ in range(2):
            self.reconcile()
            self.assertEqual(self.db_status(m, "P1"), "PENDING")
        self.assertEqual(self.status(m, "P1"), "STATUS T1.0813000003 SEDANG DIPROSES, HRG:%d REFID:P1." % PRICE)
        self.assertEqual(self.loket.balance(m), 100000 - PRICE)
        self.assertEqual(self.mutations(m, "P1"), ["hold"])
        # The biller finally answers: the next reconcile settles it.
        self.loket.ctl("sim", "set", "0813000003", "--result", "success", "--sn", "FINALLY")
        self.reconcile()
        self.assertEqual(self.db_status(m, "P1"), "SUCCESS")
        self.assertIn("SN:FINALLY", self.status(m, "P1"))
        self.assertEqual(self.loket.balance(m), 100000 - PRICE)

    def test_status_checks_during_the_call_never_refund_a_delivery(self):
        # Status checks arrive while the worker still waits on the biller (or
        # has not reached it yet): they may say "in process", never "failed".
        m = self.partner("EARLYCEK")
        dest = "0813000004"
        self.loket.ctl("sim", "set", dest, "--result", "success", "--sn", "EARLY", "--delay-ms", 250)
        for i in range(5):
            ref = "E%d" % i
            replies = self.client.burst([L.topup_query(m, "T1", dest, ref)] + [L.status_query(m, ref)] * 3)
            self.assertEqual(replies[0], (200, "TRX T1.%s SUKSES, HRG:%d SN:EARLY REFID:%s." % (dest, PRICE, ref)))
            for status, reply in replies[1:]:
                self.assertEqual(status, 200)
                self.assertIn(self.reader.rc(reply, "STATUS"), {"00", "68", "50"}, reply)
            self.assertEqual(self.mutations(m, ref), ["hold"])
        self.assertEqual(self.loket.balance(m), 100000 - 5 * PRICE)

    def test_reconcile_beside_itself_and_traffic(self):
        model = L.Model(self.reader)
        members = ["RACE%d" % i for i in range(3)]
        for member in members:
            self.partner(member, 1000000)
            model.deposit(member, 1000000)
        dests = {"0814000001": "success", "0814000002": "failed", "0814000003": "pending"}
        rng = random.Random(L.seeded("slow biller race"))
        for round_ in range(2):
            for dest in dests:
                self.loket.ctl("sim", "set", dest, "--result", "pending")
            refs = []
            for i in range(60):
                member, dest = members[i % 3], list(dests)[i % 3]
                ref = "Q%d-%03d" % (round_, i)
                sent = time.monotonic()
                rc = model.record(member, ref, ("T1", dest, 1), self.topup(member, dest, ref), "TRX", sent)
                self.assertEqual(rc, "68")
                refs.append((member, ref, dest))
            for dest, result in dests.items():
                self.loket.ctl("sim", "set", dest, "--result", result, "--sn", "R" + dest[-1])
            results = self.race(model, refs, rng)
            for out in results:
                self.assertEqual(out.returncode, 0, out.stderr)
            for member, ref, dest in refs:
                sent = time.monotonic()
                model.record(member, ref, None, self.status(member, ref), "STATUS", sent)
        self.assertEqual(model.violations, [])
        self.assertEqual(model.answered_both(), [])
        db = L.db_transactions(self.loket)
        for (member, ref), m in model.refs.items():
            status, rc, price, holds, refunds = db[(member, ref)]
            dest = m.params[1]
            self.assertEqual(status, {"success": "SUCCESS", "failed": "FAILED", "pending": "PENDING"}[dests[dest]])
            self.assertEqual((holds, refunds), (1, 1 if dests[dest] == "failed" else 0), (member, ref))
        for member in members:
            self.assertEqual(self.loket.balance(member), model.expected_balance(member))
        self.assertEqual(L.double_holds(self.loket), [])
        self.assertEqual(self.loket.audit().returncode, 0)

    def race(self, model, refs, rng):
        """Three reconciles at once, beside status checks of the same refIDs
        and new topups of other partners."""
        procs = [subprocess.Popen([os.path.join(BIN, "loketctl"), "--config",
                                   os.path.join(self.loket.home, "loket.properties"), "reconcile",
                                   "--older-than", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
        shuffled = refs[:]
        rng.shuffle(shuffled)

        def traffic(i):
            client = L.Client(self.loket.port)
            for member, ref, _ in shuffled[i::8]:
                sent = time.monotonic()
                model.record(member, ref, None, client.ask(L.status_query(member, ref)), "STATUS", sent)
            other = "TRAFFIC%d" % i
            for n in range(10):
                client.ask(L.topup_query(other, "T1", "0815000001", "N%d" % n))

        for i in range(8):
            try:
                self.loket.ctl("partner", "add", "TRAFFIC%d" % i, "--pin", PIN, "--password", PASSWORD)
                self.loket.ctl("deposit", "TRAFFIC%d" % i, 100000)
            except AssertionError:
                pass   # second round: already there
        L.run_threads(8, traffic)
        results = []
        for p in procs:
            out, err = p.communicate(timeout=60)
            results.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
        return results


if __name__ == "__main__":
    unittest.main()
