"""Partner prices, margins and one payment per bill (issue 10), through nginx.

- An operator gives a level a markup per product and a partner that level: the
  partner pays the product's price plus the markup (a bill: the admin fee plus
  the markup), reads the same prices from `loketctl price list` and from its
  own GET /V1/http-get/pricelist (pin+password or HTTP-GET SIGN, with the same
  allowlist and lockout as a balance request, and no secret in any log).
- `report daily` shows cost and margin per product and per supplier.
- Two payments of one bill under two refIDs at the same moment: one is charged,
  the other answers RC 88; a bill whose payment failed can be paid again.
"""
import base64
import csv
import hashlib
import io
import threading
import unittest

from loket import Loket, PIN, PASSWORD

OUTSIDER = "127.0.0.2"   # another loopback address: "from elsewhere"
MAX_RUPIAH = 10 ** 12


def sign(*parts):
    """base64url-without-padding(SHA1(parts joined with |)) (HTTP-GET SIGN)."""
    digest = hashlib.sha1("|".join(parts).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


class PriceLevelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(workers=2)
        ctl = cls.loket.ctl
        ctl("product", "set", "T10", "--price", 10000, "--biller", "sim")
        ctl("product", "set", "T5", "--price", 5500, "--biller", "sim")
        ctl("product", "set", "TUTUP", "--price", 1000, "--biller", "sim", "--open", "no")
        ctl("product", "set", "PLNPASC", "--family", "PLNPASC", "--admin", 2750, "--biller", "sim")
        ctl("product", "set", "HUGE", "--price", MAX_RUPIAH - 100, "--biller", "sim")
        ctl("level", "set", "GOLD", "T10", "--markup", 150)
        ctl("level", "set", "GOLD", "PLNPASC", "--markup", 500)
        ctl("level", "set", "GOLD", "HUGE", "--markup", 100)
        ctl("level", "set", "SILVER", "T10", "--markup", 300)

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def partner(self, member, level=None, deposit=1000000):
        self.loket.add_partner(member, deposit)
        if level:
            self.loket.ctl("partner", "set", member, "--level", level)
        return member

    def pricelist(self, member, source=None, **credentials):
        q = dict(memberID=member)
        q.update(credentials or dict(pin=PIN, password=PASSWORD))
        status, body = self.loket.get(path="/V1/http-get/pricelist", source=source, **q)
        self.assertEqual(status, 200, body)
        return body

    def test_a_partner_of_a_level_pays_price_plus_markup(self):
        gold, plain = self.partner("GOLD1", "GOLD"), self.partner("PLAIN1")
        self.assertIn("SUKSES, HRG:20300 ", self.loket.topup(gold, "T10", "0811", "G1", qty=2))
        self.assertEqual(self.loket.balance(gold), 1000000 - 2 * 10150)
        self.assertIn("SUKSES, HRG:10000 ", self.loket.topup(plain, "T10", "0811", "P1"))
        self.assertEqual(self.loket.balance(plain), 1000000 - 10000)
        # No markup of the level on T5: the product's own price.
        self.assertIn("SUKSES, HRG:5500 ", self.loket.topup(gold, "T5", "0811", "G2"))
        # The hold is what the partner pays, exactly once.
        self.assertEqual(self.loket.sql("SELECT amount FROM mutations m JOIN transactions t ON t.id = m.trx_id "
                                        "WHERE t.member_id = ? AND m.kind = 'hold' ORDER BY m.id", gold),
                         [(-20300,), (-5500,)])
        self.assertIn("audit ok", self.loket.audit().stdout)

    def test_a_bill_carries_the_level_markup_on_its_admin_fee(self):
        gold = self.partner("GOLDBILL", "GOLD")
        self.loket.ctl("sim", "bill", "PLNPASC", "546300000001", "--name", "Anto", "--amount", 300000,
                       "--period", "2026-11")
        self.assertEqual(self.loket.inquiry(gold, "PLNPASC", "546300000001", "B1"),
                         "CEK PLNPASC.546300000001 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:3250.")
        self.assertIn("SUKSES, HRG:303250 ", self.loket.payment(gold, "PLNPASC", "546300000001", "B1"))
        self.assertEqual(self.loket.balance(gold), 1000000 - 303250)

    def test_a_level_change_applies_to_the_next_purchase(self):
        m = self.partner("MOVER", "SILVER")
        self.assertIn("HRG:10300 ", self.loket.topup(m, "T10", "0811", "M1"))
        self.loket.ctl("partner", "set", m, "--level", "GOLD")
        self.assertIn("HRG:10150 ", self.loket.topup(m, "T10", "0811", "M2"))
        self.loket.ctl("partner", "set", m, "--level", "")
        self.assertIn("HRG:10000 ", self.loket.topup(m, "T10", "0811", "M3"))
        self.assertEqual(self.loket.balance(m), 1000000 - 10300 - 10150 - 10000)

    def test_price_times_qty_plus_markup_never_overflows(self):
        m = self.partner("HUGE1", "GOLD", deposit=10 ** 9)
        before = self.loket.balance(m)
        # (10^12 - 100 + 100) × 10 is beyond every amount Loket handles: closed, nothing debited.
        self.assertIn("GAGAL", self.loket.topup(m, "HUGE", "0811", "H1", qty=10))
        self.assertEqual(self.loket.sql("SELECT status FROM transactions WHERE ref_id = 'H1'"), [])
        self.assertEqual(self.loket.balance(m), before)
        # A markup that would take the price past the limit is refused by the operator's tool.
        r = self.loket.ctl("level", "set", "GOLD", "HUGE", "--markup", 101, check=False)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("above", r.stderr)
        self.assertIn("audit ok", self.loket.audit().stdout)

    def test_price_list_for_the_operator_and_the_partner(self):
        gold = self.partner("GOLDLIST", "GOLD")
        rows = {r["product"]: (r["kind"], int(r["price"]), r["state"])
                for r in csv_rows(self.loket.ctl("price", "list", "--member", gold, "--csv"))}
        self.assertEqual(rows["T10"], ("topup", 10150, "open"))
        self.assertEqual(rows["T5"], ("topup", 5500, "open"))
        self.assertEqual(rows["PLNPASC"], ("bill", 3250, "open"))
        self.assertEqual(rows["TUTUP"], ("topup", 1000, "closed"))
        lines = self.pricelist(gold).splitlines()
        self.assertEqual(lines[0], "HARGA SUKSES, %d PRODUK." % len(rows))
        self.assertIn("T10;10150;open", lines)
        self.assertIn("PLNPASC;3250;open", lines)
        self.assertIn("TUTUP;1000;closed", lines)
        self.assertEqual(len(lines), 1 + len(rows))
        # Another partner reads its own prices, never GOLD's.
        plain = self.partner("PLAINLIST")
        self.assertIn("T10;10000;open", self.pricelist(plain).splitlines())
        r = self.loket.ctl("price", "list", "--member", "NOBODY", check=False)
        self.assertEqual(r.returncode, 1)

    def test_pricelist_is_authenticated_like_a_balance_request(self):
        m = self.partner("PLAUTH", "GOLD")
        self.assertEqual(self.pricelist(m, pin=PIN, password="wrong"), "HARGA GAGAL, PIN ATAU PASSWORD SALAH.")
        # HTTP-GET SIGN: PREFIX|PriceList|memberID|pin|password.
        good = sign("OtomaX", "PriceList", m, PIN, PASSWORD)
        self.assertIn("T10;10150;open", self.pricelist(m, sign=good).splitlines())
        self.assertEqual(self.pricelist(m, sign=sign("OtomaX", "CheckBalance", m, PIN, PASSWORD)),
                         "HARGA GAGAL, PIN ATAU PASSWORD SALAH.")
        # The partner's IP allowlist.
        self.loket.ctl("partner", "set", m, "--ip", "127.0.0.1/32")
        self.assertEqual(self.pricelist(m, source=OUTSIDER), "HARGA GAGAL, IP TIDAK TERDAFTAR.")
        self.loket.ctl("partner", "set", m, "--ip", "")
        # The lockout counts failures here too.
        self.loket.ctl("partner", "unlock", m)
        for _ in range(5):
            self.pricelist(m, pin=PIN, password="wrong")
        self.assertEqual(self.pricelist(m), "HARGA GAGAL, AKUN TERKUNCI, SILAKAN COBA LAGI NANTI.")
        self.loket.ctl("partner", "unlock", m)
        self.assertTrue(self.pricelist(m).startswith("HARGA SUKSES"))
        # A malformed memberID is RC 30, as on the balance endpoint.
        status, body = self.loket.get(path="/V1/http-get/pricelist", memberID="a b", pin=PIN, password=PASSWORD)
        self.assertTrue(body.startswith("HARGA GAGAL"), body)
        # No pin, password or sign in any log.
        logs = self.loket.all_logs()
        for secret in (PASSWORD, good, "password=", "sign="):
            self.assertNotIn(secret, logs)
        self.assertIn("/V1/http-get/pricelist", self.loket.access_log())

    def test_level_list_and_del(self):
        self.loket.ctl("level", "set", "BRONZE", "T5", "--markup", 25)
        rows = csv_rows(self.loket.ctl("level", "list", "BRONZE", "--csv"))
        self.assertEqual([(r["level"], r["product"], r["markup"]) for r in rows], [("BRONZE", "T5", "25")])
        self.loket.ctl("level", "del", "BRONZE", "T5")
        self.assertEqual(csv_rows(self.loket.ctl("level", "list", "BRONZE", "--csv")), [])
        # Removing what is not there is a clear refusal on every backend (through
        # psqlODBC a DELETE ... RETURNING that removes nothing used to fail with
        # an ODBC error instead: Database::returning).
        again = self.loket.ctl("level", "del", "BRONZE", "T5", check=False)
        self.assertEqual(again.returncode, 1)
        self.assertIn("no markup of level BRONZE on T5", again.stderr)
        for bad in (["level", "set", "BRONZE", "NOPE", "--markup", 1],
                    ["level", "set", "BRONZE", "T5", "--markup", -1],
                    ["level", "set", "BRONZE", "T5"],
                    ["level", "set", "a b", "T5", "--markup", 1],
                    ["partner", "set", "PLAIN1", "--level", "a|b"]):
            r = self.loket.ctl(*bad, check=False)
            self.assertEqual(r.returncode, 2, (bad, r.stdout, r.stderr))


if __name__ == "__main__":
    unittest.main()


class DailyMarginTest(unittest.TestCase):
    """report daily: what partners paid, what the delivering supplier charged, the margin."""

    @classmethod
    def setUpClass(cls):
        from digiflazz_sim import DigiflazzSim
        cls.df = DigiflazzSim(username="alice", key="dev-key-123")
        cls.loket = Loket(workers=2)
        ctl = cls.loket.ctl
        ctl("supplier", "add", "DF", "--type", "digiflazz", "--base-url", cls.df.base_url, "--username", "alice",
            "--key", "dev-key-123")
        ctl("product", "set", "T10", "--price", 10500, "--biller", "sim")
        ctl("product", "set", "T5", "--price", 5500, "--biller", "sim")
        ctl("route", "add", "T10", "DF", "--code", "xld10", "--cost", 10000)   # Digiflazz charges 10000 for xld10
        ctl("route", "add", "T5", "sim", "--code", "T5", "--cost", 5000)
        ctl("level", "set", "GOLD", "T10", "--markup", 200)
        ctl("sim", "set", "0822", "--result", "failed")
        # The dispatcher reads suppliers every 10 s; a restart reads them now.
        cls.loket.stop_dispatcher()
        cls.loket.start_dispatcher()
        cls.loket.add_partner("MA", 1000000)
        cls.loket.add_partner("MB", 1000000)
        ctl("partner", "set", "MB", "--level", "GOLD")
        l = cls.loket
        assert "SUKSES" in l.topup("MA", "T10", "0811", "A1")
        assert "SUKSES" in l.topup("MA", "T10", "0812", "A4")
        assert "SUKSES" in l.topup("MB", "T10", "0811", "B1")
        assert "SUKSES" in l.topup("MA", "T5", "0811", "A2")
        assert "GAGAL" in l.topup("MA", "T5", "0822", "A3")

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()
        cls.df.close()

    def report(self, *extra):
        return [r.split(",") for r in self.loket.ctl("report", "daily", "--csv", *extra).splitlines()]

    def test_cost_and_margin_per_product_with_totals(self):
        # T10: 2 × 10500 (MA) + 10700 (MB, level GOLD) = 31700 taken, 3 × 10000 to Digiflazz.
        # T5: 5500 taken, 5000 the route's cost at the sim; the failed one counts nothing.
        self.assertEqual(self.report(), [["product", "status", "count", "sum", "cost", "margin"],
                                         ["T10", "SUCCESS", "3", "31700", "30000", "1700"],
                                         ["T5", "FAILED", "1", "0", "0", "0"],
                                         ["T5", "SUCCESS", "1", "5500", "5000", "500"],
                                         ["TOTAL", "taken", "4", "37200", "35000", "2200"]])

    def test_cost_and_margin_per_supplier_with_totals(self):
        self.assertEqual(self.report("--by", "supplier"),
                         [["supplier", "product", "status", "count", "sum", "cost", "margin"],
                          ["DF", "T10", "SUCCESS", "3", "31700", "30000", "1700"],
                          ["DF", "TOTAL", "taken", "3", "31700", "30000", "1700"],
                          ["sim", "T5", "FAILED", "1", "0", "0", "0"],
                          ["sim", "T5", "SUCCESS", "1", "5500", "5000", "500"],
                          ["sim", "TOTAL", "taken", "1", "5500", "5000", "500"],
                          ["", "TOTAL", "taken", "4", "37200", "35000", "2200"]])
        # What the report says Digiflazz cost is what Digiflazz took from our deposit there.
        self.assertEqual(self.df.deposit, 1000000 - 30000)
        r = self.loket.ctl("report", "daily", "--by", "route", check=False)
        self.assertEqual(r.returncode, 2)


class OneBillPaidOnceTest(unittest.TestCase):
    """Two payments of one bill under two refIDs, sent at the same moment through
    nginx: one is charged, the other answers RC 88 and is charged nothing."""

    PRICE = 100000 + 2750

    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(workers=4)
        cls.loket.ctl("product", "set", "PLNPASC", "--family", "PLNPASC", "--admin", 2750, "--biller", "sim")
        cls.loket.ctl("product", "set", "PLNPASC2", "--family", "PLNPASC", "--admin", 2750, "--biller", "sim")

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def bill(self, customer, product="PLNPASC"):
        self.loket.ctl("sim", "bill", product, customer, "--name", "Anto", "--amount", 100000, "--period", "2026-11")

    def pay_at_once(self, payments):
        """Sends every (member, product, customer, refID) payment at the same moment; their replies."""
        barrier = threading.Barrier(len(payments))
        replies = [None] * len(payments)

        def pay(i, member, product, customer, ref):
            barrier.wait()
            replies[i] = self.loket.payment(member, product, customer, ref)

        threads = [threading.Thread(target=pay, args=(i,) + p) for i, p in enumerate(payments)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return replies

    def test_twenty_pairs_at_once_each_bill_charged_once(self):
        pairs = []
        for i in range(20):
            customer = "5463%08d" % i
            self.bill(customer)
            # Half the pairs come from one partner, half from two partners.
            a, b = ("SAME%d" % i, "SAME%d" % i) if i % 2 == 0 else ("ONE%d" % i, "TWO%d" % i)
            for m in {a, b}:
                self.loket.add_partner(m, 1000000)
            for m, ref in ((a, "X%d" % i), (b, "Y%d" % i)):
                self.assertIn("SUKSES", self.loket.inquiry(m, "PLNPASC", customer, ref))
            pairs += [(a, "PLNPASC", customer, "X%d" % i), (b, "PLNPASC", customer, "Y%d" % i)]
        replies = self.pay_at_once(pairs)
        for i in range(20):
            customer = "5463%08d" % i
            got = sorted("SUKSES" if "SUKSES" in r else "88" if "TAGIHAN SUDAH TERBAYAR" in r else r
                         for r in replies[2 * i:2 * i + 2])
            self.assertEqual(got, ["88", "SUKSES"], (customer, replies[2 * i:2 * i + 2]))
            holds = self.loket.sql("SELECT COUNT(*), SUM(m.amount) FROM mutations m JOIN transactions t "
                                   "ON t.id = m.trx_id WHERE t.dest = ? AND m.kind = 'hold'", customer)
            self.assertEqual(holds, [(1, -self.PRICE)], customer)
            self.assertEqual(self.loket.sql("SELECT times FROM sim_orders WHERE dest = ?", customer), [(1,)])
            # The refused one is final for its refID: FAILED with RC 88, no hold, no refund.
            refused = self.loket.sql("SELECT status, rc FROM transactions WHERE dest = ? AND status <> 'SUCCESS'",
                                     customer)
            self.assertEqual([(s, str(rc)) for s, rc in refused], [("FAILED", "88")])
        spent = sum(1000000 - self.loket.balance(m) for m in
                    {p[0] for p in pairs})
        self.assertEqual(spent, 20 * self.PRICE)
        self.assertIn("audit ok", self.loket.audit().stdout)

    def test_the_same_bill_through_another_product_of_its_family_is_paid_once(self):
        customer = "546399990001"
        self.bill(customer)
        self.bill(customer, "PLNPASC2")
        m = "FAMILY1"
        self.loket.add_partner(m, 1000000)
        self.loket.inquiry(m, "PLNPASC", customer, "F1")
        self.loket.inquiry(m, "PLNPASC2", customer, "F2")
        self.assertIn("SUKSES", self.loket.payment(m, "PLNPASC", customer, "F1"))
        self.assertEqual(self.loket.payment(m, "PLNPASC2", customer, "F2"),
                         "BAYAR PLNPASC2.%s GAGAL, TAGIHAN SUDAH TERBAYAR. REFID:F2." % customer)
        # Asked again, the refused refID answers the same: final, nothing charged.
        self.assertIn("TAGIHAN SUDAH TERBAYAR", self.loket.payment(m, "PLNPASC2", customer, "F2"))
        self.assertEqual(self.loket.balance(m), 1000000 - self.PRICE)

    def test_a_bill_whose_payment_failed_can_be_paid_again(self):
        customer = "546388880001"
        self.bill(customer)
        m = "AGAIN1"
        self.loket.add_partner(m, 1000000)
        self.loket.ctl("sim", "set", customer, "--result", "failed")
        self.loket.inquiry(m, "PLNPASC", customer, "G1")
        self.assertIn("GAGAL", self.loket.payment(m, "PLNPASC", customer, "G1"))
        self.assertEqual(self.loket.balance(m), 1000000)
        self.loket.ctl("sim", "set", customer, "--result", "success", "--sn", "PAID")
        self.loket.inquiry(m, "PLNPASC", customer, "G2")
        self.assertIn("SUKSES", self.loket.payment(m, "PLNPASC", customer, "G2"))
        self.assertEqual(self.loket.balance(m), 1000000 - self.PRICE)
        # Paid now: a third refID is refused (the sim says nothing to pay, or the claim does).
        self.assertNotIn("SUKSES", self.loket.inquiry(m, "PLNPASC", customer, "G3"))
        self.assertIn("audit ok", self.loket.audit().stdout)

    def test_a_pending_payment_keeps_the_bill_claimed(self):
        customer = "546377770001"
        self.bill(customer)
        m = "PEND1"
        self.loket.add_partner(m, 1000000)
        self.loket.ctl("sim", "set", customer, "--result", "pending")
        self.loket.inquiry(m, "PLNPASC", customer, "H1")
        self.loket.inquiry(m, "PLNPASC", customer, "H2")
        self.assertIn("SEDANG DIPROSES", self.loket.payment(m, "PLNPASC", customer, "H1"))
        # Unknown is not failed: the second refID may not pay the bill meanwhile.
        self.assertIn("TAGIHAN SUDAH TERBAYAR", self.loket.payment(m, "PLNPASC", customer, "H2"))
        self.assertEqual(self.loket.balance(m), 1000000 - self.PRICE)
