"""A partner checks and pays bills of every family through nginx (issue 3).

Each family goes inquiry (jenis=5) -> payment (jenis=6) -> repeated payment ->
status check (cek=1), with the exact reply text and balance effect of each
step; then every error RC, every malformed @ form, pending payments, and an
inquiry validity short enough to expire during the test.
"""
import contextlib
import threading
import time
import unittest
from loket import Loket

DEPOSIT = 5000000


def jakarta_year():
    """The server's current year (clock.timezone = Asia/Jakarta, UTC+7, no DST)."""
    return time.gmtime(time.time() + 7 * 3600).tm_year


THIS_YEAR = jakarta_year()


class Family:
    """One bill family as a partner meets it: what to send, and what it bills."""

    def __init__(self, family, code, admin, customer, name, amount, product=None, dest=None, tagihan=None):
        self.family, self.code, self.admin = family, code, admin
        self.customer, self.name, self.amount = customer, name, amount
        self.product = product or code          # the product parameter as sent, "@part" included
        self.dest = dest or customer            # the dest parameter as sent, "@part" included
        self.tagihan = amount if tagihan is None else tagihan

    @property
    def price(self):
        return self.tagihan + self.admin


# One product per family; customers here are used by the family flows only.
FAMILIES = [
    Family("PLNPASC", "PLNPASC", 2750, "546302215890", "Anto Wijaya", 300000),
    Family("PLNNONTGL", "PLNNONTGL", 2750, "5392100012345", "Budi Santoso", 175000),
    Family("PDAM", "PDAMKLT", 2500, "0112233445", "Siti", 87500),
    Family("BPJSKS", "BPJSKS", 2500, "0001234567890", "Rina Wati", 35000, dest="0001234567890@3",
           tagihan=3 * 35000),
    Family("BPJSTK", "BPJSTKPU", 2500, "90012345678", "Agus Salim", 120000),
    Family("INDIHOME", "INDIHOME", 2500, "122334455667", "Dewi Lestari", 385000),
    Family("HPPASCA", "HALO", 2500, "081122334455", "Hendra", 150000),
    Family("TV", "TVINDVS", 2500, "401234567890", "Yuni Astuti", 99000),
    Family("MULTIFINANCE", "FIFASTRA", 5000, "1122334455", "Joko Widodo", 1250000),
    Family("PGN", "PGN", 2500, "0110022003", "Maya Sari", 210000),
    Family("PERTAGAS", "PERTAGAS", 2500, "7700112233", "Bambang P", 180000),
    Family("PKB", "PKBJABAR", 5000, "B1234XYZ", "Teguh Prakoso", 1750000, dest="B1234XYZ@%d" % THIS_YEAR),
    Family("PBB", "PBBDKI", 3500, "317101000100100010", "Lina Marlina", 420000, product="PBBDKI@%d" % THIS_YEAR),
    Family("KARTUKREDIT", "KKBCA", 5000, "4556123412341234", "Ari Kurnia", 2500000, product="KKBCA@750000",
           tagihan=750000),
]
BY_FAMILY = {f.family: f for f in FAMILIES}


def cek(product, dest, text):
    return "CEK %s.%s %s" % (product, dest, text)


def bayar(product, dest, text):
    return "BAYAR %s.%s %s" % (product, dest, text)


def status(product, dest, text):
    return "STATUS %s.%s %s" % (product, dest, text)


class BillTestCase(unittest.TestCase):
    """Helpers shared by the suites: partners, sim bills, ledger checks."""
    loket = None

    def partner(self, name, deposit=DEPOSIT):
        self.loket.add_partner(name, deposit)
        return name

    def bill(self, product, customer, name, amount, period="2026-11", paid=False):
        args = ["sim", "bill", product, customer, "--name", name, "--amount", amount, "--period", period]
        self.loket.ctl(*(args + (["--paid"] if paid else [])))

    def sim(self, customer, result="success", sn="", delay_ms=0):
        self.loket.ctl("sim", "set", customer, "--result", result, "--sn", sn, "--delay-ms", delay_ms)

    def mutations(self, member):
        return self.loket.sql("SELECT kind, amount FROM mutations WHERE member_id = ? ORDER BY id", member)

    @contextlib.contextmanager
    def ledger_unchanged(self):
        """Asserts that the block changes no ledger or sim table at all."""
        before = self.loket.ledger_hash()
        yield
        self.assertEqual(self.loket.ledger_hash(), before, "the ledger changed")

    def inquire_ok(self, member, f, ref):
        """An inquiry that must find the family's bill, debiting nothing."""
        before = self.loket.balance(member)
        self.assertEqual(self.loket.inquiry(member, f.product, f.dest, ref),
                         cek(f.product, f.dest, "SUKSES, DATA:%s TAGIHAN:%d ADMIN:%d." % (f.name, f.tagihan, f.admin)))
        self.assertEqual(self.loket.balance(member), before)


class BillFlowTest(BillTestCase):
    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(biller_timeout_ms=700)
        ctl = cls.loket.ctl
        for f in FAMILIES:
            ctl("product", "set", f.code, "--family", f.family, "--admin", f.admin, "--biller", "sim")
        ctl("product", "set", "BPJSTKBPU", "--family", "BPJSTK", "--admin", 2500, "--biller", "sim")
        ctl("product", "set", "T1", "--price", 2000, "--biller", "sim")
        ctl("product", "set", "PLNTUTUP", "--family", "PLNPASC", "--admin", 2750, "--open", "no", "--biller", "sim")

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    # -- every family: inquiry -> payment -> repeat -> status -----------------
    def check_family(self, f):
        m = self.partner("FAM" + f.family)
        self.bill(f.code, f.customer, f.name, f.amount)
        self.sim(f.customer, sn="SN-" + f.family)
        ref = "BILL-" + f.family

        self.inquire_ok(m, f, ref)
        self.assertEqual(self.mutations(m), [("deposit", DEPOSIT)])

        paid = bayar(f.product, f.dest, "SUKSES, HRG:%d REFID:%s." % (f.price, ref))
        self.assertEqual(self.loket.payment(m, f.product, f.dest, ref), paid)
        self.assertEqual(self.loket.balance(m), DEPOSIT - f.price)

        self.assertEqual(self.loket.payment(m, f.product, f.dest, ref), paid)
        self.assertEqual(self.loket.balance(m), DEPOSIT - f.price)

        self.assertEqual(self.loket.status(m, ref, f.product, f.dest),
                         status(f.product, f.dest, "SUKSES, HRG:%d SN:SN-%s REFID:%s." % (f.price, f.family, ref)))
        self.assertEqual(self.loket.balance(m), DEPOSIT - f.price)
        self.assertEqual(self.mutations(m), [("deposit", DEPOSIT), ("hold", -f.price)])

        # Paid: the same refID never makes a second bill, nor does a new inquiry.
        self.assertEqual(self.loket.inquiry(m, f.product, f.dest, ref),
                         cek(f.product, f.dest, "GAGAL, TAGIHAN SUDAH TERBAYAR. REFID:%s." % ref))
        self.assertEqual(self.loket.inquiry(m, f.product, f.dest, ref + "-2"),
                         cek(f.product, f.dest, "GAGAL, TAGIHAN SUDAH TERBAYAR. REFID:%s-2." % ref))
        self.assertEqual(self.loket.balance(m), DEPOSIT - f.price)

    # -- the seed ----------------------------------------------------------------
    def test_seed_bill_examples_byte_for_byte(self):
        m = self.partner("SEEDBILL")
        self.bill("PLNPASC", "546302215889", "Anto", 300000)
        self.assertEqual(self.loket.inquiry(m, "PLNPASC", "546302215889", "TEST-1"),
                         "CEK PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.")
        self.assertEqual(self.loket.balance(m), DEPOSIT)
        self.assertEqual(self.loket.payment(m, "PLNPASC", "546302215889", "TEST-1"),
                         "BAYAR PLNPASC.546302215889 SUKSES, HRG:302750 REFID:TEST-1.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 302750)

    # -- flow details ------------------------------------------------------------
    def test_status_of_inquired_unpaid_bill_is_rc05(self):
        m = self.partner("UNPAID")
        self.bill("PDAMKLT", "0500000001", "Wati", 64000)
        self.loket.inquiry(m, "PDAMKLT", "0500000001", "U1")
        with self.ledger_unchanged():
            self.assertEqual(self.loket.status(m, "U1"), status(
                "PDAMKLT", "0500000001",
                "GAGAL, TAGIHAN BELUM DIBAYAR, DATA:Wati TAGIHAN:64000 ADMIN:2500. REFID:U1."))
        self.assertEqual(self.loket.balance(m), DEPOSIT)

    def test_repeated_inquiry_rereads_and_payment_pays_what_the_inquiry_returned(self):
        m = self.partner("REREAD")
        self.bill("PLNPASC", "546300000001", "Sari", 100000)
        self.assertIn("TAGIHAN:100000 ", self.loket.inquiry(m, "PLNPASC", "546300000001", "RR1"))
        self.bill("PLNPASC", "546300000001", "Sari", 120000)
        self.assertEqual(self.loket.inquiry(m, "PLNPASC", "546300000001", "RR1"),
                         "CEK PLNPASC.546300000001 SUKSES, DATA:Sari TAGIHAN:120000 ADMIN:2750.")
        # The biller's bill changes again, but the payment pays what the inquiry returned.
        self.bill("PLNPASC", "546300000001", "Sari", 150000)
        self.assertEqual(self.loket.payment(m, "PLNPASC", "546300000001", "RR1"),
                         "BAYAR PLNPASC.546300000001 SUKSES, HRG:122750 REFID:RR1.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 122750)

    def test_bpjsks_bills_months_times_premium(self):
        m = self.partner("BPJS")
        self.bill("BPJSKS", "0009990001", "Nina", 42000)
        for months, tagihan in ((1, 42000), (12, 504000)):
            self.assertEqual(self.loket.inquiry(m, "BPJSKS", "0009990001@%d" % months, "BP%d" % months),
                             "CEK BPJSKS.0009990001@%d SUKSES, DATA:Nina TAGIHAN:%d ADMIN:2500." % (months, tagihan))
        self.assertEqual(self.loket.payment(m, "BPJSKS", "0009990001@12", "BP12"),
                         "BAYAR BPJSKS.0009990001@12 SUKSES, HRG:506500 REFID:BP12.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 506500)

    def test_kartukredit_bills_the_chosen_amount(self):
        m = self.partner("KARTU")
        self.bill("KKBCA", "4556000011112222", "Rudi", 9000000)
        self.assertEqual(self.loket.inquiry(m, "KKBCA@150000", "4556000011112222", "KK1"),
                         "CEK KKBCA@150000.4556000011112222 SUKSES, DATA:Rudi TAGIHAN:150000 ADMIN:5000.")
        self.assertEqual(self.loket.payment(m, "KKBCA@150000", "4556000011112222", "KK1"),
                         "BAYAR KKBCA@150000.4556000011112222 SUKSES, HRG:155000 REFID:KK1.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 155000)

    def test_bpjstk_second_product_code(self):
        m = self.partner("BPU")
        self.bill("BPJSTKBPU", "90099990000", "Eko", 36800)
        self.assertEqual(self.loket.inquiry(m, "BPJSTKBPU", "90099990000", "BPU1"),
                         "CEK BPJSTKBPU.90099990000 SUKSES, DATA:Eko TAGIHAN:36800 ADMIN:2500.")
        self.assertEqual(self.loket.payment(m, "BPJSTKBPU", "90099990000", "BPU1"),
                         "BAYAR BPJSTKBPU.90099990000 SUKSES, HRG:39300 REFID:BPU1.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 39300)

    def test_default_inquiry_validity_is_the_end_of_its_day(self):
        m = self.partner("VALID")
        self.bill("PGN", "0110099999", "Rani", 50000)
        self.loket.inquiry(m, "PGN", "0110099999", "V1")
        shown = self.loket.ctl("trx", "show", m, "V1")
        self.assertIn("\ninquiry valid until: %s 23:59:59\n" % time.strftime(
            "%Y-%m-%d", time.gmtime(time.time() + 7 * 3600)), shown)

    # -- error RCs ---------------------------------------------------------------
    def test_payment_without_inquiry_is_rc06(self):
        m = self.partner("NOCEK")
        self.bill("PLNPASC", "546300000002", "Tono", 100000)
        with self.ledger_unchanged():
            self.assertEqual(self.loket.payment(m, "PLNPASC", "546300000002", "N1"),
                             "BAYAR PLNPASC.546300000002 GAGAL, BELUM CEK TAGIHAN. REFID:N1.")
            self.assertEqual(self.loket.payment(m, "PLNPASC", "546300000002", "N1"),
                             "BAYAR PLNPASC.546300000002 GAGAL, BELUM CEK TAGIHAN. REFID:N1.")
            self.assertEqual(self.loket.status(m, "N1"), "STATUS GAGAL, TRANSAKSI TIDAK DITEMUKAN. REFID:N1.")
        # Nothing was stored: an inquiry on that refID afterwards starts cleanly.
        self.assertIn("SUKSES", self.loket.inquiry(m, "PLNPASC", "546300000002", "N1"))
        self.assertIn("SUKSES", self.loket.payment(m, "PLNPASC", "546300000002", "N1"))
        self.assertEqual(self.loket.balance(m), DEPOSIT - 102750)

    def test_payment_differing_from_its_inquiry_is_rc11(self):
        m = self.partner("DIFFER")
        self.bill("PLNPASC", "546300000003", "Umar", 100000)
        self.bill("PLNNONTGL", "546300000003", "Umar", 100000)
        self.bill("PLNPASC", "546300000004", "Vera", 100000)
        self.bill("BPJSKS", "0009990003", "Wira", 30000)
        self.bill("KKBCA", "4556000033334444", "Xena", 9000000)
        self.loket.inquiry(m, "PLNPASC", "546300000003", "D1")
        self.loket.inquiry(m, "BPJSKS", "0009990003@2", "D2")
        self.loket.inquiry(m, "KKBCA@100000", "4556000033334444", "D3")
        with self.ledger_unchanged():
            for product, dest, ref in (("PLNPASC", "546300000004", "D1"), ("PLNNONTGL", "546300000003", "D1"),
                                       ("BPJSKS", "0009990003@3", "D2"), ("KKBCA@200000", "4556000033334444", "D3")):
                with self.subTest(product=product, dest=dest):
                    self.assertEqual(self.loket.payment(m, product, dest, ref),
                                     bayar(product, dest, "GAGAL, REFID SUDAH DIPAKAI. REFID:%s." % ref))
            # An inquiry on a refID already inquired for another bill is the same conflict.
            self.assertEqual(self.loket.inquiry(m, "PLNPASC", "546300000004", "D1"),
                             "CEK PLNPASC.546300000004 GAGAL, REFID SUDAH DIPAKAI. REFID:D1.")
        # The original bill is still payable, at its own price.
        self.assertEqual(self.loket.payment(m, "BPJSKS", "0009990003@2", "D2"),
                         "BAYAR BPJSKS.0009990003@2 SUKSES, HRG:62500 REFID:D2.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 62500)

    def test_refid_of_a_topup_cannot_be_used_for_a_bill(self):
        m = self.partner("MIXREF")
        self.bill("PLNPASC", "546300000005", "Yusuf", 100000)
        self.assertIn("SUKSES", self.loket.topup(m, "T1", "0812000005", "MX1"))
        with self.ledger_unchanged():
            self.assertEqual(self.loket.inquiry(m, "PLNPASC", "546300000005", "MX1"),
                             "CEK PLNPASC.546300000005 GAGAL, REFID SUDAH DIPAKAI. REFID:MX1.")
            self.assertEqual(self.loket.payment(m, "PLNPASC", "546300000005", "MX1"),
                             "BAYAR PLNPASC.546300000005 GAGAL, REFID SUDAH DIPAKAI. REFID:MX1.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 2000)

    def test_unknown_customer_is_rc14(self):
        m = self.partner("NOCUST")
        # A customer of another product is still unknown to this one.
        self.bill("PDAMKLT", "546399999998", "Zaki", 10000)
        with self.ledger_unchanged():
            self.assertEqual(self.loket.inquiry(m, "PLNPASC", "546399999999", "C1"),
                             "CEK PLNPASC.546399999999 GAGAL, NOMOR PELANGGAN SALAH. REFID:C1.")
            self.assertEqual(self.loket.inquiry(m, "BPJSKS", "0009999999@1", "C2"),
                             "CEK BPJSKS.0009999999@1 GAGAL, NOMOR PELANGGAN SALAH. REFID:C2.")
            self.assertEqual(self.loket.inquiry(m, "PLNPASC", "546399999998", "C3"),
                             "CEK PLNPASC.546399999998 GAGAL, NOMOR PELANGGAN SALAH. REFID:C3.")
            self.assertEqual(self.loket.payment(m, "PLNPASC", "546399999998", "C3"),
                             "BAYAR PLNPASC.546399999998 GAGAL, BELUM CEK TAGIHAN. REFID:C3.")

    def test_bill_already_paid_or_empty_is_rc88(self):
        m = self.partner("PAIDBILL")
        self.bill("INDIHOME", "122300000001", "Adi", 385000, paid=True)
        self.bill("INDIHOME", "122300000002", "Bela", 0)
        with self.ledger_unchanged():
            self.assertEqual(self.loket.inquiry(m, "INDIHOME", "122300000001", "P1"),
                             "CEK INDIHOME.122300000001 GAGAL, TAGIHAN SUDAH TERBAYAR. REFID:P1.")
            self.assertEqual(self.loket.inquiry(m, "INDIHOME", "122300000002", "P2"),
                             "CEK INDIHOME.122300000002 GAGAL, TAGIHAN SUDAH TERBAYAR. REFID:P2.")
            self.assertEqual(self.loket.payment(m, "INDIHOME", "122300000001", "P1"),
                             "BAYAR INDIHOME.122300000001 GAGAL, BELUM CEK TAGIHAN. REFID:P1.")

    def test_paid_refid_never_gets_a_second_bill(self):
        m = self.partner("NOSECOND")
        self.bill("HALO", "081100000001", "Cici", 150000, period="2026-10")
        self.loket.inquiry(m, "HALO", "081100000001", "S1")
        self.assertIn("SUKSES", self.loket.payment(m, "HALO", "081100000001", "S1"))
        # The biller now has next month's bill for the customer; the paid refID still does not take it.
        self.bill("HALO", "081100000001", "Cici", 160000, period="2026-11")
        with self.ledger_unchanged():
            self.assertEqual(self.loket.inquiry(m, "HALO", "081100000001", "S1"),
                             "CEK HALO.081100000001 GAGAL, TAGIHAN SUDAH TERBAYAR. REFID:S1.")
            self.assertEqual(self.loket.payment(m, "HALO", "081100000001", "S1"),
                             "BAYAR HALO.081100000001 SUKSES, HRG:152500 REFID:S1.")
        # A new refID is how the partner pays the new bill.
        self.assertEqual(self.loket.inquiry(m, "HALO", "081100000001", "S2"),
                         "CEK HALO.081100000001 SUKSES, DATA:Cici TAGIHAN:160000 ADMIN:2500.")
        self.assertEqual(self.balance_after_payment(m, "HALO", "081100000001", "S2"), DEPOSIT - 152500 - 162500)

    def balance_after_payment(self, m, product, dest, ref):
        self.assertIn("SUKSES", self.loket.payment(m, product, dest, ref))
        return self.loket.balance(m)

    def test_bill_inquired_twice_is_paid_once(self):
        m = self.partner("TWICE")
        self.bill("TVINDVS", "401200000001", "Dodi", 99000)
        self.loket.inquiry(m, "TVINDVS", "401200000001", "W1")
        self.loket.inquiry(m, "TVINDVS", "401200000001", "W2")
        self.assertIn("SUKSES", self.loket.payment(m, "TVINDVS", "401200000001", "W1"))
        # The second inquiry was made before the bill was paid; the ledger refuses to take it
        # twice (issue 10: the bill is claimed with the first hold), so nothing is held at all.
        self.assertEqual(self.loket.payment(m, "TVINDVS", "401200000001", "W2"),
                         "BAYAR TVINDVS.401200000001 GAGAL, TAGIHAN SUDAH TERBAYAR. REFID:W2.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 101500)
        self.assertEqual(self.mutations(m), [("deposit", DEPOSIT), ("hold", -101500)])

    def test_insufficient_balance_on_payment_is_rc17(self):
        m = self.partner("POORBILL", 100000)
        self.bill("FIFASTRA", "1122000001", "Euis", 150000)
        self.assertIn("SUKSES", self.loket.inquiry(m, "FIFASTRA", "1122000001", "B1"))
        self.assertEqual(self.loket.payment(m, "FIFASTRA", "1122000001", "B1"),
                         "BAYAR FIFASTRA.1122000001 GAGAL, SALDO TIDAK CUKUP. REFID:B1.")
        self.assertEqual(self.loket.balance(m), 100000)
        self.loket.ctl("deposit", m, 100000)
        # As for topups, a refID's answer is final: the partner inquires again with a new refID.
        self.assertEqual(self.loket.payment(m, "FIFASTRA", "1122000001", "B1"),
                         "BAYAR FIFASTRA.1122000001 GAGAL, SALDO TIDAK CUKUP. REFID:B1.")
        self.assertEqual(self.loket.status(m, "B1"), "STATUS FIFASTRA.1122000001 GAGAL, SALDO TIDAK CUKUP. REFID:B1.")
        self.assertEqual(self.loket.balance(m), 200000)
        self.loket.inquiry(m, "FIFASTRA", "1122000001", "B2")
        self.assertEqual(self.loket.payment(m, "FIFASTRA", "1122000001", "B2"),
                         "BAYAR FIFASTRA.1122000001 SUKSES, HRG:155000 REFID:B2.")
        self.assertEqual(self.loket.balance(m), 45000)

    def test_closed_bill_product_is_rc47(self):
        m = self.partner("TUTUPBILL")
        with self.ledger_unchanged():
            self.assertEqual(self.loket.inquiry(m, "PLNTUTUP", "546300000009", "K1"),
                             "CEK PLNTUTUP.546300000009 GAGAL, PRODUK SEDANG GANGGUAN. REFID:K1.")

    def test_bill_and_topup_products_do_not_mix(self):
        m = self.partner("MIXPROD")
        with self.ledger_unchanged():
            self.assertEqual(self.loket.inquiry(m, "XYZ9", "546300000010", "X1"),
                             "CEK XYZ9.546300000010 GAGAL, PRODUK TIDAK DIKENAL. REFID:X1.")
            self.assertEqual(self.loket.inquiry(m, "T1", "0812000010", "X2"),
                             "CEK T1.0812000010 GAGAL, FORMAT SALAH: jenis.")
            self.assertEqual(self.loket.topup(m, "PLNPASC", "546300000010", "X3"),
                             "TRX PLNPASC.546300000010 GAGAL, FORMAT SALAH: jenis.")
            self.assertEqual(self.loket.request(m, "X4", product="PLNPASC", dest="546300000010", jenis=7),
                             "CEK PLNPASC.546300000010 GAGAL, FORMAT SALAH: jenis.")

    # -- pending -----------------------------------------------------------------
    def test_pending_payment_settles_through_status_check(self):
        m = self.partner("PENDBILL")
        self.bill("PGN", "0110000001", "Fajar", 210000)
        self.loket.inquiry(m, "PGN", "0110000001", "PB1")
        self.sim("0110000001", "pending")
        self.assertEqual(self.loket.payment(m, "PGN", "0110000001", "PB1"),
                         "BAYAR PGN.0110000001 SEDANG DIPROSES, HRG:212500 REFID:PB1.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 212500)
        self.assertEqual(self.loket.payment(m, "PGN", "0110000001", "PB1"),
                         "BAYAR PGN.0110000001 SEDANG DIPROSES, HRG:212500 REFID:PB1.")
        self.assertEqual(self.loket.inquiry(m, "PGN", "0110000001", "PB1"),
                         "CEK PGN.0110000001 SEDANG DIPROSES, REFID:PB1.")
        self.assertEqual(self.loket.status(m, "PB1"), "STATUS PGN.0110000001 SEDANG DIPROSES, HRG:212500 REFID:PB1.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 212500)
        self.sim("0110000001", "success", "PGNLATE")
        self.loket.reconcile()   # the dispatcher asks the biller again
        self.assertEqual(self.loket.status(m, "PB1"), "STATUS PGN.0110000001 SUKSES, HRG:212500 SN:PGNLATE REFID:PB1.")
        self.assertEqual(self.loket.status(m, "PB1"), "STATUS PGN.0110000001 SUKSES, HRG:212500 SN:PGNLATE REFID:PB1.")
        self.assertEqual(self.loket.payment(m, "PGN", "0110000001", "PB1"),
                         "BAYAR PGN.0110000001 SUKSES, HRG:212500 REFID:PB1.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 212500)
        # Settled as paid: the biller now has nothing to pay for this customer.
        self.assertEqual(self.loket.inquiry(m, "PGN", "0110000001", "PB2"),
                         "CEK PGN.0110000001 GAGAL, TAGIHAN SUDAH TERBAYAR. REFID:PB2.")

    def test_pending_payment_that_fails_is_refunded_exactly_once(self):
        m = self.partner("PENDFAILB")
        self.bill("PERTAGAS", "7700000001", "Gita", 180000)
        self.loket.inquiry(m, "PERTAGAS", "7700000001", "PF1")
        self.sim("7700000001", "pending")
        self.assertIn("SEDANG DIPROSES", self.loket.payment(m, "PERTAGAS", "7700000001", "PF1"))
        self.assertEqual(self.loket.balance(m), DEPOSIT - 182500)
        self.sim("7700000001", "failed")
        self.loket.reconcile()
        failed = "GAGAL, DITOLAK BILLER. REFID:PF1."
        self.assertEqual(self.loket.status(m, "PF1"), status("PERTAGAS", "7700000001", failed))
        self.assertEqual(self.loket.status(m, "PF1"), status("PERTAGAS", "7700000001", failed))
        self.assertEqual(self.loket.payment(m, "PERTAGAS", "7700000001", "PF1"), bayar("PERTAGAS", "7700000001", failed))
        self.assertEqual(self.loket.balance(m), DEPOSIT)
        self.assertEqual(self.mutations(m), [("deposit", DEPOSIT), ("hold", -182500), ("refund", 182500)])
        # The bill was not paid at the biller: a new inquiry finds it again.
        self.sim("7700000001", "success")
        self.assertEqual(self.loket.inquiry(m, "PERTAGAS", "7700000001", "PF2"),
                         "CEK PERTAGAS.7700000001 SUKSES, DATA:Gita TAGIHAN:180000 ADMIN:2500.")

    def test_biller_timeout_on_payment_is_pending_not_failed(self):
        m = self.partner("SLOWBILL")
        self.bill("PKBJABAR", "D5678ABC", "Hadi", 900000)
        dest = "D5678ABC@%d" % THIS_YEAR
        self.loket.inquiry(m, "PKBJABAR", dest, "T1")
        self.sim("D5678ABC", "success", "PKBSN", delay_ms=3000)
        self.assertEqual(self.loket.payment(m, "PKBJABAR", dest, "T1"),
                         "BAYAR PKBJABAR.%s SEDANG DIPROSES, HRG:905000 REFID:T1." % dest)
        self.assertEqual(self.loket.balance(m), DEPOSIT - 905000)
        # The biller did take it: asking again settles it as a success, never a refund.
        self.loket.reconcile()
        self.assertEqual(self.loket.status(m, "T1"), "STATUS PKBJABAR.%s SUKSES, HRG:905000 SN:PKBSN REFID:T1." % dest)
        self.assertEqual(self.loket.balance(m), DEPOSIT - 905000)
        self.sim("D5678ABC", "success")
        self.assertEqual(self.loket.inquiry(m, "PKBJABAR", dest, "T2"),
                         "CEK PKBJABAR.%s GAGAL, TAGIHAN SUDAH TERBAYAR. REFID:T2." % dest)

    def test_biller_timeout_on_inquiry_is_pending_and_stores_nothing(self):
        m = self.partner("SLOWCEK")
        self.bill("PDAMKLT", "0500000002", "Ika", 70000)
        self.sim("0500000002", "success", delay_ms=3000)
        with self.ledger_unchanged():
            self.assertEqual(self.loket.inquiry(m, "PDAMKLT", "0500000002", "I1"),
                             "CEK PDAMKLT.0500000002 SEDANG DIPROSES, REFID:I1.")
            self.assertEqual(self.loket.payment(m, "PDAMKLT", "0500000002", "I1"),
                             "BAYAR PDAMKLT.0500000002 GAGAL, BELUM CEK TAGIHAN. REFID:I1.")
        self.sim("0500000002", "success")
        self.assertEqual(self.loket.inquiry(m, "PDAMKLT", "0500000002", "I1"),
                         "CEK PDAMKLT.0500000002 SUKSES, DATA:Ika TAGIHAN:70000 ADMIN:2500.")

    def test_concurrent_repeated_payment_debits_once(self):
        m = self.partner("RACE")
        self.bill("PLNNONTGL", "5392000000001", "Joni", 175000)
        self.loket.inquiry(m, "PLNNONTGL", "5392000000001", "RC1")
        self.sim("5392000000001", "success", "RACESN", delay_ms=400)
        replies = []

        def pay():
            replies.append(self.loket.payment(m, "PLNNONTGL", "5392000000001", "RC1"))

        threads = [threading.Thread(target=pay) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done = "BAYAR PLNNONTGL.5392000000001 SUKSES, HRG:177750 REFID:RC1."
        busy = "BAYAR PLNNONTGL.5392000000001 SEDANG DIPROSES, HRG:177750 REFID:RC1."
        self.assertIn(done, replies)
        self.assertTrue(set(replies) <= {done, busy}, replies)
        self.assertEqual(self.loket.balance(m), DEPOSIT - 177750)
        self.assertEqual(self.mutations(m), [("deposit", DEPOSIT), ("hold", -177750)])

    # -- malformed @ forms ------------------------------------------------------
    def assert_format_error(self, member, product, dest, part, jenis=5):
        word = "CEK" if jenis == 5 else "BAYAR"
        with self.subTest(product=product, dest=dest, jenis=jenis):
            with self.ledger_unchanged():
                self.assertEqual(self.loket.request(member, "FMT", product=product, dest=dest, jenis=jenis),
                                 "%s %s.%s GAGAL, FORMAT SALAH: %s." % (word, product, dest, part))

    def test_bpjsks_months_malformed_is_rc30_periode(self):
        m = self.partner("FMTBPJS")
        self.bill("BPJSKS", "0009990009", "Kiki", 30000)
        for dest in ("0009990009", "0009990009@0", "0009990009@13", "0009990009@x", "0009990009@1a",
                     "0009990009@100"):
            for jenis in (5, 6):
                self.assert_format_error(m, "BPJSKS", dest, "periode", jenis)

    def test_pkb_year_malformed_is_rc30_tahun(self):
        m = self.partner("FMTPKB")
        self.bill("PKBJABAR", "F9999XX", "Lala", 500000)
        for year in ("", "@202", "@20260", "@1949", "@%d" % (THIS_YEAR + 2), "@abcd"):
            for jenis in (5, 6):
                self.assert_format_error(m, "PKBJABAR", "F9999XX" + year, "tahun", jenis)

    def test_pbb_year_malformed_is_rc30_tahun(self):
        m = self.partner("FMTPBB")
        self.bill("PBBDKI", "317100000000000009", "Mira", 400000)
        for product in ("PBBDKI", "PBBDKI@%d" % (THIS_YEAR + 1), "PBBDKI@26", "PBBDKI@1989", "PBBDKI@yyyy"):
            for jenis in (5, 6):
                self.assert_format_error(m, product, "317100000000000009", "tahun", jenis)

    def test_kartukredit_amount_malformed_is_rc30_nominal(self):
        m = self.partner("FMTKK")
        self.bill("KKBCA", "4556000099999999", "Nana", 9000000)
        for product in ("KKBCA", "KKBCA@0", "KKBCA@000", "KKBCA@0100", "KKBCA@10rb"):
            for jenis in (5, 6):
                self.assert_format_error(m, product, "4556000099999999", "nominal", jenis)

    def test_at_part_on_a_family_that_takes_none_is_rc30(self):
        m = self.partner("FMTNONE")
        for f in FAMILIES:
            if f.family not in ("PBB", "KARTUKREDIT"):
                self.assert_format_error(m, f.code + "@2026", f.dest, "product")
            if f.family not in ("BPJSKS", "PKB"):
                self.assert_format_error(m, f.product, f.customer + "@1", "dest")

    def test_valid_at_forms_at_their_limits_are_accepted(self):
        m = self.partner("LIMITS")
        self.bill("BPJSKS", "0009990010", "Oki", 10000)
        self.bill("PKBJABAR", "G1111AA", "Pia", 300000)
        self.bill("PBBDKI", "317100000000000010", "Qori", 200000)
        self.bill("KKBCA", "4556000000000001", "Rara", 100)
        self.assertIn("TAGIHAN:120000 ", self.loket.inquiry(m, "BPJSKS", "0009990010@12", "L1"))
        self.assertIn("TAGIHAN:300000 ", self.loket.inquiry(m, "PKBJABAR", "G1111AA@%d" % (THIS_YEAR + 1), "L2"))
        self.assertIn("TAGIHAN:200000 ", self.loket.inquiry(m, "PBBDKI@1990", "317100000000000010", "L3"))
        self.assertIn("TAGIHAN:1 ", self.loket.inquiry(m, "KKBCA@1", "4556000000000001", "L4"))

    # -- last ----------------------------------------------------------------------
    def test_zz_audit_passes_after_all_of_this(self):
        self.assertIn("audit ok", self.loket.audit().stdout)


def _family_test(f):
    def test(self):
        self.check_family(f)
    test.__doc__ = "%s: inquiry -> payment -> repeat -> status, exact replies and balance" % f.family
    return test


for _f in FAMILIES:
    setattr(BillFlowTest, "test_family_%s" % _f.family, _family_test(_f))


class InquiryExpiryTest(BillTestCase):
    """A Loket whose inquiries are valid for one second."""

    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(inquiry_valid_seconds=1)
        cls.loket.ctl("product", "set", "PLNPASC", "--family", "PLNPASC", "--admin", 2750, "--biller", "sim")

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def test_payment_after_the_inquiry_expired_is_rc04(self):
        m = self.partner("EXPIRE")
        self.bill("PLNPASC", "546311111111", "Sule", 100000)
        self.bill("PLNPASC", "546322222222", "Tuti", 200000)
        # Paid at once: within its validity.
        self.loket.inquiry(m, "PLNPASC", "546311111111", "E0")
        self.assertEqual(self.loket.payment(m, "PLNPASC", "546311111111", "E0"),
                         "BAYAR PLNPASC.546311111111 SUKSES, HRG:102750 REFID:E0.")
        self.loket.inquiry(m, "PLNPASC", "546322222222", "E1")
        time.sleep(2.2)
        with self.ledger_unchanged():
            self.assertEqual(self.loket.payment(m, "PLNPASC", "546322222222", "E1"),
                             "BAYAR PLNPASC.546322222222 GAGAL, INQUIRY KADALUARSA, SILAKAN CEK ULANG. REFID:E1.")
            self.assertEqual(self.loket.status(m, "E1"),
                             "STATUS PLNPASC.546322222222 GAGAL, INQUIRY KADALUARSA, SILAKAN CEK ULANG. REFID:E1.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 102750)
        # As the reply says: check again, then pay.
        self.assertEqual(self.loket.inquiry(m, "PLNPASC", "546322222222", "E1"),
                         "CEK PLNPASC.546322222222 SUKSES, DATA:Tuti TAGIHAN:200000 ADMIN:2750.")
        self.assertEqual(self.loket.payment(m, "PLNPASC", "546322222222", "E1"),
                         "BAYAR PLNPASC.546322222222 SUKSES, HRG:202750 REFID:E1.")
        self.assertEqual(self.loket.balance(m), DEPOSIT - 102750 - 202750)


if __name__ == "__main__":
    unittest.main()
