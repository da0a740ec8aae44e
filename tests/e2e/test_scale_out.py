"""Issue 6: the scale-out topology on one machine.  nginx forwards to two
worker pools on different loopback TCP ports (FastCGI over TCP, peers
restricted by FCGI_WEB_SERVER_ADDRS to nginx's address), both against the same
ledger — one PostgreSQL database in e2e_scale_out_pg — under the concurrency
load of the ledger proof.  Afterwards the ledger is exactly what the replies
said, both pools served, and a pool that does not list the caller refuses it.
"""
import os
import re
import subprocess
import time
import unittest

from loket import Loket, ROOT, BIN, free_port
import ledger_load as L

CLIENTS = 32
REQUESTS = 5000
PRICES = {"T1": 2000, "T5": 5500}
OWN_DEPOSIT = 2000000
HOT, HOT_DEPOSIT = "HOT", 100 * 2000
SHARED, SHARED_DEPOSIT = "SHARED", 5000000
SUCCESS_DESTS = ["08110000%02d" % i for i in range(8)]
SLOW_DEST, FAILED_DEST = "0812000001", "0899000001"
LATE_SUCCESS, LATE_FAILED = "0877000001", "0877000002"


def start_tcp_pool(loket, port, allowed, workers=2):
    """A supervised pool on 127.0.0.1:port that accepts FastCGI only from `allowed`."""
    env = dict(os.environ, FCGI_WEB_SERVER_ADDRS=allowed)
    return subprocess.Popen(
        ["setsid", "spawn-fcgi", "-n", "-a", "127.0.0.1", "-p", str(port), "--", "/usr/bin/multiwatch", "-f",
         str(workers), "--", os.path.join(BIN, "loket-fcgi"), "--config", os.path.join(loket.home, "loket.properties")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def answers(address):
    status, body = L.cgi_fcgi(address, "", uri=L.BALANCE_PATH, timeout=5)
    return status == 200 and "GAGAL" in body


def cpu_ticks(pool):
    """CPU time its workers have used: tells whether a pool served requests."""
    ticks = 0
    for pid in subprocess.run(["pgrep", "-P", str(pool.pid)], capture_output=True, text=True).stdout.split():
        with open("/proc/%s/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks


class ScaleOutTest(L.LedgerProof, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.loket = Loket(workers=2)
        cls.pools = []
        try:
            cls.setUp_topology()
            cls.run_load()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def setUp_topology(cls):
        loket = cls.loket
        cls.ports = [free_port(), free_port()]
        cls.pools = [start_tcp_pool(loket, p, "127.0.0.1") for p in cls.ports]
        cls.refusing_port = free_port()
        cls.pools.append(start_tcp_pool(loket, cls.refusing_port, "10.9.9.9", workers=1))
        for port in cls.ports:
            assert loket.wait_for(lambda: answers("127.0.0.1:%d" % port), 15), port
        # Point nginx's upstream at the two TCP pools (the shipped snippet with
        # its server line replaced, as docs/postgresql.md shows), reload, and stop
        # the unix-socket pool so every request crosses TCP.
        conf = os.path.join(loket.home, "nginx", "conf", "loket-http.conf")
        with open(conf) as f:
            text = f.read()
        servers = "\n    ".join("server 127.0.0.1:%d;" % p for p in cls.ports)
        text, n = re.subn(r"server unix:[^;]+;", servers, text)
        assert n == 1, text
        with open(conf, "w") as f:
            f.write(text)
        subprocess.run(["bash", "-c", '. "%s/scripts/lib.sh" && loket_nginx "$1" -s reload' % ROOT, "-",
                        loket.home], check=True)
        with open(os.path.join(loket.home, "run", "pool.pid")) as f:
            unix_pool = int(f.read())
        subprocess.run(["kill", "-TERM", str(unix_pool)], check=True)
        time.sleep(1.0)   # nginx's old workers finish; the new ones use the TCP pools

    @classmethod
    def run_load(cls):
        ctl = cls.loket.ctl
        for code, price in PRICES.items():
            ctl("product", "set", code, "--price", price, "--biller", "sim")
        ctl("sim", "set", SLOW_DEST, "--result", "success", "--sn", "SLOW", "--delay-ms", 30)
        ctl("sim", "set", FAILED_DEST, "--result", "failed")
        for dest in (LATE_SUCCESS, LATE_FAILED):
            ctl("sim", "set", dest, "--result", "pending")
        cls.model = L.Model(L.ReplyReader(cls.loket))
        members = ["OWN%02d" % i for i in range(CLIENTS)]
        L.fund_partners(cls.loket, cls.model, dict({m: OWN_DEPOSIT for m in members}, **{HOT: HOT_DEPOSIT,
                                                                                     SHARED: SHARED_DEPOSIT}))
        cls.ticks_before = [cpu_ticks(p) for p in cls.pools[:2]]
        cls.load = L.Load(cls.model, cls.loket.port, L.seeded("scale out"), members, PRICES, SUCCESS_DESTS,
                          SLOW_DEST, FAILED_DEST, [LATE_SUCCESS, LATE_FAILED], hot=HOT, shared=SHARED)
        started = time.time()
        cls.load.run(REQUESTS // CLIENTS)
        cls.seconds = time.time() - started
        cls.ticks_after = [cpu_ticks(p) for p in cls.pools[:2]]
        ctl("sim", "set", LATE_SUCCESS, "--result", "success", "--sn", "LATE")
        ctl("sim", "set", LATE_FAILED, "--result", "failed")
        cls.loket.reconcile()   # the dispatcher asks the biller about every pending order
        cls.load.sweep()

    @classmethod
    def tearDownClass(cls):
        for pool in cls.pools:
            subprocess.run(["kill", "-TERM", str(pool.pid)], check=False)
        for pool in cls.pools:
            try:
                pool.wait(10)
            except subprocess.TimeoutExpired:
                pool.kill()
        cls.loket.close()
        if hasattr(cls, "load"):
            print("\nscale out (%s): %d requests by %d clients over 2 TCP pools in %.1f s" % (
                cls.loket.backend, cls.load.sent, CLIENTS, cls.seconds))

    def test_enough_load_crossed_both_pools(self):
        self.assertGreaterEqual(self.load.sent, REQUESTS - CLIENTS)
        for before, after in zip(self.ticks_before, self.ticks_after):
            self.assertGreater(after, before)

    def test_a_pool_refuses_peers_not_in_fcgi_web_server_addrs(self):
        self.assertFalse(answers("127.0.0.1:%d" % self.refusing_port))
        self.assertTrue(answers("127.0.0.1:%d" % self.ports[0]))

    def test_model_agrees_with_every_balance(self):
        for member in self.load.members + [HOT, SHARED]:
            self.assertEqual(self.loket.balance(member), self.model.expected_balance(member), member)

    def test_hot_partner_ran_out_without_overdraft(self):
        self.assertEqual(self.loket.balance(HOT), 0)

    def test_no_duplicate_is_charged(self):
        self.assertEqual(L.double_holds(self.loket), [])

    def test_ledger_holds_exactly_what_the_replies_said(self):
        L.check_ledger_against_model(self, self.loket, self.model)


if __name__ == "__main__":
    unittest.main()
