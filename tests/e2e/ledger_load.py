"""Helpers shared by the ledger proof suites (issue 4): a partner client that
survives lost replies, simultaneous bursts, a reply reader that knows every
defined RC from the response_codes table, a reply-only model of what each
partner's balance must be, and the ledger checks every suite ends with.

Nothing here looks at the ledger to decide what a reply meant: the model is
built from replies alone and only then compared with the database.
"""
import errno
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse

from loket import Loket, PIN, PASSWORD, process_gone

BALANCE_PATH = "/V1/http-get/balance"
TOPUP_PATH = "/V1/http-get"

# The RCs that say where a topup stands.  Every other RC says nothing about
# the transaction (11: another request owns the refID, 50: not there yet,
# 99: nothing was written, retry; 20/30/42/...: refused before the ledger).
STATE_RCS = {"00": "SUKSES", "68": "PENDING", "17": "GAGAL", "40": "GAGAL", "47": "GAGAL"}


# -- replies ---------------------------------------------------------------

# What a placeholder may expand to in a reply.  Only validated values may be
# echoed, so these are the parameter rules (plus what the ledger itself
# writes); a reply that carries anything else does not match any template.
PLACEHOLDER_PATTERNS = {
    "kodeproduk": r"[A-Za-z0-9]{1,20}(?:@[A-Za-z0-9]{1,15})?",
    "tujuan": r"[A-Za-z0-9]{1,32}(?:@[A-Za-z0-9]{1,15})?",
    "refid": r"[A-Za-z0-9_-]{0,64}",
    "harga": r"\d+",
    "sn": r"[A-Za-z0-9]*",
    "saldo": r"\d+",
    "waktu": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
    "keterangan": r"[A-Za-z0-9 ]*",
    "trxid": r"\d+",
    "qty": r"\d+",
    "nama": r"[A-Za-z0-9 .,'/-]*",
    "tagihan": r"\d+",
    "admin": r"\d+",
    "periode": r"[A-Za-z0-9 ./-]*",
}
PAIR = "[kodeproduk].[tujuan]"


class ReplyReader:
    """Tells which RC a reply text is, from the templates in the ledger.

    A reply is "defined" when it matches one template of its action in full,
    with every placeholder holding a validated value.  When several templates
    match (RC 40's "[keterangan]" matches almost any failure text), the one
    with the most literal text wins."""

    def __init__(self, loket):
        self.templates = []   # (literal length, rc, action, compiled regex)
        for rc, action, text in loket.sql("SELECT rc, action, text FROM response_codes"):
            self.templates.append((self._literal_length(text), rc_text(rc), action, self._compile(text)))
        # Templates::render's own text when no template could be read (the
        # ledger unreadable since the worker started): RC 99 of every action.
        for word in ("TRX", "CEK", "BAYAR", "STATUS", "SALDO"):
            text = word + " GAGAL, SISTEM SIBUK, SILAKAN ULANGI."
            self.templates.append((0, "99", word, re.compile(re.escape(text))))
        self.templates.sort(key=lambda t: -t[0])

    @staticmethod
    def _literal_length(text):
        return len(re.sub(r"\[[a-z]+\]", "", text))

    @staticmethod
    def _compile(text):
        out = ""
        i = 0
        while i < len(text):
            if text.startswith(PAIR, i):
                space = text.startswith(PAIR + " ", i)
                out += "(?:%s\\.%s%s)?" % (PLACEHOLDER_PATTERNS["kodeproduk"], PLACEHOLDER_PATTERNS["tujuan"],
                                          " " if space else "")
                i += len(PAIR) + (1 if space else 0)
                continue
            m = re.match(r"\[([a-z]+)\]", text[i:])
            if m and m.group(1) in PLACEHOLDER_PATTERNS:
                out += "(?:%s)" % PLACEHOLDER_PATTERNS[m.group(1)]
                i += len(m.group(0))
                continue
            out += re.escape(text[i])
            i += 1
        return re.compile(out)

    def rc(self, text, action=None):
        """The RC of `text`, or None when it matches no template."""
        for _, rc, act, regex in self.templates:
            if (action is None or act == action) and regex.fullmatch(text):
                return rc
        return None


def rc_text(rc):
    """An RC as the ledger stores it ("00"): loket.sql on PostgreSQL reads
    digit-only text back as a number."""
    return str(rc).zfill(2)


def field(text, name):
    """The value after NAME: in a reply (HRG, SN, REFID), or None."""
    m = re.search(r"\b%s:([A-Za-z0-9_-]*)" % name, text)
    return m.group(1) if m else None


def saldo_of(text):
    m = re.match(r"saldo=(\d+)  @ ", text)
    return int(m.group(1)) if m else None


# -- requests --------------------------------------------------------------

def topup_query(member, product, dest, ref, qty=None, pin=PIN, password=PASSWORD):
    q = [("product", product), ("dest", dest), ("refID", ref), ("memberID", member)]
    if qty is not None:
        q.append(("qty", qty))
    q += [("pin", pin), ("password", password)]
    return TOPUP_PATH, urllib.parse.urlencode(q)


def status_query(member, ref, pin=PIN, password=PASSWORD):
    return TOPUP_PATH, urllib.parse.urlencode(
        [("refID", ref), ("memberID", member), ("cek", 1), ("pin", pin), ("password", password)])


def saldo_query(member, pin=PIN, password=PASSWORD):
    return BALANCE_PATH, urllib.parse.urlencode([("memberID", member), ("pin", pin), ("password", password)])


class Client:
    """One partner connection to nginx.  Lost replies (a connection error or a
    non-200 answer, e.g. nginx's 502 when a worker dies) and RC 99 are retried
    with the same request, as a partner is told to; the request keeps its refID."""

    def __init__(self, port, timeout=30):
        self.port = port
        self.timeout = timeout
        self.sent = 0
        self.lost = 0
        self.busy = 0
        self._lock = threading.Lock()

    def _count(self, what):
        with self._lock:
            setattr(self, what, getattr(self, what) + 1)

    def _open(self, path, query):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        conn.putrequest("GET", path + "?" + query, skip_accept_encoding=True)
        conn.endheaders()
        self._count("sent")
        return conn

    @staticmethod
    def _finish(conn):
        try:
            resp = conn.getresponse()
            return resp.status, resp.read().decode("latin-1")
        except (OSError, http.client.HTTPException) as e:
            return None, repr(e)
        finally:
            conn.close()

    def once(self, request):
        """(HTTP status or None, body or error text) of one attempt."""
        try:
            conn = self._open(*request)
        except (OSError, http.client.HTTPException) as e:
            return None, repr(e)
        return self._finish(conn)

    def burst(self, requests):
        """Sends every request before reading any reply, each on its own
        connection, so nginx hands them to different workers at once."""
        conns = []
        for r in requests:
            try:
                conns.append(self._open(*r))
            except (OSError, http.client.HTTPException) as e:
                conns.append(e)
        return [(None, repr(c)) if isinstance(c, Exception) else self._finish(c) for c in conns]

    def lost_reply(self, status, body, retry_busy=True):
        if status != 200:
            self._count("lost")
            return True
        if retry_busy and "SISTEM SIBUK" in body:
            self._count("busy")
            return True
        return False

    def ask(self, request, attempts=400, pause=0.025, retry_busy=True):
        """The first real reply to `request`, retrying lost ones.  Returns the
        body, or raises AssertionError when no reply ever came."""
        status, body = None, ""
        for _ in range(attempts):
            status, body = self.once(request)
            if not self.lost_reply(status, body, retry_busy):
                return body
            time.sleep(pause)
        raise AssertionError("no reply to %s after %d attempts: %s %s" % (request, attempts, status, body))

    def settle_burst(self, requests, **kw):
        """A burst, then every copy whose reply was lost asked again until answered."""
        out = []
        for request, (status, body) in zip(requests, self.burst(requests)):
            out.append(self.ask(request, **kw) if self.lost_reply(status, body) else body)
        return out


# -- the reply-only model --------------------------------------------------

class RefModel:
    """What the replies said about one (member, refID)."""

    def __init__(self, member, ref):
        self.member = member
        self.ref = ref
        self.params = None       # (product, dest, qty) the transaction holds, from its replies
        self.price = None        # HRG of a SUKSES/PENDING reply
        self.history = []        # every state reply: SUKSES, PENDING or GAGAL
        self.terminal = None     # SUKSES or GAGAL, once a reply said so
        self.terminal_at = None  # when that reply arrived (time.monotonic())
        self.sn = None

    @property
    def state(self):
        """A definite answer outranks PENDING: replies to requests that were in
        flight together may arrive in any order."""
        if self.terminal:
            return self.terminal
        return "PENDING" if self.history else None

    @property
    def debited(self):
        return self.state in ("SUKSES", "PENDING")


class Model:
    """Balances built from replies alone: deposit minus the price of every
    refID the replies left at SUKSES or SEDANG DIPROSES.  Also collects every
    reply that contradicts another (two prices, SUKSES and GAGAL, ...)."""

    def __init__(self, reader):
        self.reader = reader
        self.deposits = {}
        self.refs = {}
        self.violations = []
        self.rcs = {}
        self._lock = threading.Lock()

    def deposit(self, member, amount):
        self.deposits[member] = self.deposits.get(member, 0) + amount

    def ref(self, member, ref):
        with self._lock:
            key = (member, ref)
            if key not in self.refs:
                self.refs[key] = RefModel(member, ref)
            return self.refs[key]

    def violation(self, text):
        with self._lock:
            self.violations.append(text)

    def record(self, member, ref, params, reply, action, sent_at):
        """Learns from one reply to a topup (params given) or status check
        (params None) whose request was sent at `sent_at` (time.monotonic())."""
        rc = self.reader.rc(reply, action)
        with self._lock:
            self.rcs[rc] = self.rcs.get(rc, 0) + 1
        if rc is None:
            self.violation("undefined reply %r to %s/%s" % (reply, member, ref))
            return None
        state = STATE_RCS.get(rc)
        if state is None:
            return rc
        m = self.ref(member, ref)
        with self._lock:
            self._learn(m, params, reply, state, sent_at)
        return rc

    def _learn(self, m, params, reply, state, sent_at):
        name = "%s/%s" % (m.member, m.ref)
        if field(reply, "REFID") != m.ref:
            self.violations.append("reply for %s names another refID: %r" % (name, reply))
        if state != "GAGAL":
            price = int(field(reply, "HRG"))
            if m.price is not None and m.price != price:
                self.violations.append("%s answered two prices: %r" % (name, reply))
            m.price = price
        if state == "SUKSES":
            sn = field(reply, "SN")
            if m.sn is not None and sn != m.sn:
                self.violations.append("%s answered two serial numbers" % name)
            m.sn = sn
        if params is not None:
            if m.params is not None and m.params != params:
                self.violations.append("%s answered for two different requests" % name)
            m.params = params
        if state == "PENDING" and m.terminal and sent_at > m.terminal_at:
            self.violations.append("%s answered PENDING after %s: %r" % (name, m.terminal, reply))
        if state != "PENDING":
            if m.terminal and m.terminal != state:
                self.violations.append("%s answered both %s and %s: %r" % (name, m.terminal, state, reply))
            if not m.terminal:
                m.terminal, m.terminal_at = state, time.monotonic()
        m.history.append(state)

    def expected_balance(self, member):
        with self._lock:
            refs = list(self.refs.values())
        return self.deposits.get(member, 0) - sum(m.price for m in refs if m.member == member and m.debited)

    def balance_bounds(self, member):
        """(lowest, highest) balance the replies allow: an order answered
        SEDANG DIPROSES may since have been settled by the dispatcher without
        anybody asking, and a failure refunds its price."""
        low = self.expected_balance(member)
        with self._lock:
            open_prices = sum(m.price for m in self.refs.values() if m.member == member and m.state == "PENDING")
        return low, low + open_prices

    def answered_both(self):
        return [(m.member, m.ref) for m in self.refs.values()
                if "SUKSES" in m.history and "GAGAL" in m.history]


# -- the pool --------------------------------------------------------------

def wait_for_workers(loket, count, seconds=15):
    """Until the pool has `count` workers again; returns their pids."""
    end = time.time() + seconds
    pids = loket.worker_pids()
    while time.time() < end:
        pids = loket.worker_pids()
        if len(pids) == count:
            return pids
        time.sleep(0.05)
    raise AssertionError("the pool has %d workers, not %d" % (len(pids), count))


def start_time(pid):
    """Clock ticks since boot at which `pid` started (for oldest-first kills)."""
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[19])


def kill_oldest_worker(loket):
    """SIGKILLs the worker that has lived longest, so kills spread over the
    pool's slots (multiwatch gives up on a slot that dies too often)."""
    pids = loket.worker_pids()
    victim = min(pids, key=start_time)
    os.kill(victim, signal.SIGKILL)
    return victim


def pool_pid(loket):
    with open(os.path.join(loket.home, "run", "pool.pid")) as f:
        return int(f.read().strip())


# -- checks ----------------------------------------------------------------

def double_holds(loket):
    """Transactions with more than one hold or refund row."""
    return loket.sql("SELECT trx_id, kind, COUNT(*) FROM mutations WHERE trx_id IS NOT NULL "
                     "GROUP BY trx_id, kind HAVING COUNT(*) > 1")


def integrity(loket):
    """SQLite's own check of the file (SQLite only)."""
    return loket.sql("PRAGMA integrity_check")


def db_transactions(loket):
    """{(member, ref): (status, rc, price, holds, refunds)} from the ledger."""
    rows = loket.sql(
        "SELECT t.member_id, t.ref_id, t.status, t.rc, t.price, "
        "(SELECT COUNT(*) FROM mutations m WHERE m.trx_id = t.id AND m.kind = 'hold'), "
        "(SELECT COUNT(*) FROM mutations m WHERE m.trx_id = t.id AND m.kind = 'refund') FROM transactions t")
    return {(r[0], r[1]): (r[2], rc_text(r[3])) + tuple(r[4:]) for r in rows}


def raw_get(port, path, query, timeout=30):
    """GET path?query to nginx with the request line sent byte for byte
    (http.client insists on ASCII).  Returns (HTTP status or None, body)."""
    target = (path + "?" + query).encode("latin-1") if query is not None else path.encode("latin-1")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError as e:
        return None, repr(e)
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None, data.decode("latin-1")
    return status, body.decode("latin-1")


def cgi_fcgi(socket_path, query, uri=TOPUP_PATH, timeout=30):
    """One request straight to a worker socket with cgi-fcgi (libfcgi-bin),
    QUERY_STRING exactly as given (str, or bytes for bytes nginx would refuse).
    Returns (HTTP status from the Status header or None, body)."""
    q = query if isinstance(query, bytes) else query.encode("latin-1")
    env = {b"PATH": os.environb.get(b"PATH", b"/usr/bin:/bin"), b"QUERY_STRING": q, b"DOCUMENT_URI": uri.encode(),
           b"REQUEST_METHOD": b"GET", b"SERVER_PROTOCOL": b"HTTP/1.1", b"REMOTE_ADDR": b"127.0.0.1"}
    r = subprocess.run(["cgi-fcgi", "-bind", "-connect", socket_path], env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=timeout)
    head, sep, body = r.stdout.partition(b"\r\n\r\n")
    if not sep:
        return None, (r.stdout + r.stderr).decode("latin-1")
    status = 200   # CGI: no Status header means 200
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"status:"):
            status = int(line.split()[1])
    return status, body.decode("latin-1")


def run_threads(count, target, *args):
    """Runs target(index, *args) in `count` threads; re-raises the first error."""
    errors = []

    def guarded(i):
        try:
            target(i, *args)
        except BaseException as e:  # noqa: B902 - reported to the test below
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def seeded(name):
    """A random generator whose seed is printed, so a failure can be replayed
    with LOKET_SEED=<seed>."""
    seed = int(os.environ.get("LOKET_SEED", random.randrange(1 << 30)))
    print("%s: LOKET_SEED=%d" % (name, seed))
    return seed


# -- the mixed load ----------------------------------------------------------

class Load:
    """What the mixed load works with: the shared model, the products, where
    the sim succeeds, fails or is slow, and the partners every client shares."""

    def __init__(self, model, port, seed, members, prices, success_dests, slow_dest, failed_dest, other_dests,
                 hot=None, shared=None, shared_refs=150):
        self.model = model
        self.seed = seed
        self.members = members
        self.prices = prices
        self.success_dests = success_dests
        self.slow_dest = slow_dest
        self.failed_dest = failed_dest
        self.dests = success_dests + [slow_dest] * 2 + [failed_dest] * 2 + other_dests
        self.hot = hot
        self.shared = shared
        self.shared_refs = shared_refs
        self.clients = [Client(port) for _ in members]
        self.saldo_checks = 0

    def run(self, budget, until=None):
        """One client per member, each sending about `budget` requests (and
        going on until the event `until` is set, if given)."""
        run_threads(len(self.members), lambda i: LoadClient(self, i).run(budget, until))

    @property
    def sent(self):
        return sum(c.sent for c in self.clients)

    @property
    def lost(self):
        return sum(c.lost for c in self.clients)

    @property
    def busy(self):
        return sum(c.busy for c in self.clients)

    def sweep(self, threads=32):
        """Asks about every refID once more; those replies close the model."""
        keys = sorted(self.model.refs)

        def ask(i):
            client = self.clients[i % len(self.clients)]
            for member, ref in keys[i::threads]:
                sent = time.monotonic()
                self.model.record(member, ref, None, client.ask(status_query(member, ref)), "STATUS", sent)

        run_threads(threads, ask)


class LoadClient:
    """One client: its own partner, whose every balance reply the model
    predicts exactly (only this client moves its money), plus the hot partner
    and the shared partner that every client uses at once."""

    def __init__(self, load, index):
        self.load = load
        self.model = load.model
        self.client = load.clients[index]
        self.rng = random.Random(load.seed * 1000 + index)
        self.member = load.members[index]
        self.index = index
        self.sent_refs = []      # (ref, params) of every topup sent for the own partner
        self.serial = 0

    def run(self, budget, until=None):
        ops = [(30, self.new_topup), (12, self.duplicates), (8, self.duplicates_with_status),
               (6, self.conflict), (8, self.replay), (10, self.status), (2, self.unknown_status),
               (8, self.saldo)]
        if self.load.hot:
            ops.append((8, self.hot))
        if self.load.shared:
            ops.append((8, self.shared))
        weights = [w for w, _ in ops]
        while self.client.sent < budget or (until is not None and not until.is_set()):
            self.rng.choices([op for _, op in ops], weights)[0]()

    def new_ref(self, prefix="R"):
        self.serial += 1
        return "%s%02d-%04d" % (prefix, self.index, self.serial)

    def params(self, dests=None):
        product = self.rng.choice(sorted(self.load.prices))
        return product, self.rng.choice(dests or self.load.dests), self.rng.choice([None, 1, 1, 2, 3])

    @staticmethod
    def topup(member, ref, params):
        return topup_query(member, ref=ref, product=params[0], dest=params[1], qty=params[2])

    def record(self, member, ref, params, reply, sent, action="TRX"):
        key = (params[0], params[1], params[2] or 1) if params else None
        return self.model.record(member, ref, key, reply, action, sent)

    # -- operations -------------------------------------------------------
    def send(self, member, ref, params):
        sent = time.monotonic()
        return self.record(member, ref, params, self.client.ask(self.topup(member, ref, params)), sent)

    def new_topup(self):
        ref, params = self.new_ref(), self.params()
        self.sent_refs.append((ref, params))
        self.send(self.member, ref, params)

    def duplicates(self):
        """Exact copies of a new topup, all in flight at once."""
        ref, params = self.new_ref(), self.params()
        self.sent_refs.append((ref, params))
        sent = time.monotonic()
        copies = self.rng.choice([2, 2, 3])
        for reply in self.client.settle_burst([self.topup(self.member, ref, params)] * copies):
            self.record(self.member, ref, params, reply, sent)

    def duplicates_with_status(self):
        """An original, its copy and a status check of it, all at once: the
        status check may reach the biller before the order does."""
        load = self.load
        ref, params = self.new_ref(), self.params([load.slow_dest] + load.success_dests[:2] + [load.failed_dest])
        self.sent_refs.append((ref, params))
        sent = time.monotonic()
        requests = [self.topup(self.member, ref, params)] * 2 + [status_query(self.member, ref)]
        replies = self.client.settle_burst(requests)
        for reply in replies[:2]:
            self.record(self.member, ref, params, reply, sent)
        self.record(self.member, ref, None, replies[2], sent, "STATUS")

    def conflict(self):
        """Two different requests under one new refID, at once: one wins, the other is RC 11."""
        ref, first = self.new_ref(), self.params()
        if self.rng.random() < 0.5:
            second = (first[0], self.rng.choice([d for d in self.load.dests if d != first[1]]), first[2])
        else:
            second = (next(p for p in sorted(self.load.prices) if p != first[0]), first[1], first[2])
        self.sent_refs += [(ref, first), (ref, second)]
        sent = time.monotonic()
        replies = self.client.settle_burst([self.topup(self.member, ref, first), self.topup(self.member, ref, second)])
        rcs = [self.record(self.member, ref, p, r, sent) for p, r in zip((first, second), replies)]
        if rcs.count("11") != 1:
            self.model.violation("conflict on %s/%s answered %s" % (self.member, ref, rcs))

    def replay(self):
        if not self.sent_refs:
            return self.new_topup()
        ref, params = self.rng.choice(self.sent_refs)
        self.send(self.member, ref, params)

    def status(self):
        if not self.sent_refs:
            return self.saldo()
        ref, _ = self.rng.choice(self.sent_refs)
        sent = time.monotonic()
        self.record(self.member, ref, None, self.client.ask(status_query(self.member, ref)), sent, "STATUS")

    def unknown_status(self):
        ref = self.new_ref("NONE")
        sent = time.monotonic()
        rc = self.record(self.member, ref, None, self.client.ask(status_query(self.member, ref)), sent, "STATUS")
        if rc != "50":
            self.model.violation("status of a refID never sent answered RC %s" % rc)

    def saldo(self):
        # Every earlier reply is in and nobody else moves this partner's
        # money: the balance must be what the replies add up to, give or take
        # the refunds of orders answered SEDANG DIPROSES that the dispatcher
        # settled since (the partner learns those from a status check).
        reply = self.client.ask(saldo_query(self.member))
        self.load.saldo_checks += 1
        low, high = self.model.balance_bounds(self.member)
        if not low <= saldo_of(reply) <= high:
            self.model.violation("%s: balance reply %r, replies add up to %d..%d" % (self.member, reply, low, high))

    def hot(self):
        ref, params = self.new_ref("H"), ("T1", self.rng.choice(self.load.success_dests), None)
        sent = time.monotonic()
        for reply in self.client.settle_burst([self.topup(self.load.hot, ref, params)] * self.rng.choice([1, 1, 2])):
            self.record(self.load.hot, ref, params, reply, sent)

    def shared(self):
        # Every client draws from one pool of refIDs, mostly with that refID's
        # own parameters (duplicates across clients), sometimes not (conflicts
        # across clients).
        n = self.rng.randrange(self.load.shared_refs)
        products = sorted(self.load.prices)
        params = (products[n % len(products)], self.load.success_dests[n % len(self.load.success_dests)], None)
        if self.rng.random() < 0.2:
            params = (params[0], self.load.failed_dest, None)
        self.send(self.load.shared, "S%03d" % n, params)


def fund_partners(loket, model, deposits):
    """Adds each partner of `deposits` ({memberID: rupiah}) with its deposit,
    in the ledger and in the model."""
    for member, deposit in deposits.items():
        loket.add_partner(member, deposit)
        model.deposit(member, deposit)


class LedgerProof:
    """The checks every ledger proof ends with.  Mix into a TestCase whose
    class has `loket` (the instance) and `model` (built from the replies)."""

    def test_every_reply_is_consistent(self):
        self.assertEqual(self.model.violations, [])
        self.assertEqual(self.model.answered_both(), [])

    def test_audit_passes(self):
        r = self.loket.audit()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("audit ok", r.stdout)


def check_ledger_against_model(test, loket, model):
    """The ledger holds exactly the transactions the replies reported, each in
    the state they reported, with one hold for each debit and one refund for
    each refunded failure."""
    db = db_transactions(loket)
    known = {k: m for k, m in model.refs.items() if m.state}
    test.assertEqual(sorted(set(db) - set(known)), [], "transactions no reply ever reported")
    test.assertEqual(sorted(set(known) - set(db)), [], "acknowledged transactions missing from the ledger")
    for key, (status, rc, price, holds, refunds) in db.items():
        m = known[key]
        test.assertEqual({"SUCCESS": "SUKSES", "FAILED": "GAGAL", "PENDING": "PENDING"}[status], m.state, key)
        if m.debited:
            test.assertEqual((price, holds, refunds), (m.price, 1, 0), key)
        else:
            test.assertEqual(refunds, holds, key)
            test.assertEqual(holds, 1 if rc == "40" else 0, key)


def delivered_but_refunded(loket):
    """Failed transactions whose order the sim received and would deliver."""
    return loket.sql(
        "SELECT t.member_id, t.ref_id, t.note FROM transactions t "
        "JOIN sim_orders o ON o.order_id = CAST(t.id AS TEXT) "
        "LEFT JOIN sim_fixtures f ON f.dest = t.dest "
        "WHERE t.status = 'FAILED' AND COALESCE(f.result, 'success') = 'success'")


# -- storage faults ----------------------------------------------------------

class LedgerMount:
    """A small tmpfs of its own for the ledger file, so a test can fill it up
    or make it read-only like a real disk.  Needs root (CAP_SYS_ADMIN); tests
    run as root here and in CI."""

    def __init__(self, size="8m"):
        import tempfile
        self.path = tempfile.mkdtemp(prefix="loket-ledger-")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "tmpfs", self.path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            os.rmdir(self.path)
            raise OSError(errno.EPERM, "cannot mount a tmpfs for the ledger: " + r.stderr.strip())
        self.filler = os.path.join(self.path, "filler")

    @property
    def ledger(self):
        return os.path.join(self.path, "ledger.db")

    def _mount(self, options):
        subprocess.run(["mount", "-o", options, self.path], check=True, capture_output=True)

    def fill(self, loket):
        """Leaves no free byte.  The WAL is truncated first, so the very next
        commit needs new space (SQLite reuses an old WAL's space without asking)."""
        import sqlite3
        for _ in range(100):
            con = sqlite3.connect(loket.db_path, isolation_level=None, timeout=10)
            try:
                busy, log, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                con.close()
            if busy == 0 and os.path.getsize(loket.db_path + "-wal") == 0:
                break
            time.sleep(0.02)
        else:
            raise AssertionError("the WAL could not be truncated")
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for chunk in (1 << 16, 4096, 1):
                try:
                    while True:
                        os.write(fd, b"\0" * chunk)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
        finally:
            os.close(fd)

    def free(self):
        if os.path.exists(self.filler):
            os.unlink(self.filler)

    def read_only(self):
        self._mount("remount,ro")

    def read_write(self):
        self._mount("remount,rw")

    def close(self):
        subprocess.run(["mount", "-o", "remount,rw", self.path], capture_output=True)
        self.free()
        if subprocess.run(["umount", self.path], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", self.path], capture_output=True)
        try:
            os.rmdir(self.path)
        except OSError:
            pass


class MountedLoket(Loket):
    """A Loket whose ledger lives on `mount`."""

    def __init__(self, mount, **settings):
        self._ledger = mount.ledger
        super().__init__(database_connect=mount.ledger, **settings)

    @property
    def db_path(self):
        return self._ledger


def restart_workers(loket, count, sig, between=None):
    """Stops the pool's supervisor, ends every worker with `sig`, runs
    `between()` while no worker has the ledger open (e.g. remounting it
    read-only, which Linux refuses while a file on it is open for writing),
    then lets the supervisor start a fresh set."""
    pool = pool_pid(loket)
    old = set(loket.worker_pids())
    os.kill(pool, signal.SIGSTOP)
    try:
        for pid in old:
            os.kill(pid, sig)
        end = time.time() + 10
        while any(_alive(p) for p in old):
            if time.time() > end:
                raise AssertionError("workers %s still running 10 s after signal %d" % (old, sig))
            time.sleep(0.02)
        if between:
            between()
    finally:
        os.kill(pool, signal.SIGCONT)
    end = time.time() + 15
    while time.time() < end:
        fresh = [p for p in loket.worker_pids() if p not in old and _alive(p)]
        if len(fresh) == count:
            return sorted(fresh)
        time.sleep(0.02)
    raise AssertionError("the pool did not start %d fresh workers" % count)


def _alive(pid):
    return not process_gone(pid)
