"""Issue 13: GET /loket/metrics, as a Prometheus server on the host scrapes it.

Through nginx, real workers, a real dispatcher and a real ledger: the figures
follow real orders (a topup that succeeds, one left pending at the biller, a
configured supplier that reports its balance and is closed), every series
comes with its HELP and TYPE lines, and callers from anywhere but this host
are refused by the shipped nginx snippet.
"""
import re
import unittest

from digiflazz_sim import DigiflazzSim
from loket import Loket

PRICE = 2000
SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (-?[0-9]+)$')


def parse(body):
    """{(name, ((label, value), ...)): value}, asserting the exposition format:
    each family's HELP and TYPE come once, before its samples."""
    samples, declared, typed = {}, set(), {}
    for line in body.splitlines():
        if line.startswith("# HELP "):
            name = line.split()[2]
            assert name not in declared, "HELP twice for " + name
            declared.add(name)
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            assert name in declared and kind in ("counter", "gauge"), line
            typed[name] = kind
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        name, labels, value = m.groups()
        assert name in typed, "sample before its TYPE: " + line
        assert name.startswith("loket_"), name
        assert (typed[name] == "counter") == name.endswith("_total"), name
        pairs = tuple(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', labels or ""))
        samples[(name, pairs)] = int(value)
    return samples


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(workers=1, reply_wait_ms=1500)
        cls.loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "sim")
        cls.loket.ctl("sim", "set", "0817000099", "--result", "pending")
        cls.loket.add_partner("MTR1", 10 * PRICE)
        cls.loket.add_partner("MTR2")
        cls.loket.ctl("partner", "set", "MTR2", "--active", "no")

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def scrape(self):
        status, body = self.loket.get_raw("", path="/loket/metrics")
        self.assertEqual(status, 200, body)
        return parse(body)

    def test_a_topup_that_succeeds_and_one_left_pending_move_the_figures(self):
        before = self.scrape()
        self.assertEqual(before[("loket_ledger_up", ())], 1)
        self.assertEqual(before[("loket_dispatcher_up", ())], 1)
        self.assertIn("SUKSES", self.loket.topup("MTR1", "T1", "0817000001", "MT-OK"))
        self.assertIn("SEDANG DIPROSES", self.loket.topup("MTR1", "T1", "0817000099", "MT-PEND"))
        after = self.scrape()

        def moved(name, *labels):
            return after[(name, labels)] - before.get((name, labels), 0)
        self.assertEqual(moved("loket_transactions_total", ("status", "success")), 1)
        self.assertEqual(moved("loket_transactions_total", ("status", "failed")), 0)
        self.assertEqual(moved("loket_transactions_today", ("status", "success")), 1)
        self.assertEqual(moved("loket_transactions_today", ("status", "pending")), 1)
        self.assertEqual(after[("loket_orders", (("state", "pending"),))], 1)
        self.assertEqual(after[("loket_orders", (("state", "queued"),))], 0)
        self.assertEqual(after[("loket_oldest_queued_order_age_seconds", ())], 0)
        self.assertEqual(after[("loket_biller_orders", (("biller", "sim"), ("state", "pending")))], 1)
        self.assertGreaterEqual(after[("loket_oldest_pending_order_age_seconds", ())], 0)
        self.assertEqual(after[("loket_partners", (("state", "active"),))], 1)
        self.assertEqual(after[("loket_partners", (("state", "inactive"),))], 1)

        # The biller settles it when asked again: the pending order becomes a success.
        self.loket.ctl("sim", "set", "0817000099", "--result", "success")
        self.loket.reconcile()
        settled = self.scrape()
        self.assertEqual(settled[("loket_orders", (("state", "pending"),))], 0)
        # A built-in biller with nothing in hand has no series (a configured supplier always has).
        self.assertEqual(settled.get(("loket_biller_orders", (("biller", "sim"), ("state", "pending"))), 0), 0)
        self.assertEqual(settled[("loket_transactions_total", (("status", "success"),))] -
                         before[("loket_transactions_total", (("status", "success"),))], 2)

    def test_a_supplier_shows_its_last_balance_and_whether_it_is_open(self):
        sim = DigiflazzSim(username="alice", key="dev-key-123", deposit=750000)
        try:
            self.loket.ctl("supplier", "add", "DFM", "--type", "digiflazz", "--base-url", sim.base_url,
                           "--username", "alice", "--key", "dev-key-123")
            self.assertNotIn(("loket_supplier_balance_rupiah", (("supplier", "DFM"),)), self.scrape())
            self.loket.ctl("supplier", "test", "DFM", "--balance")
            figures = self.scrape()
            self.assertEqual(figures[("loket_supplier_balance_rupiah", (("supplier", "DFM"),))], 750000)
            self.assertGreater(figures[("loket_supplier_balance_timestamp_seconds", (("supplier", "DFM"),))], 0)
            self.assertEqual(figures[("loket_supplier_open", (("supplier", "DFM"),))], 1)
            self.loket.ctl("supplier", "close", "DFM")
            self.assertEqual(self.scrape()[("loket_supplier_open", (("supplier", "DFM"),))], 0)
        finally:
            sim.close()

    def test_the_dispatcher_being_down_shows_in_the_figures(self):
        self.loket.stop_dispatcher()
        try:
            self.assertEqual(self.scrape()[("loket_dispatcher_up", ())], 0)
        finally:
            self.loket.start_dispatcher()
        self.assertTrue(self.loket.wait_for(lambda: self.scrape()[("loket_dispatcher_up", ())] == 1, 10))

    def test_a_caller_from_another_address_is_refused(self):
        status, body = self.loket.get_raw("", path="/loket/metrics", source="127.0.0.2")
        self.assertEqual(status, 403)
        self.assertNotIn("loket_", body)
        status, body = self.loket.get_raw("", path="/loket/health", source="127.0.0.2")
        self.assertEqual(status, 403)


if __name__ == "__main__":
    unittest.main()
