"""Issue 13: `loketctl reconcile` reports only what its own run did.

Two operators (or the reconcile timer and an operator) run reconcile at the
same moment over the same pending orders.  Each order is made due by exactly
one of the runs, so the two reports add up to the orders there were, never
more; the dispatcher asks the biller once about each; money adds up.
"""
import os
import re
import subprocess
import time
import unittest

from loket import BIN, Loket

PRICE = 1000
EACH = 15   # orders per destination


def report(out):
    m = re.search(r"pending examined (\d+), succeeded (\d+), refunded (\d+), still pending (\d+)", out)
    assert m, out
    return [int(x) for x in m.groups()]


class TwoReconcilesAtOnceTest(unittest.TestCase):
    def test_two_runs_at_once_count_each_order_once(self):
        # Re-checks only when reconcile asks, so that the counts are exactly these runs'.
        with Loket(workers=2, reply_wait_ms=300, dispatcher_recheck_schedule=3600) as loket:
            loket.ctl("product", "set", "TP", "--price", PRICE, "--biller", "sim")
            loket.add_partner("RCN", 100 * PRICE)
            loket.ctl("sim", "set", "0851", "--result", "pending")
            loket.ctl("sim", "set", "0852", "--result", "pending")
            for i in range(EACH):
                self.assertIn("SEDANG DIPROSES", loket.topup("RCN", "TP", "0851", "OK%d" % i))
                self.assertIn("SEDANG DIPROSES", loket.topup("RCN", "TP", "0852", "NO%d" % i))
            # The biller now knows: 0851's went through, 0852's definitely failed.
            # Its status calls are slow, so both runs are still waiting on each other's orders.
            loket.ctl("sim", "set", "0851", "--result", "success", "--sn", "LATE", "--delay-ms", 100)
            loket.ctl("sim", "set", "0852", "--result", "failed", "--delay-ms", 100)
            time.sleep(1.1)   # --older-than 0 takes orders last touched before this second

            command = [os.path.join(BIN, "loketctl"), "--config", os.path.join(loket.home, "loket.properties"),
                       "reconcile", "--older-than", "0", "--wait", "60"]
            runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for _ in range(2)]
            outs = [p.communicate(timeout=120) for p in runs]
            for p, (out, err) in zip(runs, outs):
                self.assertEqual(p.returncode, 0, err)
            first, second = (report(out) for out, _ in outs)
            examined, succeeded, refunded, still = (a + b for a, b in zip(first, second))
            self.assertEqual((examined, succeeded, refunded, still), (2 * EACH, EACH, EACH, 0), outs)

            self.assertEqual(loket.balance("RCN"), 100 * PRICE - EACH * PRICE)
            self.assertEqual(loket.sql("SELECT COUNT(*) FROM transactions WHERE status = 'PENDING'")[0][0], 0)
            asked = loket.sql("SELECT t.ref_id, COUNT(a.id) FROM transactions t JOIN attempts a ON a.trx_id = t.id "
                              "AND a.kind = 'status' GROUP BY t.ref_id")
            self.assertEqual(len(asked), 2 * EACH)
            self.assertEqual({n for _, n in asked}, {1}, asked)   # the biller was asked once about each
            self.assertEqual(loket.audit().stdout.strip(), "audit ok")

    def test_an_order_another_run_made_due_is_not_counted_again(self):
        with Loket(workers=1, reply_wait_ms=300, dispatcher_recheck_schedule=3600) as loket:
            loket.ctl("product", "set", "TP", "--price", PRICE, "--biller", "sim")
            loket.add_partner("RCM", 10 * PRICE)
            loket.ctl("sim", "set", "0853", "--result", "pending")
            self.assertIn("SEDANG DIPROSES", loket.topup("RCM", "TP", "0853", "W1"))
            time.sleep(1.1)
            # A run that found no dispatcher (stopped for maintenance) made it due and gave up waiting.
            loket.stop_dispatcher()
            self.assertEqual(report(loket.ctl("reconcile", "--older-than", "0", "--wait", "0")), [1, 0, 0, 1])
            self.assertIn("next now (asked for by loketctl reconcile)", loket.ctl("trx", "show", "RCM", "W1"))
            # A second run leaves it to the first: it is already due.
            self.assertEqual(report(loket.ctl("reconcile", "--older-than", "0", "--wait", "0")), [0, 0, 0, 0])
            # The dispatcher, back, asks about it at once: it was due all along.
            loket.ctl("sim", "set", "0853", "--result", "success", "--sn", "DONE")
            loket.start_dispatcher()
            self.assertTrue(loket.wait_for(lambda: loket.sql(
                "SELECT status FROM transactions WHERE ref_id = 'W1'")[0][0] == "SUCCESS", 20))
            self.assertEqual(loket.balance("RCM"), 9 * PRICE)
            self.assertEqual(loket.audit().stdout.strip(), "audit ok")


if __name__ == "__main__":
    unittest.main()
