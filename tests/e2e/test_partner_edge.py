"""Issue 11: the partner-facing edge, as partners and attackers meet it.

Signed requests (HTTP-GET SIGN) for topup, status, bill inquiry and payment
and balance; a partner that must sign is refused on pin and password; IP
allowlists; the lockout (lock, refuse, expire, unlock, after a worker restart,
shared by two pools on one ledger); unknown and wrong memberIDs answered alike;
no secret in any log after every nginx error path and every wrong-credential
path; a HEAD moves no money; the shapes OtomaX clients send (check=1, /trx,
/trx/balance, /V1/http-get/); a worker drops a request that trickles in.

Signs are computed here from the interface's formula, independently of Loket.
Figures (timing of unknown vs wrong memberID, the lockout) are printed with
the prefix MEASURED; nothing asserts a speed.
"""
import base64
import hashlib
import os
import re
import signal
import socket
import statistics
import subprocess
import threading
import time
import unittest

from loket import Loket, PIN, PASSWORD, ROOT, BIN
import ledger_load as L

OUTSIDER = "127.0.0.2"   # another loopback address: "from elsewhere"


def sign(*parts):
    """base64url-without-padding(SHA1(parts joined with |))."""
    digest = hashlib.sha1("|".join(parts).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def trx_sign(member, product, dest, ref, prefix="OtomaX", pin=PIN, password=PASSWORD):
    return sign(prefix, member, product, dest, ref, pin, password)


def balance_sign(member, prefix="OtomaX", pin=PIN, password=PASSWORD):
    return sign(prefix, "CheckBalance", member, pin, password)


def sn_masked(text):
    """A reply with its serial number (the sim's, from a global counter) as *."""
    return re.sub(r"SN:\S+ ", "SN:* ", text)


def measured(text):
    print("MEASURED: " + text, flush=True)


class EdgeCase(unittest.TestCase):
    """One Loket for the suite; each test uses its own partners."""

    settings = {}

    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(workers=2, **cls.settings)
        cls.loket.ctl("product", "set", "T1", "--price", 2000, "--biller", "sim")
        cls.loket.ctl("product", "set", "PLNPASC", "--family", "PLNPASC", "--admin", 2750, "--biller", "sim")

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def partner(self, member, deposit=100000, *extra):
        self.loket.ctl("partner", "add", member, "--pin", PIN, "--password", PASSWORD, *extra)
        if deposit:
            self.loket.ctl("deposit", member, deposit)
        return member

    def signed(self, member, product, dest, ref, path="/V1/http-get", source=None, **extra):
        s = extra.pop("sign", None) or trx_sign(member, product, dest, ref)
        status, body = self.loket.get(path=path, source=source, product=product, dest=dest, refID=ref,
                                      memberID=member, sign=s, **extra)
        self.assertEqual(status, 200, body)
        return sn_masked(body)

    def signed_balance(self, member, s=None, path="/V1/http-get/balance"):
        status, body = self.loket.get(path=path, memberID=member, sign=s or balance_sign(member))
        self.assertEqual(status, 200, body)
        return body

    def transactions(self, member):
        return self.loket.sql("SELECT ref_id, status FROM transactions WHERE member_id = ? ORDER BY id", member)


class SignedRequestTest(EdgeCase):
    def test_signed_topup_status_and_balance(self):
        m = self.partner("SIGN1")
        self.assertEqual(self.signed(m, "T1", "0812", "S1"), "TRX T1.0812 SUKSES, HRG:2000 SN:* REFID:S1.")
        self.assertEqual(self.signed(m, "T1", "0812", "S1", cek=1),
                         "STATUS T1.0812 SUKSES, HRG:2000 SN:* REFID:S1.")
        # A status check without product and dest signs them as empty.
        status, body = self.loket.get(refID="S1", memberID=m, cek=1, sign=trx_sign(m, "", "", "S1"))
        self.assertEqual(sn_masked(body), "STATUS T1.0812 SUKSES, HRG:2000 SN:* REFID:S1.")
        self.assertTrue(self.signed_balance(m).startswith("saldo=98000  @ "))
        self.assertEqual(self.loket.balance(m), 98000)

    def test_signed_bill_inquiry_and_payment(self):
        m = self.partner("SIGNBILL", 500000)
        self.loket.ctl("sim", "bill", "PLNPASC", "546302215890", "--name", "Anto", "--amount", 300000)
        self.assertEqual(self.signed(m, "PLNPASC", "546302215890", "B1", jenis=5),
                         "CEK PLNPASC.546302215890 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.")
        self.assertEqual(self.signed(m, "PLNPASC", "546302215890", "B1", jenis=6),
                         "BAYAR PLNPASC.546302215890 SUKSES, HRG:302750 REFID:B1.")
        self.assertEqual(self.loket.balance(m), 500000 - 302750)

    def test_both_cases_as_otomax_clients_send_them(self):
        m = self.partner("CaseMix")
        # Over the values as sent (memberID in mixed case) ...
        self.assertEqual(self.signed(m, "T1", "0813", "C1"), "TRX T1.0813 SUKSES, HRG:2000 SN:* REFID:C1.")
        # ... and over memberID and product upper-cased.
        upper = trx_sign(m.upper(), "T1", "0813", "C2")
        self.assertNotEqual(upper, trx_sign(m, "T1", "0813", "C2"))
        self.assertEqual(self.signed(m, "T1", "0813", "C2", sign=upper), "TRX T1.0813 SUKSES, HRG:2000 SN:* REFID:C2.")
        self.assertTrue(self.signed_balance(m, balance_sign(m.upper())).startswith("saldo="))
        # A product sent in lower case: both signs pass (the catalogue then knows no "t1").
        for s in (trx_sign(m, "t1", "0813", "C3"), trx_sign(m.upper(), "T1", "0813", "C3")):
            self.assertEqual(self.signed(m, "t1", "0813", "C3", sign=s),
                             "TRX t1.0813 GAGAL, PRODUK TIDAK DIKENAL. REFID:C3.")
        # Any other case is not the partner's sign.
        self.assertIn("PIN ATAU PASSWORD SALAH", self.signed(m, "t1", "0813", "C3",
                                                             sign=trx_sign(m.lower(), "t1", "0813", "C3")))
        self.loket.ctl("partner", "unlock", m)

    def test_a_partner_prefix_replaces_the_default(self):
        m = self.partner("RONE1")
        self.loket.ctl("partner", "set", m, "--sign-prefix", "R-ONE")
        self.assertIn("PIN ATAU PASSWORD SALAH", self.signed(m, "T1", "0814", "P1"))
        self.assertIn("SUKSES", self.signed(m, "T1", "0814", "P1", sign=trx_sign(m, "T1", "0814", "P1", "R-ONE")))
        self.assertTrue(self.signed_balance(m, balance_sign(m, "R-ONE")).startswith("saldo="))
        self.loket.ctl("partner", "set", m, "--sign-prefix", "")
        self.assertTrue(self.signed_balance(m).startswith("saldo="))

    def test_wrong_and_missing_sign(self):
        m = self.partner("SIGNBAD")
        before = self.loket.ledger_hash()
        wrong = trx_sign(m, "T1", "0815", "W1", pin="9999")
        self.assertEqual(self.signed(m, "T1", "0815", "W1", sign=wrong),
                         "TRX T1.0815 GAGAL, PIN ATAU PASSWORD SALAH. REFID:W1.")
        # Signed over another dest: the sign does not cover this request.
        other = trx_sign(m, "T1", "0899", "W1")
        self.assertIn("PIN ATAU PASSWORD SALAH", self.signed(m, "T1", "0815", "W1", sign=other))
        status, body = self.loket.get(product="T1", dest="0815", refID="W1", memberID=m)
        self.assertEqual(body, "TRX T1.0815 GAGAL, FORMAT SALAH: pin.")
        status, body = self.loket.get(product="T1", dest="0815", refID="W1", memberID=m, sign=wrong + "=")
        self.assertEqual(body, "TRX T1.0815 GAGAL, FORMAT SALAH: sign.")
        self.assertEqual(self.loket.ledger_hash(), before)
        self.assertEqual(self.transactions(m), [])
        self.loket.ctl("partner", "unlock", m)

    def test_a_signature_partner_is_refused_on_pin_and_password(self):
        m = self.partner("MUSTSIGN", 100000, "--signature")
        self.assertEqual(self.loket.topup(m, "T1", "0816", "M1"), "TRX T1.0816 GAGAL, WAJIB SIGNATURE. REFID:M1.")
        self.assertEqual(self.loket.saldo(m), "SALDO GAGAL, WAJIB SIGNATURE.")
        self.assertEqual(self.transactions(m), [])
        self.assertEqual(self.signed(m, "T1", "0816", "M1"), "TRX T1.0816 SUKSES, HRG:2000 SN:* REFID:M1.")

    def test_secrets_are_sealed_in_the_ledger(self):
        m = self.partner("SEALED")
        (row,) = self.loket.sql("SELECT pin_hash, password_hash FROM partners WHERE member_id = ?", m)
        self.assertEqual(row, ("", ""))
        (sealed,) = self.loket.sql("SELECT pin_sealed, password_sealed FROM partner_auth WHERE member_id = ?", m)
        self.assertTrue(all(s.startswith("g1:") for s in sealed))
        raw = [bytes.fromhex(s[3:]) for s in sealed]   # nonce | ciphertext | tag
        self.assertFalse(any(PIN.encode() in r or PASSWORD.encode() in r for r in raw))
        self.assertEqual([len(r) for r in raw], [12 + len(PIN) + 16, 12 + len(PASSWORD) + 16])

    def test_an_old_digest_is_sealed_on_the_next_success(self):
        # A partner as Loket stored one before sealed secrets: salted SHA-256 digests.
        salt = "00112233445566778899aabbccddeeff"
        digest = lambda secret: hashlib.sha256((salt + ":" + secret).encode()).hexdigest()
        self.loket.sql("INSERT INTO partners (member_id, name, salt, pin_hash, password_hash, balance, active, "
                       "use_signature, created_at) VALUES (?, '', ?, ?, ?, 0, 1, 0, 0)",
                       "OLDHASH", salt, digest(PIN), digest(PASSWORD))
        self.assertEqual(self.loket.sql("SELECT COUNT(*) FROM partners WHERE member_id = 'OLDHASH'"), [(1,)])
        # A sign cannot be checked against a digest ...
        self.assertIn("PIN ATAU PASSWORD SALAH", self.signed_balance("OLDHASH"))
        # ... pin and password can, and then the digests are replaced.
        self.assertTrue(self.loket.saldo("OLDHASH").startswith("saldo=0  @ "))
        self.assertEqual(self.loket.sql("SELECT pin_hash, password_hash FROM partners WHERE member_id = ?",
                                        "OLDHASH"), [("", "")])
        self.assertTrue(self.signed_balance("OLDHASH").startswith("saldo=0  @ "))
        self.loket.ctl("partner", "unlock", "OLDHASH")


class ClientShapesTest(EdgeCase):
    def test_check_1_is_a_status_check_and_never_buys(self):
        m = self.partner("CHECK1")
        self.assertEqual(self.loket.request(m, "NEVER", product="T1", dest="0817", check=1),
                         "STATUS T1.0817 GAGAL, TRANSAKSI TIDAK DITEMUKAN. REFID:NEVER.")
        self.assertEqual(self.transactions(m), [])
        self.assertEqual(self.loket.balance(m), 100000)
        self.assertIn("SUKSES", self.loket.topup(m, "T1", "0817", "K1"))
        self.assertEqual(sn_masked(self.loket.request(m, "K1", check=1)), "STATUS T1.0817 SUKSES, HRG:2000 SN:* REFID:K1.")
        self.assertEqual(self.loket.balance(m), 98000)

    def test_the_otomax_paths(self):
        m = self.partner("ALIAS")
        q = dict(memberID=m, pin=PIN, password=PASSWORD)
        self.assertEqual(sn_masked(self.loket.get(path="/trx", product="T1", dest="0818", refID="A1", **q)[1]),
                         "TRX T1.0818 SUKSES, HRG:2000 SN:* REFID:A1.")
        self.assertEqual(sn_masked(self.loket.get(path="/V1/http-get/", product="T1", dest="0818", refID="A2", **q)[1]),
                         "TRX T1.0818 SUKSES, HRG:2000 SN:* REFID:A2.")
        self.assertEqual(sn_masked(self.loket.get(path="/trx", refID="A1", cek=1, **q)[1]),
                         "STATUS T1.0818 SUKSES, HRG:2000 SN:* REFID:A1.")
        self.assertTrue(self.loket.get(path="/trx/balance", **q)[1].startswith("saldo=96000  @ "))
        self.assertTrue(self.signed_balance(m, path="/trx/balance").startswith("saldo=96000"))
        # Other spellings are not Loket's.
        for path in ("/v1/http-get", "/trx/", "/TRX", "/V1/http-get/balance/"):
            self.assertEqual(self.loket.get(path=path, product="T1", dest="0818", refID="A3", **q)[0], 404, path)
        self.assertEqual(self.loket.balance(m), 96000)

    def test_head_and_post_move_no_money(self):
        m = self.partner("HEADM")
        before = self.loket.ledger_hash()
        query = "product=T1&dest=0819&refID=H1&memberID=%s&pin=%s&password=%s" % (m, PIN, PASSWORD)
        for method in ("HEAD", "POST", "PUT", "DELETE", "OPTIONS"):
            status, body = self.loket.get_raw(query, method=method, body=b"" if method != "HEAD" else None)
            self.assertEqual(status, 405, method)
            if method != "HEAD":
                self.assertEqual(body, "TRX T1.0819 GAGAL, SISTEM SIBUK, SILAKAN ULANGI. REFID:H1.")
        self.assertEqual(self.loket.ledger_hash(), before)
        self.assertEqual(self.transactions(m), [])
        self.assertIn("SUKSES", self.loket.topup(m, "T1", "0819", "H1"))

    def test_a_reply_must_read_the_status_word_of_its_code(self):
        # A success that reads GAGAL would make a partner's software buy again.
        r = self.loket.ctl("rc", "set", "00", "TRX", "TRX [kodeproduk].[tujuan] GAGAL, HRG:[harga] REFID:[refid].",
                           check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("rc 00 TRX: rc 00 must read SUKSES", r.stderr)
        r = self.loket.ctl("rc", "set", "68", "STATUS", "STATUS [tujuan] SUKSES.", check=False)
        self.assertIn("rc 68 STATUS: rc 68 must read SEDANG DIPROSES", r.stderr)
        r = self.loket.ctl("rc", "set", "42", "TRX", "TRX [tujuan] SUKSES, COBA LAGI.", check=False)
        self.assertIn("rc 42 TRX: rc 42 must read GAGAL", r.stderr)
        # [saldo] and [waktu] are accepted in any template.
        self.loket.ctl("rc", "set", "45", "SALDO", "SALDO GAGAL, AKUN TERKUNCI @[waktu] SALDO:[saldo].")
        self.assertEqual(self.loket.ctl("rc", "check").split()[1:], ["templates", "ok"])
        # A text changed behind loketctl's back is named by rc check.
        self.loket.sql("UPDATE response_codes SET text = 'STATUS [tujuan] GAGAL.' WHERE rc = '00' AND action = 'STATUS'")
        r = self.loket.ctl("rc", "check", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("rc 00 STATUS: rc 00 must read SUKSES", r.stderr)
        self.loket.ctl("rc", "set", "00", "STATUS",
                       "STATUS [kodeproduk].[tujuan] SUKSES, HRG:[harga] SN:[sn] REFID:[refid].")
        self.loket.ctl("rc", "set", "45", "SALDO", "SALDO GAGAL, AKUN TERKUNCI, SILAKAN COBA LAGI NANTI.")
        self.assertEqual(self.loket.ctl("rc", "check", check=False).returncode, 0)

    def test_files_are_closed_to_other_users(self):
        mode = lambda p: os.stat(p).st_mode & 0o777
        self.assertEqual(mode(self.loket.socket_path), 0o660)
        self.assertEqual(mode(os.path.join(self.loket.home, "loket.key")), 0o600)
        if self.loket.pg is None:
            for suffix in ("", "-wal", "-shm", "-waiters"):
                path = self.loket.db_path + suffix
                if os.path.exists(path):
                    self.assertEqual(mode(path) & 0o007, 0, path)


class IpAllowlistTest(EdgeCase):
    def test_only_listed_networks_may_ask(self):
        m = self.partner("IPLIST")
        self.loket.ctl("partner", "set", m, "--ip", "127.0.0.1/32,10.0.0.0/8")
        self.assertIn("SUKSES", self.signed(m, "T1", "0820", "I1"))
        before = self.loket.ledger_hash()
        # From elsewhere: refused before any credential is looked at, right or wrong.
        self.assertEqual(self.signed(m, "T1", "0820", "I2", source=OUTSIDER),
                         "TRX T1.0820 GAGAL, IP TIDAK TERDAFTAR. REFID:I2.")
        status, body = self.loket.get(path="/V1/http-get/balance", source=OUTSIDER, memberID=m, pin="0000",
                                      password="x")
        self.assertEqual(body, "SALDO GAGAL, IP TIDAK TERDAFTAR.")
        for _ in range(6):
            self.loket.get(path="/V1/http-get/balance", source=OUTSIDER, memberID=m, pin="0000", password="x")
        self.assertEqual(self.loket.ledger_hash(), before)
        # ... and nothing counted towards a lock.
        self.assertTrue(self.loket.saldo(m).startswith("saldo="))
        # An empty list removes it.
        self.loket.ctl("partner", "set", m, "--ip", "")
        self.assertIn("SUKSES", self.signed(m, "T1", "0820", "I2", source=OUTSIDER))
        r = self.loket.ctl("partner", "set", m, "--ip", "10.0.0.0/33", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("10.0.0.0/33", r.stderr)


class LockoutTest(EdgeCase):
    def wrong(self, member):
        return self.loket.saldo(member, pin="0000")

    def test_lock_refuse_expire_unlock(self):
        m = self.partner("LOCK1")
        started = time.perf_counter()
        for _ in range(5):
            self.assertEqual(self.wrong(m), "SALDO GAGAL, PIN ATAU PASSWORD SALAH.")
        measured("lockout: 5 wrong pins then locked in %.0f ms" % ((time.perf_counter() - started) * 1000))
        self.assertEqual(self.loket.saldo(m), "SALDO GAGAL, AKUN TERKUNCI, SILAKAN COBA LAGI NANTI.")
        self.assertEqual(self.loket.topup(m, "T1", "0821", "L1"),
                         "TRX T1.0821 GAGAL, AKUN TERKUNCI, SILAKAN COBA LAGI NANTI. REFID:L1.")
        self.assertEqual(self.signed(m, "T1", "0821", "L1"),
                         "TRX T1.0821 GAGAL, AKUN TERKUNCI, SILAKAN COBA LAGI NANTI. REFID:L1.")
        self.assertEqual(self.transactions(m), [])
        self.assertTrue(self.loket.wait_for(lambda: "memberID LOCK1 locked for 15 min" in self.pool_log(), 5))
        (until,) = self.loket.sql("SELECT locked_until FROM auth_failures WHERE member_id = ?", m)[0]
        self.assertAlmostEqual(until - time.time(), 15 * 60, delta=30)
        # The lock ends by itself: its time has passed.
        self.loket.sql("UPDATE auth_failures SET locked_until = ? WHERE member_id = ?", int(time.time()) - 1, m)
        self.assertTrue(self.loket.saldo(m).startswith("saldo="))
        # A success forgot the failures: four more do not lock.
        for _ in range(4):
            self.wrong(m)
        self.assertTrue(self.loket.saldo(m).startswith("saldo="))
        # Locked again, ended by the operator.
        for _ in range(5):
            self.wrong(m)
        self.assertIn("AKUN TERKUNCI", self.loket.saldo(m))
        self.assertEqual(self.loket.ctl("partner", "unlock", m), "partner LOCK1 unlocked\n")
        self.assertIn("SUKSES", self.loket.topup(m, "T1", "0821", "L1"))
        self.assertEqual(self.loket.ctl("partner", "unlock", m), "partner LOCK1 was not locked\n")

    def test_a_wrong_sign_counts_like_a_wrong_pin(self):
        m = self.partner("LOCKSIGN")
        for _ in range(5):
            self.assertIn("PIN ATAU PASSWORD SALAH", self.signed_balance(m, balance_sign(m, pin="0000")))
        self.assertIn("AKUN TERKUNCI", self.signed_balance(m))
        self.loket.ctl("partner", "unlock", m)

    def test_the_lock_survives_worker_restarts_and_is_shared_by_every_pool(self):
        m = self.partner("LOCKALL")
        for _ in range(5):
            self.wrong(m)
        # Every worker of the pool is killed and replaced.
        old = self.loket.worker_pids()
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        self.assertTrue(self.loket.wait_for(lambda: len(set(self.loket.worker_pids()) - set(old)) == 2, 15))
        replies = {self.loket.saldo(m) for _ in range(10)}
        self.assertEqual(replies, {"SALDO GAGAL, AKUN TERKUNCI, SILAKAN COBA LAGI NANTI."})
        # A second pool on the same ledger (another host) sees the same lock,
        # and its failures count towards the first pool's locks.
        second = os.path.join(self.loket.home, "run", "second.sock")
        pool = subprocess.Popen(["setsid", "spawn-fcgi", "-n", "-s", second, "--", "/usr/bin/multiwatch", "-f", "1",
                                 "--", os.path.join(BIN, "loket-fcgi"), "--config",
                                 os.path.join(self.loket.home, "loket.properties")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.assertTrue(self.loket.wait_for(lambda: os.path.exists(second), 10))
            query = "memberID=%s&pin=%s&password=%s" % (m, PIN, PASSWORD)
            self.assertTrue(self.loket.wait_for(lambda: L.cgi_fcgi(second, query, uri=L.BALANCE_PATH)[1]
                                                == "SALDO GAGAL, AKUN TERKUNCI, SILAKAN COBA LAGI NANTI.", 10))
            other = self.partner("LOCKHOST")
            wrong = "memberID=%s&pin=0000&password=%s" % (other, PASSWORD)
            for i in range(5):
                via_second = i % 2 == 0
                body = L.cgi_fcgi(second, wrong, uri=L.BALANCE_PATH)[1] if via_second else self.wrong(other)
                self.assertEqual(body, "SALDO GAGAL, PIN ATAU PASSWORD SALAH.")
            self.assertIn("AKUN TERKUNCI", self.loket.saldo(other))
        finally:
            pool.terminate()   # multiwatch passes it on; the worker finishes and exits
            try:
                pool.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(pool.pid, signal.SIGKILL)
                pool.wait(10)
        self.loket.ctl("partner", "unlock", m)
        self.assertTrue(self.loket.saldo(m).startswith("saldo="))

    def test_unknown_memberids_lock_like_known_ones(self):
        for _ in range(5):
            self.assertEqual(self.wrong("NOSUCHMEMBER"), "SALDO GAGAL, PIN ATAU PASSWORD SALAH.")
        self.assertEqual(self.wrong("NOSUCHMEMBER"), "SALDO GAGAL, AKUN TERKUNCI, SILAKAN COBA LAGI NANTI.")
        self.assertEqual(self.loket.ctl("partner", "unlock", "NOSUCHMEMBER"), "partner NOSUCHMEMBER unlocked\n")

    def pool_log(self):
        return self.loket._read(os.path.join(self.loket.home, "log", "pool.log"))


class UnknownMemberTest(EdgeCase):
    """Unknown and wrong memberIDs: same reply, same work.  No lockout here, so
    that many requests can be timed."""

    settings = {"auth_max_failures": 0}

    def test_unknown_and_wrong_get_the_same_reply_in_the_same_time(self):
        m = self.partner("KNOWN")
        known = lambda: self.loket.topup(m, "T1", "0822", "U1", pin="0000")
        unknown = lambda: self.loket.topup("UNKNOWN1", "T1", "0822", "U1", pin="0000")
        self.assertEqual(known(), unknown())
        self.assertEqual(self.loket.saldo(m, pin="0000"), self.loket.saldo("UNKNOWN1", pin="0000"))
        self.assertEqual(self.signed("UNKNOWN1", "T1", "0822", "U1"), self.signed(m, "T1", "0822", "U1",
                                                                                 sign=trx_sign(m, "T1", "0822", "X")))
        times = {"known memberID, wrong pin": [], "unknown memberID": []}
        for _ in range(3):   # warm up both paths
            known(), unknown()
        for _ in range(150):
            for name, call in (("known memberID, wrong pin", known), ("unknown memberID", unknown)):
                t = time.perf_counter()
                call()
                times[name].append((time.perf_counter() - t) * 1000)
        for name, samples in times.items():
            samples.sort()
            measured("%s: median %.2f ms, p10 %.2f, p90 %.2f over %d requests" % (
                name, statistics.median(samples), samples[len(samples) // 10], samples[len(samples) * 9 // 10],
                len(samples)))
        self.assertEqual(self.transactions(m), [])


class NoSecretInAnyLogTest(unittest.TestCase):
    """Every nginx error path and every wrong-credential path, then every file
    under LOKET_HOME is searched for the pin, password and sign."""

    SECRET_PIN = "Zq7PinX93k"
    SECRET_PASSWORD = "Pw-Sangat-Rahasia-88"
    WRONG_PIN = "Wr0ngPin55"

    def test_no_secret_anywhere_after_every_error_path(self):
        with Loket(workers=1) as loket:
            loket.ctl("product", "set", "T1", "--price", 2000, "--biller", "sim")
            loket.ctl("partner", "add", "SECRET", "--pin", self.SECRET_PIN, "--password", self.SECRET_PASSWORD)
            loket.ctl("partner", "add", "SIGNER", "--pin", self.SECRET_PIN, "--password", self.SECRET_PASSWORD,
                      "--signature")
            loket.ctl("partner", "add", "FENCED", "--pin", self.SECRET_PIN, "--password", self.SECRET_PASSWORD)
            loket.ctl("partner", "set", "FENCED", "--ip", "10.9.9.0/24")
            loket.ctl("deposit", "SECRET", 100000)
            good = "memberID=SECRET&pin=%s&password=%s" % (self.SECRET_PIN, self.SECRET_PASSWORD)
            good_sign = sign("OtomaX", "SECRET", "T1", "0812", "E1", self.SECRET_PIN, self.SECRET_PASSWORD)
            wrong_sign = sign("OtomaX", "SECRET", "T1", "0812", "E1", self.WRONG_PIN, self.SECRET_PASSWORD)
            secrets = [self.SECRET_PIN, self.SECRET_PASSWORD, self.WRONG_PIN, good_sign, wrong_sign]
            trx = "product=T1&dest=0812&refID=E1&"
            shapes = {}

            def hit(name, query, path="/V1/http-get", **kw):
                shapes[name] = loket.get_raw(query, path, **kw)
                return shapes[name]

            # Wrong credentials of every kind, and a lock.
            hit("ok", trx + good)
            hit("signed", trx + "memberID=SECRET&sign=" + good_sign)
            hit("wrong pin", trx + good.replace(self.SECRET_PIN, self.WRONG_PIN))
            hit("wrong password", trx + good.replace(self.SECRET_PASSWORD, self.WRONG_PIN))
            hit("wrong sign", trx + "memberID=SECRET&sign=" + wrong_sign)
            hit("unknown member", trx + good.replace("SECRET", "NOBODY"))
            hit("signature partner", trx + good.replace("SECRET", "SIGNER"))
            hit("ip refused", trx + good.replace("SECRET", "FENCED"))
            for i in range(6):
                hit("lock %d" % i, trx + good.replace("SECRET", "NOBODY2").replace(self.SECRET_PIN, self.WRONG_PIN))
            self.assertIn("AKUN TERKUNCI", shapes["lock 5"][1])
            # Paths and shapes that miss Loket's locations.
            for path in ("/V1/http-get/x", "/v1/http-get", "/V1/HTTP-GET", "/", "/trx/", "/V1/http-get;" + good):
                hit("path " + path, trx + good, path)
            hit("414", trx + good + "&pad=" + "A" * 20000)
            self.assertEqual(shapes["414"][0], 414)
            self.assertEqual(shapes["414"][1], "TRX GAGAL, SISTEM SIBUK, SILAKAN ULANGI. REFID:.")
            hit("413", trx + good, method="GET", body=b"x" * 4096)
            self.assertEqual(shapes["413"], (413, "TRX T1.0812 GAGAL, SISTEM SIBUK, SILAKAN ULANGI. REFID:E1."))
            hit("405", trx + good, method="POST", body=b"")
            hit("HEAD", trx + good, method="HEAD")
            self.assertEqual(shapes["HEAD"][0], 405)
            shapes["400"] = self.raw(loket, b"GET /V1/http-get?" + (trx + good).encode() + b" HTTP/1.1\r\nHost: x\r\n"
                                     b"Bad Header Line\r\n\r\n")
            self.assertIn(b" 400 ", shapes["400"].split(b"\r\n")[0])
            self.assertTrue(shapes["400"].endswith(b"TRX GAGAL, SISTEM SIBUK, SILAKAN ULANGI. REFID:."))
            shapes["400 method"] = self.raw(loket, b"G=T /V1/http-get?" + (trx + good).encode() + b" HTTP/1.1\r\n\r\n")
            self.assertIn(b" 400 ", shapes["400 method"].split(b"\r\n")[0])
            shapes["494"] = self.raw(loket, b"GET /V1/http-get?" + (trx + good).encode() + b" HTTP/1.1\r\nHost: x\r\n"
                                     b"X-Big: " + b"y" * 20000 + b"\r\n\r\n")
            self.assertIn(b" 400 ", shapes["494"].split(b"\r\n")[0])
            # Rate limit, from an address that is not exempt.
            limited = [loket.get_raw(trx + good.replace("SECRET", "FLOOD"), source=OUTSIDER) for _ in range(250)]
            refused = [b for s, b in limited if s == 429]
            measured("limit_req: %d of 250 back-to-back requests from one address refused with 429" % len(refused))
            self.assertTrue(refused)
            self.assertEqual(set(refused), {"TRX T1.0812 GAGAL, SISTEM SIBUK, SILAKAN ULANGI. REFID:E1."})

            # The pool down, its socket still there: 502 (connection refused).
            with open(os.path.join(loket.home, "run", "pool.pid")) as f:
                pool = int(f.read())
            os.kill(pool, signal.SIGTERM)
            self.assertTrue(loket.wait_for(lambda: not os.path.exists("/proc/%d" % pool), 10))
            hit("502 refused", trx + good)
            self.assertEqual(shapes["502 refused"], (502, "TRX T1.0812 GAGAL, SISTEM SIBUK, SILAKAN ULANGI. REFID:E1."))
            # Its socket gone: 502 again, which nginx logs at "crit".
            os.unlink(loket.socket_path)
            hit("502 no socket", trx + "memberID=SECRET&sign=" + good_sign)
            self.assertEqual(shapes["502 no socket"][0], 502)
            hit("502 balance", good, "/V1/http-get/balance")
            self.assertEqual(shapes["502 balance"], (502, "SALDO GAGAL, SISTEM SIBUK, SILAKAN ULANGI."))
            loket.stop()

            # nginx's own errors are one RC 99 line (a path that is not Loket's stays a plain 404).
            for name, reply in shapes.items():
                text = reply if isinstance(reply, bytes) else reply[1].encode()
                if not name.startswith("path "):
                    self.assertNotIn(b"<html", text.lower(), name)
            self.assertIn("memberID=SECRET", loket.access_log())
            self.assert_no_secret_under(loket.home, secrets)

    def test_a_504_is_a_one_line_reply_and_logs_no_secret(self):
        """A worker that never answers: nginx gives up after fastcgi_read_timeout (60 s)."""
        with Loket(workers=1) as loket:
            loket.ctl("partner", "add", "SLOWPOKE", "--pin", self.SECRET_PIN, "--password", self.SECRET_PASSWORD)
            query = "product=T1&dest=0812&refID=T504&memberID=SLOWPOKE&pin=%s&password=%s" % (
                self.SECRET_PIN, self.SECRET_PASSWORD)
            stopped = loket.worker_pids()
            for pid in stopped:
                os.kill(pid, signal.SIGSTOP)
            try:
                status, body = loket.get_raw(query, timeout=90)
            finally:
                for pid in stopped:
                    os.kill(pid, signal.SIGCONT)
            self.assertEqual((status, body), (504, "TRX T1.0812 GAGAL, SISTEM SIBUK, SILAKAN ULANGI. REFID:T504."))
            loket.stop()
            self.assertIn(" 504 ", loket.access_log())
            self.assert_no_secret_under(loket.home, [self.SECRET_PIN, self.SECRET_PASSWORD])

    @staticmethod
    def raw(loket, request):
        with socket.create_connection(("127.0.0.1", loket.port), timeout=10) as s:
            s.sendall(request)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return data
                data += chunk

    def assert_no_secret_under(self, home, secrets):
        scanned = 0
        for top, _, files in os.walk(home):
            for name in files:
                path = os.path.join(top, name)
                if not os.path.isfile(path) or os.path.islink(path):
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                scanned += 1
                for s in secrets:
                    self.assertNotIn(s.encode(), data, "%s found in %s" % (s, path))
        self.assertGreater(scanned, 5)


class SlowRequestTest(unittest.TestCase):
    """A peer on the pool's socket that sends its FastCGI request a byte at a
    time cannot hold a worker: the worker drops it and serves nginx."""

    def test_a_trickling_request_is_dropped(self):
        with Loket(workers=1) as loket:
            loket.add_partner("TRICKLE")
            # FCGI_BEGIN_REQUEST, then the start of a PARAMS record, a byte every 2 s.
            record = bytes([1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]) + bytes([1, 4, 0, 1, 0, 40, 0, 0])
            s = socket.socket(socket.AF_UNIX)
            s.connect(loket.socket_path)
            dropped = threading.Event()

            def trickle():
                try:
                    for i in range(30):
                        s.send(record[i:i + 1] if i < len(record) else b"A")
                        time.sleep(2)
                except OSError:
                    dropped.set()
                    return
                # Still connected after a minute: was it dropped without our noticing?
                s.settimeout(0.1)
                try:
                    if s.recv(1) == b"":
                        dropped.set()
                except OSError:
                    pass

            t = threading.Thread(target=trickle)
            t.start()
            time.sleep(1)
            started = time.perf_counter()
            reply = loket.saldo("TRICKLE")
            waited = time.perf_counter() - started
            self.assertTrue(reply.startswith("saldo=0"), reply)
            measured("a request queued behind a trickling FastCGI peer was answered after %.1f s" % waited)
            # Answered while the trickler still had most of its minute to go.
            self.assertFalse(dropped.is_set() and not t.is_alive() and waited > 50)
            t.join(70)
            s.close()
            self.assertTrue(dropped.is_set())


if __name__ == "__main__":
    unittest.main()
