"""Issue 4, proof 5: malformed requests.

A catalogue of malformed requests, each sent through nginx and also straight
to a worker's socket with cgi-fcgi (libfcgi-bin): missing, empty, bare,
repeated and case-variant parameters; bad percent-encoding, NUL, CR/LF,
control characters and non-ASCII bytes; SQL fragments, template and format
strings, oversized values; qty values such as 0, -1, 1.5, 1e3, 0x10 and past
64 bits; unknown parameters; jenis and cek values outside the interface.

Every reply is HTTP 200 with a defined RC (it matches a template of the
response_codes table in full, every placeholder holding a validated value),
is the same through nginx and straight from the worker, and echoes nothing of
the input but validated fields.  No worker dies, the ledger's rows are
byte-identical afterwards, and "AB%00CD" and "AB%00XY" never become one refID.

A request that would pass validation carries a wrong pin (RC 42) or is a
status check of a refID that does not exist (RC 50), so nothing here may
write; the ledger hash proves it.
"""
import re
import time
import unittest

from loket import Loket, PASSWORD, PIN
import ledger_load as L

MEMBER = "BADIN"
PRODUCT, DEST = "T1", "081234567890"
WRONG_PIN = "9999"
PARAMS = ["product", "dest", "refID", "memberID", "qty", "pin", "password"]
ACTIONS = ("TRX", "CEK", "BAYAR", "STATUS", "SALDO")

# Values no parameter rule accepts (except a password, which takes any
# printable ASCII without a space: such a password is simply wrong, RC 42).
# Written as they travel in the query string; nginx refuses raw control bytes
# and spaces in a request line, so those are percent-encoded here (raw ones go
# to the worker alone, below), while raw bytes >= 0x80 pass nginx as they are.
BAD_VALUES = [
    # bad percent-encoding
    "%", "%4", "%zz", "%G1", "A%", "%%", "%u0041",
    # NUL
    "A%00B", "%00", "A%00",
    # CR/LF
    "A%0D%0AB", "%0A", "A%0d%0aSet-Cookie:%20x=1", "%0D",
    # other control characters
    "%01", "%1B%5B31m", "%7F", "%08", "A%09B",
    # non-ASCII, encoded and raw
    "%C3%A9", "%FF", "%80", "\xc3\xa9", "A\xffB",
    # SQL fragments
    "'", "%27%20OR%20%271%27%3D%271", "1%3B%20DROP%20TABLE%20partners%3B--", "%22%20OR%20%22%22%3D%22",
    "%27%20UNION%20SELECT%20pin_hash%20FROM%20partners--", "A'--",
    # spaces
    "A+B", "%20A", "A%20", "+",
    # template, format and markup injection
    "%5Bharga%5D", "%25s%25n", "%7B%7B7*7%7D%7D", "%24%7Bjndi:ldap://x%7D", "%3Cscript%3E",
    # oversized (33 is fine for a refID: see refid_values)
    "X" * 33, "X" * 65, "X" * 129, "X" * 1000,
]
QTY_VALUES = ["0", "-1", "1.5", "1e3", "0x10", "18446744073709551616", "9223372036854775808",
              "-9223372036854775809", "99999999999999999999999", "%2B1", "+1", "%201", "1%20", "01", "001", "101",
              "1000", "abc", "NaN", "inf", "%D9%A1", "%EF%BC%91", "1%00", "0b1", "1_0", "1,0", "1e0", ".5",
              "2147483648", "4294967297", "1.0"]
JENIS_VALUES = ["0", "1", "4", "7", "55", "-5", "5.0", "%205", "5%20", "", "five", "5%00", "6%0A", "%35%00"]
CEK_VALUES = ["0", "2", "11", "-1", "true", "yes", "", "1.0", "%201", "1%20", "1%00", "%31%0A", "Y"]


class Case:
    def __init__(self, name, query, expect, action, mutated=(), path=L.TOPUP_PATH, ref=None):
        self.name = name
        self.query = query
        self.expect = set(expect)
        self.action = action
        self.mutated = set(mutated)
        self.path = path
        self.ref = ref


def join(pairs):
    return "&".join(p if isinstance(p, str) else "%s=%s" % p for p in pairs)


class Catalogue:
    """Builds the cases; every case that does not mutate refID has its own
    valid refID, so one that slipped through would show as a new row."""

    def __init__(self):
        self.cases = []
        self.serial = 0

    def ref(self):
        self.serial += 1
        return "BI-%04d" % self.serial

    def topup_pairs(self, ref, pin=PIN):
        return [("product", PRODUCT), ("dest", DEST), ("refID", ref), ("memberID", MEMBER), ("qty", "1"),
                ("pin", pin), ("password", PASSWORD)]

    def add(self, name, pairs, expect, action="TRX", mutated=(), path=L.TOPUP_PATH, ref=None):
        self.cases.append(Case(name, join(pairs), expect, action, mutated, path, ref))

    def replaced(self, pairs, name, new):
        """`pairs` with parameter `name` replaced by the list `new` of pieces."""
        out = []
        for p in pairs:
            out += new if (not isinstance(p, str) and p[0] == name) else [p]
        return out

    def build(self):
        for param in PARAMS:
            self.structural(param)
            self.values(param)
        self.qty()
        self.jenis_and_cek()
        self.unknown_parameters()
        self.whole_queries()
        self.balance()
        self.nul_refids()
        return self.cases

    def structural(self, param):
        variants = [("missing", []), ("empty", [(param, "")]), ("bare", [param]),
                    ("repeated", [(param, "1"), (param, "1")]),
                    ("repeated-different", [(param, "1"), (param, "2")]),
                    ("capitalised", [(param[0].upper() + param[1:], "1")]), ("upper", [(param.upper(), "1")]),
                    ("lower", [(param.lower(), "1")] if param.lower() != param else [(param + "_", "1")])]
        for how, new in variants:
            ref = self.ref()
            # Without qty (or with its name misspelt) a topup is valid: a
            # wrong pin stops it at authentication.
            valid = param == "qty" and how in ("missing", "capitalised", "upper", "lower")
            pin, expect = (WRONG_PIN, {"42"}) if valid else (PIN, {"30"})
            pairs = self.replaced(self.topup_pairs(ref, pin), param, new)
            self.add("%s %s" % (param, how), pairs, expect, mutated={param}, ref=None if param == "refID" else ref)

    def values(self, param):
        values = BAD_VALUES if param != "refID" else [v for v in BAD_VALUES if v != "X" * 33]
        expect = {"30", "42"} if param == "password" else {"30"}
        for v in values:
            ref = self.ref()
            pairs = self.replaced(self.topup_pairs(ref), param, [(param, v)])
            self.add("%s=%r" % (param, v), pairs, expect, mutated={param}, ref=None if param == "refID" else ref)

    def qty(self):
        for v in QTY_VALUES:
            ref = self.ref()
            self.add("qty=%r" % v, self.replaced(self.topup_pairs(ref), "qty", [("qty", v)]), {"30"},
                     mutated={"qty"}, ref=ref)
        ref = self.ref()   # "%31" is "1": valid once decoded, so only the wrong pin stops it
        self.add("qty=%31", self.replaced(self.topup_pairs(ref, WRONG_PIN), "qty", [("qty", "%31")]), {"42"}, ref=ref)

    def jenis_and_cek(self):
        for v in JENIS_VALUES:
            ref = self.ref()
            self.add("jenis=%r" % v, self.topup_pairs(ref) + [("jenis", v)], {"30"}, "CEK", ref=ref)
        for pieces, action in [([("jenis", "5"), ("jenis", "6")], "CEK"), ([("jenis", "6"), ("jenis", "6")], "BAYAR"),
                               ([("jenis", "6"), ("jenis", "5")], "BAYAR"), (["jenis"], "CEK")]:
            ref = self.ref()
            self.add("jenis %s" % join(pieces), self.topup_pairs(ref) + pieces, {"30"}, action, ref=ref)
        for v in CEK_VALUES:
            ref = self.ref()
            self.add("cek=%r" % v, self.topup_pairs(ref) + [("cek", v)], {"30"}, "STATUS", ref=ref)
        for pieces in [[("cek", "1"), ("cek", "1")], [("cek", "1"), ("cek", "0")], ["cek"],
                       [("cek", "1"), ("jenis", "9")]]:
            ref = self.ref()
            expect = {"50"} if pieces == [("cek", "1"), ("jenis", "9")] else {"30"}
            self.add("cek %s" % join(pieces), self.topup_pairs(ref) + pieces, expect, "STATUS", ref=ref)
        # Valid once decoded or ignored as unknown names: wrong pin, or a
        # status check of a refID that does not exist.
        ref = self.ref()
        self.add("jenis=%35", self.topup_pairs(ref, WRONG_PIN) + [("jenis", "%35")], {"42"}, "CEK", ref=ref)
        ref = self.ref()
        self.add("JENIS=5", self.topup_pairs(ref, WRONG_PIN) + [("JENIS", "5")], {"42"}, ref=ref)
        ref = self.ref()
        self.add("cek=%31", self.topup_pairs(ref) + [("cek", "%31")], {"50"}, "STATUS", ref=ref)
        ref = self.ref()
        self.add("CEK=1", self.topup_pairs(ref, WRONG_PIN) + [("CEK", "1")], {"42"}, ref=ref)

    def status_pairs(self, ref):
        return [("refID", ref), ("memberID", MEMBER), ("cek", "1"), ("pin", PIN), ("password", PASSWORD)]

    def unknown_parameters(self):
        extras = ["foo=bar", "signature=abc", "sign=x", "callback=http%3A%2F%2Fevil.example", "a%5B%5D=1", "=value",
                  "&&&", "%00=1", "a%0D%0Ab=1", "x=%zz", "%zz=1", "refID2=X", "pinx=1", "memberID%00=EVIL",
                  "__proto__=1", "product%20=T2", "x=" + "Y" * 1500, "&".join("u%d=%d" % (i, i) for i in range(200)),
                  "%3Cscript%3E=1", "x=%3Cscript%3E", "x=1%0D%0ASet-Cookie:%20a=b"]
        for extra in extras:
            ref = self.ref()
            self.add("status + unknown %r" % extra[:40], self.status_pairs(ref) + [extra], {"50"}, "STATUS", ref=ref)
            ref = self.ref()
            self.add("topup + unknown %r" % extra[:40], self.topup_pairs(ref, WRONG_PIN) + [extra], {"42"}, ref=ref)
        # A percent-encoded known name is that name: product twice.
        ref = self.ref()
        self.add("%70roduct repeats product", self.topup_pairs(ref) + ["%70roduct=T2"], {"30"}, mutated={"product"},
                 ref=ref)

    def whole_queries(self):
        for query in ["", "&", "&&&", "=", "==", "&=&", "a", "%", "%%%", "?", "a=" + "b" * 2100,
                      join(self.topup_pairs(self.ref())) + "&x=" + "z" * 2100, ";".join(
                          "%s=%s" % p for p in self.topup_pairs(self.ref()))]:
            self.cases.append(Case("query %r" % query[:40], query, {"30"}, "TRX", PARAMS))

    def balance(self):
        base = [("memberID", MEMBER), ("pin", PIN), ("password", PASSWORD)]
        path = L.BALANCE_PATH
        for name, pairs, expect in [
                ("missing memberID", base[1:], {"30"}), ("missing pin", [base[0], base[2]], {"30"}),
                ("missing password", base[:2], {"30"}), ("repeated memberID", [base[0]] + base, {"30"}),
                ("memberID NUL", [("memberID", MEMBER + "%00")] + base[1:], {"30"}),
                ("memberID SQL", [("memberID", "%27%20OR%201%3D1--")] + base[1:], {"30"}),
                ("pin bad encoding", [base[0], ("pin", "%zz"), base[2]], {"30"}),
                ("wrong pin", [base[0], ("pin", WRONG_PIN), base[2]], {"42"}),
                ("oversized", base + [("x", "y" * 2100)], {"30"}),
                ("unknown parameters", base + ["foo=bar", "%00=1"], {"00"}),
                ("cek ignored", base + [("cek", "1")], {"00"}), ("jenis ignored", base + [("jenis", "7")], {"00"}),
                ("refID ignored", base + [("refID", "%00")], {"00"}), ("empty", [], {"30"}),
                ("memberID CRLF", [("memberID", "A%0D%0AB")] + base[1:], {"30"})]:
            self.add("balance " + name, pairs, expect, "SALDO", ["memberID"], path)

    def nul_refids(self):
        for ref in ("AB%00CD", "AB%00XY", "AB%00", "%00AB"):
            pairs = self.replaced(self.topup_pairs("x"), "refID", [("refID", ref)])
            self.add("refID %s" % ref, pairs, {"30"}, mutated={"refID"})
            self.add("status refID %s" % ref, self.replaced(self.status_pairs("x"), "refID", [("refID", ref)]),
                     {"30"}, "STATUS", mutated={"refID"})


# Only a worker can be sent these: nginx answers 400 for raw control bytes and
# spaces, and the endpoint is nginx's choice.
WORKER_ONLY = [
    ("raw CR/LF in refID", "refID=A\r\nB", L.TOPUP_PATH, "30"),
    ("raw TAB in dest", "dest=08\t11", L.TOPUP_PATH, "30"),
    ("raw control in pin", "pin=12\x0134", L.TOPUP_PATH, "30"),
    ("raw space in product", "product=T 1", L.TOPUP_PATH, "30"),
    ("raw DEL in memberID", "memberID=BAD\x7fIN", L.TOPUP_PATH, "30"),
    ("raw CR/LF in an unknown name", "a\r\nb=1&pin=" + WRONG_PIN, L.TOPUP_PATH, "42"),
    ("endpoint with slash", None, "/V1/http-get/", "30"),
    ("endpoint lower case", None, "/v1/http-get", "30"),
    ("endpoint empty", None, "", "30"),
    ("endpoint balance slash", None, "/V1/http-get/balance/", "30"),
    ("endpoint other", None, "/V1/http-post", "30"),
]


def printable(text):
    return all(0x20 <= ord(c) < 0x7f for c in text)


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.started = time.time()
        # Hundreds of wrong pins on one memberID here: no lockout (test_partner_edge has it).
        cls.loket = Loket(workers=2, auth_max_failures=0)
        cls.loket.ctl("product", "set", PRODUCT, "--price", 2000, "--biller", "sim")
        cls.loket.add_partner(MEMBER, 100000)
        cls.reader = L.ReplyReader(cls.loket)
        cls.cases = Catalogue().build()
        cls.pids_before = L.wait_for_workers(cls.loket, 2)
        cls.hash_before = cls.loket.ledger_hash()
        cls.results = [None] * len(cls.cases)

        def send(i):
            for n in range(i, len(cls.cases), 4):
                case = cls.cases[n]
                cls.results[n] = (L.raw_get(cls.loket.port, case.path, case.query),
                                  L.cgi_fcgi(cls.loket.socket_path, case.query.encode("latin-1"), case.path))

        L.run_threads(4, send)
        cls.worker_only = [(name, rc, L.cgi_fcgi(cls.loket.socket_path, cls.raw_query(q), path))
                           for name, q, path, rc in WORKER_ONLY]
        cls.pids_after = cls.loket.worker_pids()
        cls.hash_after = cls.loket.ledger_hash()

    @staticmethod
    def raw_query(q):
        if q is None:
            return "refID=BI-W&memberID=%s&pin=%s&password=%s" % (MEMBER, PIN, PASSWORD)
        base = {"refID": "BI-W", "memberID": MEMBER, "pin": PIN, "password": PASSWORD, "product": PRODUCT,
                "dest": DEST}
        for piece in q.split("&"):
            base.pop(piece.split("=")[0], None)
        return "&".join("%s=%s" % kv for kv in base.items()) + "&" + q

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()
        print("\nbad input: %d cases, each through nginx and straight to a worker (%d requests), plus %d "
              "worker-only cases; %.1f s" % (len(cls.cases), 2 * len(cls.cases), len(WORKER_ONLY),
                                             time.time() - cls.started))

    def check_reply(self, case, status, reply, where):
        what = "%s via %s: %r" % (case.name, where, reply)
        self.assertEqual(status, 200, what)
        self.assertTrue(printable(reply), what)
        rc = self.reader.rc(reply)
        self.assertIsNotNone(rc, "undefined reply: " + what)
        self.assertIn(rc, case.expect, what)
        self.assertEqual(reply.split(" ", 1)[0].split("=", 1)[0], "saldo" if rc == "00" and case.action == "SALDO"
                         else case.action, what)
        echoed_ref = L.field(reply, "REFID")
        if echoed_ref:
            self.assertNotIn("refID", case.mutated, what)
            self.assertEqual(echoed_ref, case.ref, what)
        pair = re.match(r"^[A-Z]+ ([A-Za-z0-9@]+)\.([A-Za-z0-9@]+) ", reply)
        if pair:
            self.assertEqual(pair.groups(), (PRODUCT, DEST), what)
            self.assertFalse({"product", "dest"} & case.mutated, what)

    def test_catalogue_is_large_enough(self):
        self.assertGreaterEqual(len(self.cases), 300)
        names = [c.name for c in self.cases]
        self.assertEqual(len(names), len(set(names)), "duplicate case names")

    def test_every_reply_is_a_defined_rc_with_nothing_injected(self):
        for case, ((s1, r1), (s2, r2)) in zip(self.cases, self.results):
            with self.subTest(case=case.name):
                self.check_reply(case, s1, r1, "nginx")
                self.check_reply(case, s2, r2, "worker")

    def test_nginx_and_the_worker_answer_alike(self):
        clock = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
        for case, ((_, r1), (_, r2)) in zip(self.cases, self.results):
            self.assertEqual(clock.sub("T", r1), clock.sub("T", r2), case.name)

    def test_worker_only_inputs(self):
        for name, rc, (status, reply) in self.worker_only:
            with self.subTest(case=name):
                self.assertEqual(status, 200, reply)
                self.assertTrue(printable(reply), reply)
                self.assertEqual(self.reader.rc(reply), rc, reply)
                self.assertTrue(reply.startswith("TRX "), reply)
                self.assertIsNone(re.search(r"REFID:\S*B\b", reply), reply)

    def test_no_worker_died(self):
        self.assertEqual(self.pids_after, self.pids_before)

    def test_ledger_is_byte_identical(self):
        self.assertEqual(self.hash_after, self.hash_before)
        self.assertEqual(self.loket.sql("SELECT COUNT(*) FROM transactions"), [(0,)])

    def test_request_log_lines_are_never_split(self):
        for line in self.loket.request_log().splitlines():
            self.assertRegex(line, r"^\S+ \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] action=")

    def test_nul_refids_never_become_one_refid(self):
        # After this test the ledger has rows; the byte-identity proof above
        # was taken before it, in setUpClass.
        client = L.Client(self.loket.port)
        self.assertIn("SUKSES", client.ask(L.topup_query(MEMBER, PRODUCT, DEST, "AB")))
        for ref in ("AB%00CD", "AB%00XY"):
            query = "product=%s&dest=%s&refID=%s&memberID=%s&pin=%s&password=%s" % (PRODUCT, DEST, ref, MEMBER, PIN,
                                                                                    PASSWORD)
            status, reply = client.once((L.TOPUP_PATH, query))
            self.assertEqual((status, reply), (200, "TRX T1.%s GAGAL, FORMAT SALAH: refID." % DEST))
            self.assertEqual(L.cgi_fcgi(self.loket.socket_path, query), (200, reply))
        self.assertEqual(self.loket.sql("SELECT ref_id FROM transactions WHERE member_id = ?", MEMBER), [("AB",)])
        self.assertEqual(self.loket.balance(MEMBER), 98000)


if __name__ == "__main__":
    unittest.main()
