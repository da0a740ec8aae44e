"""A partner tops up, checks status and balance through nginx (issue 2)."""
import unittest
from loket import Loket, PIN, PASSWORD


class TopupTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(biller_timeout_ms=700)
        ctl = cls.loket.ctl
        ctl("product", "set", "T1", "--price", 2000, "--biller", "sim")
        ctl("product", "set", "T5", "--price", 5500, "--biller", "sim")
        ctl("product", "set", "TUTUP", "--price", 1000, "--open", "no", "--biller", "sim")
        ctl("product", "set", "PLNPASC", "--family", "PLNPASC", "--admin", 2750, "--biller", "sim")
        ctl("sim", "set", "089652137194", "--result", "success", "--sn", "ABC")

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def partner(self, name, deposit=100000):
        self.loket.add_partner(name, deposit)
        return name

    def test_seed_topup_reply_and_debit(self):
        m = self.partner("SEEDTOP")
        self.assertEqual(self.loket.topup(m, "T1", "089652137194", "TEST-1", qty=1),
                         "TRX T1.089652137194 SUKSES, HRG:2000 SN:ABC REFID:TEST-1.")
        self.assertEqual(self.loket.balance(m), 98000)
        self.assertEqual(self.loket.status(m, "TEST-1", "T1", "089652137194"),
                         "STATUS T1.089652137194 SUKSES, HRG:2000 SN:ABC REFID:TEST-1.")
        self.assertEqual(self.loket.balance(m), 98000)

    def test_reply_is_plain_text_200(self):
        m = self.partner("PLAIN")
        status, body = self.loket.get(product="T1", dest="0811", refID="P1", memberID=m, pin=PIN,
                                      password=PASSWORD)
        self.assertEqual(status, 200)
        self.assertTrue(body.startswith("TRX T1.0811 SUKSES, HRG:2000 SN:SIM"), body)
        self.assertNotIn("\n", body)

    def test_qty_multiplies_price_and_defaults_to_one(self):
        m = self.partner("QTY")
        self.assertIn("HRG:16500", self.loket.topup(m, "T5", "0812", "Q1", qty=3))
        self.assertIn("HRG:5500", self.loket.topup(m, "T5", "0812", "Q2"))
        self.assertEqual(self.loket.balance(m), 100000 - 16500 - 5500)

    def test_balance_line_has_two_spaces_before_at(self):
        m = self.partner("SALDO", 1000000)
        reply = self.loket.saldo(m)
        self.assertRegex(reply, r"^saldo=1000000  @ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")

    def test_replay_returns_stored_reply_without_new_charge(self):
        m = self.partner("REPLAY")
        first = self.loket.topup(m, "T1", "0813", "R1")
        self.assertEqual(self.loket.topup(m, "T1", "0813", "R1"), first)
        self.assertEqual(self.loket.topup(m, "T1", "0813", "R1", qty=1), first)
        self.assertEqual(self.loket.balance(m), 98000)

    def test_refid_reused_with_other_parameters_is_rc11(self):
        m = self.partner("CONFLICT")
        self.loket.topup(m, "T1", "0814", "C1")
        before = self.loket.ledger_hash()
        self.assertEqual(self.loket.topup(m, "T1", "0899", "C1"), "TRX T1.0899 GAGAL, REFID SUDAH DIPAKAI. REFID:C1.")
        self.assertEqual(self.loket.topup(m, "T5", "0814", "C1"), "TRX T5.0814 GAGAL, REFID SUDAH DIPAKAI. REFID:C1.")
        self.assertIn("REFID SUDAH DIPAKAI", self.loket.topup(m, "T1", "0814", "C1", qty=2))
        self.assertEqual(self.loket.ledger_hash(), before)
        self.assertEqual(self.loket.balance(m), 98000)

    def test_same_refid_for_two_partners_is_two_transactions(self):
        a, b = self.partner("SHAREA"), self.partner("SHAREB")
        self.assertIn("SUKSES", self.loket.topup(a, "T1", "0815", "SAME"))
        self.assertIn("SUKSES", self.loket.topup(b, "T1", "0815", "SAME"))
        self.assertEqual((self.loket.balance(a), self.loket.balance(b)), (98000, 98000))

    def test_insufficient_balance_is_rc17_and_final(self):
        m = self.partner("POOR", 1500)
        self.assertEqual(self.loket.topup(m, "T1", "0816", "S1"), "TRX T1.0816 GAGAL, SALDO TIDAK CUKUP. REFID:S1.")
        self.assertEqual(self.loket.balance(m), 1500)
        self.loket.ctl("deposit", m, 5000)
        # The refID's answer is final: a replay does not turn it into a success later.
        self.assertEqual(self.loket.topup(m, "T1", "0816", "S1"), "TRX T1.0816 GAGAL, SALDO TIDAK CUKUP. REFID:S1.")
        self.assertEqual(self.loket.balance(m), 6500)

    def test_unknown_product_is_rc20_and_changes_nothing(self):
        m = self.partner("NOPROD")
        before = self.loket.ledger_hash()
        self.assertEqual(self.loket.topup(m, "XYZ9", "0817", "U1"), "TRX XYZ9.0817 GAGAL, PRODUK TIDAK DIKENAL. REFID:U1.")
        self.assertEqual(self.loket.ledger_hash(), before)

    def test_closed_product_is_rc47_without_debit(self):
        m = self.partner("CLOSED")
        self.assertEqual(self.loket.topup(m, "TUTUP", "0818", "K1"),
                         "TRX TUTUP.0818 GAGAL, PRODUK SEDANG GANGGUAN. REFID:K1.")
        self.assertEqual(self.loket.balance(m), 100000)

    def test_missing_or_malformed_parameter_is_rc30_naming_it(self):
        m = self.partner("FORMAT")
        before = self.loket.ledger_hash()
        self.assertEqual(self.loket.request(m, "F1", product="T1"), "TRX GAGAL, FORMAT SALAH: dest.")
        self.assertEqual(self.loket.request(m, "F1", product="T1", dest="08 12"), "TRX GAGAL, FORMAT SALAH: dest.")
        self.assertEqual(self.loket.request(m, None, product="T1", dest="0812"), "TRX T1.0812 GAGAL, FORMAT SALAH: refID.")
        self.assertEqual(self.loket.request(m, "F1", product="T1", dest="0812", qty="0"),
                         "TRX T1.0812 GAGAL, FORMAT SALAH: qty.")
        self.assertEqual(self.loket.ledger_hash(), before)

    def test_wrong_credentials_and_unknown_member_get_the_same_reply(self):
        m = self.partner("AUTH")
        wrong_pin = self.loket.topup(m, "T1", "0819", "A1", pin="9999")
        wrong_password = self.loket.topup(m, "T1", "0819", "A1", password="nope")
        unknown = self.loket.topup("NOSUCH", "T1", "0819", "A1")
        self.assertEqual(wrong_pin, "TRX T1.0819 GAGAL, PIN ATAU PASSWORD SALAH. REFID:A1.")
        self.assertEqual(wrong_password, wrong_pin)
        self.assertEqual(unknown, wrong_pin)
        self.assertEqual(self.loket.saldo("NOSUCH"), "SALDO GAGAL, PIN ATAU PASSWORD SALAH.")
        self.assertEqual(self.loket.balance(m), 100000)

    def test_suspended_partner_is_refused(self):
        m = self.partner("SUSPEND")
        self.loket.ctl("partner", "set", m, "--active", "no")
        self.assertEqual(self.loket.topup(m, "T1", "0820", "X1"), "TRX T1.0820 GAGAL, AKUN TIDAK AKTIF. REFID:X1.")
        self.assertEqual(self.loket.saldo(m), "SALDO GAGAL, AKUN TIDAK AKTIF.")
        self.loket.ctl("partner", "set", m, "--active", "yes")
        self.assertIn("SUKSES", self.loket.topup(m, "T1", "0820", "X1"))
        self.assertEqual(self.loket.balance(m), 98000)

    def test_signature_partner_is_refused_on_legacy_interface(self):
        m = self.partner("SIGNED")
        self.loket.ctl("partner", "set", m, "--signature", "yes")
        self.assertEqual(self.loket.topup(m, "T1", "0821", "G1"), "TRX T1.0821 GAGAL, WAJIB SIGNATURE. REFID:G1.")
        self.assertEqual(self.loket.balance(m), 100000)

    def test_status_of_unknown_refid_is_rc50(self):
        m = self.partner("STAT50")
        self.assertEqual(self.loket.status(m, "NOPE", "T1", "0822"),
                         "STATUS T1.0822 GAGAL, TRANSAKSI TIDAK DITEMUKAN. REFID:NOPE.")
        self.assertEqual(self.loket.status(m, "NOPE"), "STATUS GAGAL, TRANSAKSI TIDAK DITEMUKAN. REFID:NOPE.")

    def test_definite_failure_is_refunded_exactly_once(self):
        m = self.partner("FAIL")
        self.loket.ctl("sim", "set", "0823", "--result", "failed")
        self.assertEqual(self.loket.topup(m, "T1", "0823", "F1"), "TRX T1.0823 GAGAL, DITOLAK BILLER. REFID:F1.")
        self.assertEqual(self.loket.balance(m), 100000)
        self.assertEqual(self.loket.topup(m, "T1", "0823", "F1"), "TRX T1.0823 GAGAL, DITOLAK BILLER. REFID:F1.")
        self.assertEqual(self.loket.status(m, "F1"), "STATUS T1.0823 GAGAL, DITOLAK BILLER. REFID:F1.")
        self.assertEqual(self.loket.balance(m), 100000)
        kinds = [r[0] for r in self.loket.sql(
            "SELECT kind FROM mutations WHERE member_id = ? ORDER BY id", m)]
        self.assertEqual(kinds, ["deposit", "hold", "refund"])

    def test_pending_settles_through_status_check(self):
        m = self.partner("PEND")
        self.loket.ctl("sim", "set", "0824", "--result", "pending")
        self.assertEqual(self.loket.topup(m, "T1", "0824", "P1"), "TRX T1.0824 SEDANG DIPROSES, HRG:2000 REFID:P1.")
        self.assertEqual(self.loket.balance(m), 98000)
        self.assertEqual(self.loket.status(m, "P1"), "STATUS T1.0824 SEDANG DIPROSES, HRG:2000 REFID:P1.")
        self.loket.ctl("sim", "set", "0824", "--result", "success", "--sn", "LATE123")
        self.loket.reconcile()
        self.assertEqual(self.loket.status(m, "P1"), "STATUS T1.0824 SUKSES, HRG:2000 SN:LATE123 REFID:P1.")
        self.assertEqual(self.loket.balance(m), 98000)
        # The stored mitra_message is echoed even after the templates change.
        self.assertEqual(self.loket.sql("SELECT mitra_message FROM transactions WHERE member_id=? AND ref_id='P1'", m),
                         [("STATUS T1.0824 SUKSES, HRG:2000 SN:LATE123 REFID:P1.",)])
        self.assertEqual(self.loket.topup(m, "T1", "0824", "P1"), "TRX T1.0824 SUKSES, HRG:2000 SN:LATE123 REFID:P1.")

    def test_pending_that_fails_later_is_refunded_once(self):
        m = self.partner("PENDFAIL")
        self.loket.ctl("sim", "set", "0825", "--result", "pending")
        self.assertIn("SEDANG DIPROSES", self.loket.topup(m, "T1", "0825", "P2"))
        self.loket.ctl("sim", "set", "0825", "--result", "failed")
        self.loket.reconcile()
        self.assertEqual(self.loket.status(m, "P2"), "STATUS T1.0825 GAGAL, DITOLAK BILLER. REFID:P2.")
        self.assertEqual(self.loket.status(m, "P2"), "STATUS T1.0825 GAGAL, DITOLAK BILLER. REFID:P2.")
        self.assertEqual(self.loket.balance(m), 100000)

    def test_biller_timeout_is_pending_not_failed(self):
        m = self.partner("SLOW")
        self.loket.ctl("sim", "set", "0826", "--result", "success", "--delay-ms", 3000)
        self.assertEqual(self.loket.topup(m, "T1", "0826", "T1"), "TRX T1.0826 SEDANG DIPROSES, HRG:2000 REFID:T1.")
        self.assertEqual(self.loket.balance(m), 98000)
        # The biller did deliver: the dispatcher's status call settles it as a
        # success, never a refund.
        self.loket.reconcile()
        self.assertIn("SUKSES", self.loket.status(m, "T1"))
        self.assertEqual(self.loket.balance(m), 98000)

    def test_secrets_never_reach_any_log(self):
        m = self.partner("LOGS")
        secret_pin, secret_password = "774411", "Sup3rSecretKey"
        self.loket.ctl("partner", "set", m, "--pin", secret_pin, "--password", secret_password)
        self.loket.topup(m, "T1", "0827", "L1", pin=secret_pin, password=secret_password)
        self.loket.topup(m, "T1", "0827", "L2", pin="000000", password="WrongSecretKey")
        self.loket.status(m, "L1", pin=secret_pin, password=secret_password)
        self.loket.saldo(m, pin=secret_pin, password=secret_password)
        self.loket.get_raw("memberID=%s&pin=%s&password=%s&refID=L3&product=T1&dest=%%zz" % (m, secret_pin, secret_password))
        logs = self.loket.all_logs()
        self.assertIn("ref=L1", self.loket.request_log())
        self.assertIn("memberID=LOGS", self.loket.access_log())
        for secret in (secret_pin, secret_password, "WrongSecretKey"):
            self.assertNotIn(secret, logs)

    def test_audit_passes_after_all_of_this(self):
        m = self.partner("AUDITME")
        self.loket.topup(m, "T1", "0828", "AU1")
        self.assertIn("audit ok", self.loket.audit().stdout)


if __name__ == "__main__":
    unittest.main()
