"""Issue 9: orders leave the request path.

A worker claims the refID, holds the price and queues the order in one write,
then waits up to reply.wait_ms for the dispatcher (loket-dispatch), the only
process that talks to billers.  These suites prove, through nginx, real
workers, a real dispatcher and a real ledger:

1. isolation: 64 orders waiting on a 10 s biller hold up nobody else;
2. a dispatcher SIGKILLed three times mid-flight: its supervisor restarts it,
   every order ends final, none reaches the biller twice, money adds up;
3. partner callbacks: delivered at least once through a receiver that is down,
   then failing, with exactly cek=1's text; a hanging receiver delays nobody;
4. two dispatchers on one database under load: no order sent twice.
"""
import csv
import http.server
import io
import itertools
import os
import signal
import socketserver
import subprocess
import threading
import time
import unittest
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from loket import BIN, ROOT, Loket

PRICE = 2000
SLOW = "0811000010"      # the sim answers after 10 s
INSTANT = "0811000000"   # the sim answers at once


def sim_orders(loket):
    """{order id: times received} from the sim's own report (loketctl sim orders --csv)."""
    out = loket.ctl("sim", "orders", "--csv").strip().splitlines()[1:]
    return {line.split(",")[0]: int(line.split(",")[2]) for line in out}


def states(loket, member):
    return dict(loket.sql("SELECT ref_id, status FROM transactions WHERE member_id = ?", member))


class IsolationTest(unittest.TestCase):
    """A slow supplier stalls no other partner."""

    def test_64_slow_orders_hold_up_no_balance_and_no_fast_topup(self):
        with Loket(workers=2, biller_timeout_ms=15000) as loket:
            loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "sim")
            loket.ctl("sim", "set", SLOW, "--result", "success", "--sn", "SLOWSN", "--delay-ms", 10000)
            loket.add_partner("SLOWP", 64 * PRICE)
            for i in range(4):
                loket.add_partner("FAST%d" % i, 100 * PRICE)

            with ThreadPoolExecutor(max_workers=64) as slow_pool:
                slow = [slow_pool.submit(loket.topup, "SLOWP", "T1", SLOW, "S%02d" % i) for i in range(64)]
                # All 64 are with the biller before the others start.
                self.assertTrue(loket.wait_for(lambda: loket.sql(
                    "SELECT COUNT(*) FROM transactions WHERE member_id = 'SLOWP' AND status = 'SENT'")[0][0] == 64,
                    seconds=8))
                started = time.time()
                latencies = []

                def timed(fn, *args):
                    t0 = time.time()
                    reply = fn(*args)
                    latencies.append(time.time() - t0)
                    return reply

                with ThreadPoolExecutor(max_workers=16) as others:
                    balances = [others.submit(timed, loket.saldo, "FAST%d" % (i % 4)) for i in range(200)]
                    topups = [others.submit(timed, loket.topup, "FAST%d" % (i % 4), "T1", INSTANT, "F%03d" % i)
                              for i in range(100)]
                    balance_replies = [f.result() for f in balances]
                    topup_replies = [f.result() for f in topups]
                others_done = time.time()
                # Answered while every slow order was still with the biller.
                still_sent = loket.sql("SELECT COUNT(*) FROM transactions WHERE member_id = 'SLOWP' AND "
                                       "status = 'SENT'")[0][0]
                self.assertEqual(still_sent, 64, "the other partners waited for the slow biller")
                for reply in balance_replies:
                    self.assertTrue(reply.startswith("saldo="), reply)
                for i, reply in enumerate(topup_replies):
                    self.assertEqual(reply, "TRX T1.%s SUKSES, HRG:2000 SN:SIM%s REFID:F%03d." % (
                        INSTANT, reply.split("SN:SIM")[1].split(" ")[0], i))
                latencies.sort()
                print("\nisolation: 300 other requests in %.2f s beside 64 orders at a 10 s biller; "
                      "p50 %.0f ms, p99 %.0f ms, max %.0f ms" % (
                          others_done - started, 1000 * latencies[150], 1000 * latencies[296],
                          1000 * latencies[-1]))
                # "Each answered in well under a second" (issue 9), with room for a busy test machine.
                self.assertEqual(len(latencies), 300)
                self.assertLess(latencies[-1], 2.0, "another partner's request waited beside the slow orders")
                slow_replies = [f.result() for f in slow]
            for i, reply in enumerate(slow_replies):
                self.assertEqual(reply, "TRX T1.%s SEDANG DIPROSES, HRG:2000 REFID:S%02d." % (SLOW, i))
            self.assertTrue(loket.wait_for(lambda: set(states(loket, "SLOWP").values()) == {"SUCCESS"}, seconds=20))
            for i in range(64):
                self.assertEqual(loket.status("SLOWP", "S%02d" % i),
                                 "STATUS T1.%s SUKSES, HRG:2000 SN:SLOWSN REFID:S%02d." % (SLOW, i))
            self.assertEqual(loket.balance("SLOWP"), 0)
            received = sim_orders(loket)
            slow_ids = [str(i) for (i,) in loket.sql("SELECT id FROM transactions WHERE member_id = 'SLOWP'")]
            self.assertEqual(sorted(received[i] for i in slow_ids), [1] * 64)
            self.assertEqual(loket.audit().stdout.strip(), "audit ok")


class DispatcherKilledTest(unittest.TestCase):
    """SIGKILL the dispatcher three times while 64 slow orders are in flight."""

    def test_killed_dispatcher_never_sends_twice_and_every_order_ends(self):
        with Loket(workers=2, biller_timeout_ms=5000, reply_wait_ms=500,
                   dispatcher_recheck_schedule="1,1,2") as loket:
            loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "sim")
            loket.ctl("sim", "set", SLOW, "--result", "success", "--sn", "KILLSN", "--delay-ms", 3000)
            loket.add_partner("KILLP", 64 * PRICE)
            child_pid_file = os.path.join(loket.home, "run", "dispatch.child.pid")

            def dispatcher_pid():
                try:
                    with open(child_pid_file) as f:
                        return int(f.read().strip())
                except (OSError, ValueError):
                    return 0

            replies = {}
            with ThreadPoolExecutor(max_workers=32) as pool:
                futures = {}
                for round_ in range(3):
                    for i in range(round_ * 22, min(64, (round_ + 1) * 22)):
                        ref = "K%02d" % i
                        futures[ref] = pool.submit(loket.topup, "KILLP", "T1", SLOW, ref)
                    time.sleep(1.0)   # orders claimed, some at the sim, none answered yet
                    pid = dispatcher_pid()
                    self.assertGreater(pid, 0)
                    os.kill(pid, signal.SIGKILL)
                    # The supervisor starts a new one.
                    self.assertTrue(loket.wait_for(lambda: dispatcher_pid() not in (0, pid), seconds=10))
                for ref, f in futures.items():
                    replies[ref] = f.result()
            self.assertEqual(len(replies), 64)
            for ref, reply in replies.items():
                self.assertIn(reply, ("TRX T1.%s SEDANG DIPROSES, HRG:2000 REFID:%s." % (SLOW, ref),
                                      "TRX T1.%s SUKSES, HRG:2000 SN:KILLSN REFID:%s." % (SLOW, ref)))
            # Every order ends final: re-checked with the biller, never re-sent.
            self.assertTrue(loket.wait_for(
                lambda: set(states(loket, "KILLP").values()) <= {"SUCCESS", "FAILED"}, seconds=60),
                states(loket, "KILLP"))
            received = sim_orders(loket)
            self.assertTrue(all(times == 1 for times in received.values()), received)
            # The model from the partner's side: status checks say what was charged.
            charged = 0
            ids = dict(loket.sql("SELECT ref_id, id FROM transactions WHERE member_id = 'KILLP'"))
            for ref in replies:
                status = loket.status("KILLP", ref)
                if "SUKSES" in status:
                    charged += PRICE
                    self.assertIn(str(ids[ref]), received, "a success the biller never received")
                else:
                    self.assertIn("GAGAL", status)
                    self.assertNotIn(str(ids[ref]), received, "refunded an order the biller received")
            self.assertEqual(loket.balance("KILLP"), 64 * PRICE - charged)
            self.assertEqual(loket.audit().stdout.strip(), "audit ok")
            print("\nkilled 3 times: %d of 64 delivered, %d never reached the biller (refunded)" % (
                charged // PRICE, 64 - charged // PRICE))


class StoppedDuringACallTest(unittest.TestCase):
    """An operator stops the dispatcher while a biller is still answering."""

    def test_a_stop_that_outlasts_the_lease_ends_at_once_and_the_order_is_asked_about_after(self):
        late = "0811000060"
        with Loket(workers=1, biller_timeout_ms=8000, reply_wait_ms=300, dispatcher_lease_seconds=1,
                   dispatcher_recheck_schedule="1,1,2") as loket:
            loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "sim")
            loket.ctl("sim", "set", late, "--result", "success", "--sn", "LATESN", "--delay-ms", 6000)
            loket.add_partner("STOPP", 10 * PRICE)
            self.assertEqual(loket.topup("STOPP", "T1", late, "S1"),
                             "TRX T1.%s SEDANG DIPROSES, HRG:2000 REFID:S1." % late)
            self.assertTrue(loket.wait_for(lambda: len(sim_orders(loket)) == 1, seconds=10))

            # Told to stop, it waits for the call up to the order's lease (1 s),
            # then ends without tearing down what the call still uses.
            started = time.time()
            loket.stop_dispatcher()
            self.assertLess(time.time() - started, 5)
            with open(os.path.join(loket.home, "log", "dispatch.log")) as f:
                log = f.read()
            self.assertIn("stopped with 1 call(s) still waiting for a biller", log)
            self.assertNotIn("Segmentation", log)
            self.assertEqual(states(loket, "STOPP"), {"S1": "SENT"})

            # The next run asks the biller about it: never sent twice, charged once.
            loket.start_dispatcher()
            self.assertTrue(loket.wait_for(lambda: states(loket, "STOPP") == {"S1": "SUCCESS"}, seconds=30),
                            states(loket, "STOPP"))
            self.assertEqual(list(sim_orders(loket).values()), [1])
            self.assertEqual(loket.balance("STOPP"), 9 * PRICE)
            self.assertIn("SUKSES", loket.status("STOPP", "S1"))
            self.assertEqual(loket.audit().returncode, 0)


class Receiver:
    """A partner's report URL: records every GET; `behaviour(n)` (n = the n-th
    request, from 1) returns an HTTP status, or None to drop the connection,
    or a number of seconds to hang first (as ('hang', s))."""

    def __init__(self, behaviour):
        self.requests = []
        self.behaviour = behaviour
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append((time.time(), self.path))
                action = outer.behaviour(len(outer.requests))
                if isinstance(action, tuple):
                    time.sleep(action[1])
                    action = 200
                self.send_response(action)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d/report?token=partner-own" % self.port
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def queries(self):
        return [dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(p).query, keep_blank_values=True))
                for _, p in self.requests]


class RawReceiver:
    """A partner's report URL that misbehaves below HTTP: `reply(wfile)` writes
    whatever it likes (a dribble, a flood) after reading the request line."""

    def __init__(self, reply):
        self.requests = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                line = self.rfile.readline()
                outer.requests.append((time.time(), line))
                try:
                    reply(self.wfile)
                except OSError:
                    pass   # Loket hung up: what it should do at its deadline or size limit

        class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/report?token=partner-own" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def dribble(wfile):
    """The status line and headers one byte every 0.2 s, never finished."""
    for byte in itertools.cycle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000):
        wfile.write(bytes([byte]))
        wfile.flush()
        time.sleep(0.2)


def flood(wfile):
    """200 OK with a 1 GB body, sent as fast as Loket reads it."""
    wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
    chunk = b"x" * 65536
    for _ in range(1000000000 // len(chunk)):
        wfile.write(chunk)


class CallbackTest(unittest.TestCase):
    """Partners' software waits for the report URL instead of polling."""

    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(workers=2, reply_wait_ms=300, callback_retry_schedule="1,2,3,5",
                          callback_timeout_ms=3000, dispatcher_recheck_schedule="1")
        cls.loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "sim")

    @classmethod
    def tearDownClass(cls):
        cls.loket.close()

    def pending_topup(self, member, dest, ref):
        self.loket.ctl("sim", "set", dest, "--result", "pending")
        self.assertEqual(self.loket.topup(member, "T1", dest, ref),
                         "TRX T1.%s SEDANG DIPROSES, HRG:2000 REFID:%s." % (dest, ref))

    def test_down_then_failing_receiver_gets_every_final_state_once_it_answers(self):
        receiver = Receiver(lambda n: 500 if n <= 2 else 200)
        self.loket.add_partner("CB1", 10 * PRICE)
        self.loket.ctl("partner", "set", "CB1", "--report-url", receiver.url)
        # Down (nothing listens on its port yet) while both transactions end.
        self.pending_topup("CB1", "0812000001", "C1")
        self.pending_topup("CB1", "0812000002", "C2")
        self.loket.ctl("sim", "set", "0812000001", "--result", "success", "--sn", "CBSN1")
        self.loket.ctl("sim", "set", "0812000002", "--result", "failed")
        self.assertTrue(self.loket.wait_for(lambda: set(states(self.loket, "CB1").values()) == {"SUCCESS", "FAILED"},
                                            seconds=15))
        self.assertTrue(self.loket.wait_for(lambda: all(
            int(a) >= 2 for (a,) in self.loket.sql("SELECT attempts FROM callbacks WHERE member_id = 'CB1'")),
            seconds=20))
        self.assertEqual(receiver.requests, [])
        failing = self.loket.ctl("callbacks", "list", "--member", "CB1", "--failed")
        self.assertIn("PENDING", failing)
        self.assertNotIn("partner-own", failing)   # the URL's query is the partner's; not shown
        receiver.start()
        try:
            # 500 twice (retried), then 200 for each.
            self.assertTrue(self.loket.wait_for(lambda: len(receiver.requests) >= 4, seconds=30))
            self.assertTrue(self.loket.wait_for(lambda: self.loket.sql(
                "SELECT COUNT(*) FROM callbacks WHERE member_id = 'CB1' AND status = 'DELIVERED'")[0][0] == 2,
                seconds=30))
        finally:
            receiver.stop()
        delivered = {}
        for q in receiver.queries():
            self.assertEqual(q["token"], "partner-own")   # their URL's own query is kept
            delivered.setdefault(q["refid"], q)
        c1, c2 = delivered["C1"], delivered["C2"]
        self.assertEqual((c1["status"], c1["price"], c1["sn"]), ("20", "2000", "CBSN1"))
        self.assertEqual(c2["status"], "40")
        ids = dict(self.loket.sql("SELECT ref_id, id FROM transactions WHERE member_id = 'CB1'"))
        self.assertEqual(c1["t"], str(ids["C1"]))
        self.assertEqual(c1["message"], self.loket.status("CB1", "C1"))
        self.assertEqual(c2["message"], self.loket.status("CB1", "C2"))
        self.assertEqual(c1["message"], "STATUS T1.0812000001 SUKSES, HRG:2000 SN:CBSN1 REFID:C1.")
        self.assertIn("DELIVERED", self.loket.ctl("callbacks", "list", "--member", "CB1"))

    def test_a_hanging_receiver_delays_no_other_partners_callback(self):
        hanging = Receiver(lambda n: ("hang", 60))
        quick = Receiver(lambda n: 200)
        hanging.start()
        quick.start()
        try:
            self.loket.add_partner("HANG", 10 * PRICE)
            self.loket.add_partner("QUICK", 10 * PRICE)
            self.loket.ctl("partner", "set", "HANG", "--report-url", hanging.url)
            self.loket.ctl("partner", "set", "QUICK", "--report-url", quick.url)
            for i in range(3):
                self.pending_topup("HANG", "08130000%02d" % i, "H%d" % i)
            self.pending_topup("QUICK", "0813999999", "Q1")
            for i in range(3):
                self.loket.ctl("sim", "set", "08130000%02d" % i, "--result", "success")
            self.assertTrue(self.loket.wait_for(lambda: len(hanging.requests) >= 1, seconds=15))
            self.loket.ctl("sim", "set", "0813999999", "--result", "success")
            # Delivered while the hanging receiver still holds its connections.
            self.assertTrue(self.loket.wait_for(lambda: len(quick.requests) == 1, seconds=10))
            self.assertLess(quick.requests[0][0], hanging.requests[0][0] + 60)
            self.assertEqual(quick.queries()[0]["refid"], "Q1")
        finally:
            quick.stop()
            hanging.stop()

    def test_a_dribbling_or_flooding_receiver_holds_nothing_past_the_callback_timeout(self):
        dribbling, flooding, quick = RawReceiver(dribble), RawReceiver(flood), Receiver(lambda n: 200)
        quick.start()
        try:
            for member, receiver in (("DRIB", dribbling), ("FLOOD", flooding), ("CALM", quick)):
                self.loket.add_partner(member, 10 * PRICE)
                self.loket.ctl("partner", "set", member, "--report-url", receiver.url)
            self.pending_topup("DRIB", "0816100001", "D1")
            self.pending_topup("FLOOD", "0816200001", "F1")
            for dest in ("0816100001", "0816200001"):
                self.loket.ctl("sim", "set", dest, "--result", "success")
            self.assertTrue(self.loket.wait_for(lambda: dribbling.requests and flooding.requests, seconds=15))
            # A 200 status line is the receiver's answer: the flood after it is not read.
            self.assertTrue(self.loket.wait_for(lambda: self.loket.sql(
                "SELECT status FROM callbacks WHERE member_id = 'FLOOD'") == [("DELIVERED",)], seconds=10))
            # The dribble is cut at callback.timeout_ms (3 s) and tried again, never held.
            self.assertTrue(self.loket.wait_for(lambda: self.loket.sql(
                "SELECT attempts FROM callbacks WHERE member_id = 'DRIB'")[0][0] >= 2, seconds=15))
            error = self.loket.sql("SELECT last_error FROM callbacks WHERE member_id = 'DRIB'")[0][0]
            self.assertIn("timed out", error)
            self.assertNotIn("partner-own", error)
            # Meanwhile orders and other partners' callbacks go on as usual.
            self.loket.ctl("sim", "set", "0816300001", "--result", "success")
            self.assertIn("SUKSES", self.loket.topup("CALM", "T1", "0816300001", "Q1"))
            self.pending_topup("CALM", "0816300002", "Q2")
            self.loket.ctl("sim", "set", "0816300002", "--result", "success")
            self.assertTrue(self.loket.wait_for(lambda: len(quick.requests) == 1, seconds=10))
            self.assertEqual(quick.queries()[0]["refid"], "Q2")
            self.assertEqual(self.loket.audit().stdout.strip(), "audit ok")
        finally:
            quick.stop()
            dribbling.stop()
            flooding.stop()

    def test_an_operator_settles_a_stuck_pending_by_hand_and_the_partner_hears_it(self):
        receiver = Receiver(lambda n: 200)
        receiver.start()
        try:
            self.loket.add_partner("OPS1", 10 * PRICE)
            self.loket.ctl("partner", "set", "OPS1", "--report-url", receiver.url)
            self.pending_topup("OPS1", "0815000001", "S1")
            self.pending_topup("OPS1", "0815000002", "S2")
            self.assertTrue(self.loket.wait_for(
                lambda: set(states(self.loket, "OPS1").values()) == {"PENDING"}, seconds=15))
            # Checked with the supplier by phone: S1 failed, S2 was delivered.
            self.loket.ctl("trx", "settle", "OPS1", "S1", "--failed", "--note", "dicek ke supplier", "--by", "budi")
            self.loket.ctl("trx", "settle", "OPS1", "S2", "--success", "--sn", "SN-MANUAL")
            self.assertEqual(self.loket.status("OPS1", "S1"), "STATUS T1.0815000001 GAGAL, dicek ke supplier. REFID:S1.")
            self.assertEqual(self.loket.status("OPS1", "S2"),
                             "STATUS T1.0815000002 SUKSES, HRG:2000 SN:SN-MANUAL REFID:S2.")
            self.assertEqual(self.loket.balance("OPS1"), 9 * PRICE)   # S1 refunded once, S2 kept
            journal = self.loket.ctl("mutations", "OPS1")
            self.assertIn("dicek ke supplier", journal)
            self.assertIn("budi", journal)
            # Settled already: a second hand settlement is refused and moves nothing.
            r = self.loket.ctl("trx", "settle", "OPS1", "S1", "--success", "--sn", "X", check=False)
            self.assertEqual(r.returncode, 1)
            self.assertEqual(self.loket.balance("OPS1"), 9 * PRICE)
            self.assertTrue(self.loket.wait_for(lambda: len(receiver.requests) >= 2, seconds=15))
            got = {q["refid"]: q for q in receiver.queries()}
            self.assertEqual((got["S1"]["status"], got["S2"]["status"], got["S2"]["sn"]), ("40", "20", "SN-MANUAL"))
            self.assertEqual(got["S1"]["message"], self.loket.status("OPS1", "S1"))
            self.assertIn("attempt: operator", self.loket.ctl("trx", "show", "OPS1", "S1"))
            self.assertEqual(self.loket.audit().stdout.strip(), "audit ok")
        finally:
            receiver.stop()

    def test_an_operator_retries_a_given_up_callback_and_the_partner_gets_it(self):
        # Its own instance: a failure whose next wait (2 h) would end past
        # callback.max_age_hours (1 h) gives the callback up (FAILED), and nothing
        # sends it again unless the operator does.
        answer = {"status": 500}
        receiver = Receiver(lambda n: answer["status"])
        receiver.start()
        try:
            with Loket(workers=1, reply_wait_ms=300, callback_retry_schedule="1,7200", callback_max_age_hours=1,
                       dispatcher_recheck_schedule="1") as loket:
                loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "sim")
                loket.add_partner("RETRY", 10 * PRICE)
                loket.ctl("partner", "set", "RETRY", "--report-url", receiver.url)
                loket.ctl("sim", "set", "0817000001", "--result", "pending")
                self.assertEqual(loket.topup("RETRY", "T1", "0817000001", "R1"),
                                 "TRX T1.0817000001 SEDANG DIPROSES, HRG:2000 REFID:R1.")
                loket.ctl("sim", "set", "0817000001", "--result", "success", "--sn", "RETRYSN")

                def callbacks(*flags):
                    out = loket.ctl("callbacks", "list", "--member", "RETRY", "--csv", *flags)
                    return list(csv.DictReader(io.StringIO(out)))

                # The receiver answers 500: tried again after the schedule's first
                # wait (1 s); the next wait (2 h) would end past the age limit: given up.
                self.assertTrue(loket.wait_for(lambda: [c["status"] for c in callbacks("--failed")] == ["FAILED"],
                                               seconds=20))
                given_up = callbacks("--failed")[0]
                tried = len(receiver.requests)
                self.assertEqual(tried, 2)
                self.assertEqual(given_up["attempts"], "2")
                self.assertIn("500", given_up["last error"])
                time.sleep(2)
                self.assertEqual(len(receiver.requests), tried)   # a given-up callback stays given up

                # The partner says its receiver works again: the operator sends it once more.
                answer["status"] = 200
                self.assertEqual(loket.ctl("callbacks", "retry", given_up["id"]),
                                 "callback %s queued for delivery\n" % given_up["id"])
                self.assertTrue(loket.wait_for(lambda: len(receiver.requests) == tried + 1, seconds=10))
                got = receiver.queries()[-1]
                self.assertEqual((got["refid"], got["status"], got["price"], got["sn"]), ("R1", "20", "2000", "RETRYSN"))
                self.assertEqual(got["message"], loket.status("RETRY", "R1"))
                self.assertEqual(got["message"], "STATUS T1.0817000001 SUKSES, HRG:2000 SN:RETRYSN REFID:R1.")
                self.assertTrue(loket.wait_for(lambda: callbacks("--failed") == [], seconds=10))
                self.assertEqual([(c["id"], c["status"], c["attempts"]) for c in callbacks()],
                                 [(given_up["id"], "DELIVERED", str(tried + 1))])

                # Delivered: a second retry is refused and sends nothing.
                again = loket.ctl("callbacks", "retry", given_up["id"], check=False)
                self.assertEqual(again.returncode, 1)
                self.assertEqual(again.stderr, "no callback %s to retry (unknown, or already delivered)\n"
                                 % given_up["id"])
                self.assertEqual(callbacks()[0]["status"], "DELIVERED")
                self.assertEqual(loket.audit().stdout.strip(), "audit ok")
                self.assertEqual(len(receiver.requests), tried + 1)
        finally:
            receiver.stop()

    def test_retrying_an_unknown_callback_is_refused(self):
        known = [int(i) for (i,) in self.loket.sql("SELECT id FROM callbacks")]
        unknown = max(known, default=0) + 1000
        r = self.loket.ctl("callbacks", "retry", unknown, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr, "no callback %d to retry (unknown, or already delivered)\n" % unknown)
        self.assertEqual(self.loket.sql("SELECT COUNT(*) FROM callbacks WHERE id = ?", unknown), [(0,)])
        r = self.loket.ctl("callbacks", "retry", "abc", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ID", r.stderr)

    def test_report_url_must_be_http_and_can_be_removed(self):
        self.loket.add_partner("URLP")
        r = self.loket.ctl("partner", "set", "URLP", "--report-url", "ftp://example.com/x", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("http", r.stderr)
        self.loket.ctl("partner", "set", "URLP", "--report-url", "https://example.com/r?k=1")
        self.assertEqual(self.loket.sql("SELECT report_url FROM partners WHERE member_id = 'URLP'"),
                         [("https://example.com/r?k=1",)])
        self.loket.ctl("partner", "set", "URLP", "--report-url", "")
        self.assertEqual(self.loket.sql("SELECT report_url FROM partners WHERE member_id = 'URLP'"), [("",)])

    def test_a_long_report_url_is_stored_whole_on_every_backend(self):
        # psqlODBC describes text parameters as at most 255 bytes unless told
        # otherwise; a 350-byte report URL (an ordinary signed callback URL)
        # must still be stored whole.
        self.loket.add_partner("LONGURL")
        url = "https://partner.example.com/callback/loket?token=" + "a1b2c3d4" * 38
        self.assertGreater(len(url), 300)
        self.loket.ctl("partner", "set", "LONGURL", "--report-url", url)
        self.assertEqual(self.loket.sql("SELECT report_url FROM partners WHERE member_id = 'LONGURL'"), [(url,)])


class ProductionSafetyTest(unittest.TestCase):
    """The sim serves only where the config enables it; a product names its biller."""

    def test_a_product_on_a_disabled_or_unknown_biller_is_refused_and_debits_nothing(self):
        with Loket(workers=1, keys={"biller.sim.enabled": "false"}) as loket:
            r = loket.ctl("product", "set", "T1", "--price", PRICE, check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("--biller", r.stderr)
            r = loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "nosuch", check=False)
            self.assertNotEqual(r.returncode, 0)
            loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "sim")
            loket.add_partner("SAFE", 10 * PRICE)
            self.assertEqual(loket.topup("SAFE", "T1", INSTANT, "Z1"),
                             "TRX T1.%s GAGAL, PRODUK SEDANG GANGGUAN. REFID:Z1." % INSTANT)
            self.assertEqual(loket.balance("SAFE"), 10 * PRICE)
            self.assertEqual(sim_orders(loket), {})


class SaldoInEveryTemplateTest(unittest.TestCase):
    """[saldo] in a purchase or status template is the partner's balance after the request."""

    def test_a_topup_template_can_show_the_balance_after_it(self):
        with Loket(workers=1, reply_wait_ms=1000) as loket:
            loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "sim")
            loket.add_partner("SALDOP", 10 * PRICE)
            loket.ctl("rc", "set", "00", "TRX", "TRX [kodeproduk].[tujuan] SUKSES, HRG:[harga] SN:[sn] SALDO:[saldo] "
                                                "REFID:[refid].")
            loket.ctl("rc", "set", "00", "STATUS", "STATUS [kodeproduk].[tujuan] SUKSES, HRG:[harga] SN:[sn] "
                                                   "SALDO:[saldo] REFID:[refid].")
            r = subprocess.run([os.path.join(ROOT, "scripts", "reload-templates")], env=loket.env,
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(loket.topup("SALDOP", "T1", "0816000001", "SD1"),
                             r"^TRX T1\.0816000001 SUKSES, HRG:2000 SN:SIM\d+ SALDO:18000 REFID:SD1\.$")
            loket.topup("SALDOP", "T1", "0816000001", "SD2")
            self.assertIn("SALDO:16000 REFID:SD1.", loket.status("SALDOP", "SD1"))


class HealthTest(unittest.TestCase):
    """GET /loket/health, as a monitoring system on the host asks it."""

    def test_health_is_ok_while_everything_runs_and_names_the_dispatcher_when_it_is_down(self):
        with Loket(workers=1) as loket:
            status, body = loket.get_raw("", path="/loket/health")
            self.assertEqual(status, 200, body)
            self.assertTrue(body.startswith("OK\n"), body)
            self.assertIn("pending orders: 0", body)
            loket.stop_dispatcher()
            status, body = loket.get_raw("", path="/loket/health")
            self.assertEqual(status, 503)
            self.assertTrue(body.startswith("FAIL dispatcher-down"), body)
            loket.start_dispatcher()
            self.assertTrue(loket.wait_for(lambda: loket.get_raw("", path="/loket/health")[0] == 200, 10))


class TwoDispatchersTest(unittest.TestCase):
    """Two dispatchers (as on two hosts) share one database: each order has one owner."""

    def test_two_dispatchers_under_load_never_send_an_order_twice(self):
        # Each host's workers ring their own dispatcher; the other one finds
        # work on its poll.  With 8 orders in flight per dispatcher at a 150 ms
        # biller, 400 orders queue up for long enough that both must take some.
        with Loket(workers=2, biller_timeout_ms=5000, keys={"biller.sim.max_in_flight": 8}) as loket:
            loket.ctl("product", "set", "T1", "--price", PRICE, "--biller", "sim")
            loket.ctl("sim", "set", "0814000000", "--result", "success", "--delay-ms", 150)
            with open(os.path.join(loket.home, "loket.properties")) as f:
                config = f.read()
            second = os.path.join(loket.home, "second.properties")
            with open(second, "w") as f:
                f.write(config + "\ndispatcher.id = second-host\ndispatcher.socket = run/dispatch2.sock\n")
            other = subprocess.Popen([os.path.join(BIN, "loket-dispatch"), "--config", second],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                members = ["TWO%d" % i for i in range(8)]
                for m in members:
                    loket.add_partner(m, 100 * PRICE)
                owners = set()
                stop = threading.Event()

                def watch():
                    while not stop.is_set():
                        for (owner,) in loket.sql("SELECT DISTINCT lease_owner FROM transactions "
                                                  "WHERE status = 'SENT'"):
                            owners.add(owner)
                        time.sleep(0.05)

                watcher = threading.Thread(target=watch)
                watcher.start()
                with ThreadPoolExecutor(max_workers=24) as pool:
                    replies = list(pool.map(lambda i: loket.topup(members[i % 8], "T1", "0814000000", "W%03d" % i),
                                            range(400)))
                self.assertTrue(loket.wait_for(lambda: loket.sql(
                    "SELECT COUNT(*) FROM transactions WHERE status IN ('QUEUED', 'SENT', 'PENDING')")[0][0] == 0,
                    seconds=30))
                stop.set()
                watcher.join()
            finally:
                other.send_signal(signal.SIGTERM)
                other.wait(timeout=30)
            received = sim_orders(loket)
            self.assertEqual(len(received), 400)
            self.assertEqual(set(received.values()), {1})
            self.assertEqual(loket.sql("SELECT status, COUNT(*) FROM transactions GROUP BY status"), [("SUCCESS", 400)])
            self.assertTrue({"second-host"} < owners, owners)   # both dispatchers took orders
            self.assertEqual(sum(1 for r in replies if "SUKSES" in r or "SEDANG DIPROSES" in r), 400)
            self.assertEqual(loket.audit().stdout.strip(), "audit ok")


if __name__ == "__main__":
    unittest.main()
