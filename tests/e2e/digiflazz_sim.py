"""A Digiflazz buyer-API simulator, written from the published spec
(developer.digiflazz.com/api/buyer/*; notes: ../shared/research/suppliers.md §2).

    with DigiflazzSim(username="alice", key="secret", webhook_url=..., webhook_secret=...) as df:
        base_url = df.base_url          # http://127.0.0.1:PORT/v1

What it implements, as published:
- POST /v1/transaction, JSON {username, buyer_sku_code, customer_no, ref_id, sign[, commands]},
  sign = md5(username + key + ref_id), every reply wrapped in {"data": {...}} with
  status Sukses / Pending / Gagal and rc.
- Prepaid re-check: the same ref_id again answers the existing transaction; the
  same ref_id with another SKU or number is rc 49.
- Postpaid: commands inq-pasca, then pay-pasca on the same ref_id (same day),
  status-pasca on that ref_id.
- POST /v1/cek-saldo {cmd: "deposit", username, sign = md5(username + key + "depo")}.
- Webhooks for pending transactions: POST {"data": {...}} with X-Digiflazz-Event,
  X-Hub-Signature: sha1=HMAC-SHA1(body, secret) and User-Agent Digiflazz-Hookshot.
- The published test cases (test-case.md), for requests with "testing": true: xld10 to 087800001230 Sukses (sn 1234567890),
  ...32 Gagal (rc 02), ...33 Pending then webhook Sukses, ...34 Pending then webhook
  Gagal; pln 530000000001 (one bill), ...02 (two bills), ...03 inquiry fails,
  ...06 payment fails, 630000000001 payment pending then Sukses, 630000000006
  pending then Gagal.
- Postpaid pairing, as published: pay-pasca pays only the inquiry made under the same
  ref_id on the same calendar day (this simulator also wants the same customer_no and
  buyer_sku_code); anything else is rc 50 (Transaksi Tidak Ditemukan), status Gagal.
Choices of this simulator where the spec is silent: other prepaid numbers, and test
numbers without "testing", succeed;
postpaid customers of production requests (no "testing") are the ones a test registers
with add_bill(); once paid, their inquiry is rc 60 (Tagihan belum tersedia);
a postpaid customer not in the test list (or not registered) is rc 54 (Nomor Tujuan Salah); a failed
inquiry is rc 02; pay-pasca or status-pasca without an inquiry is rc 50.
"""
import hashlib
import hmac
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RC_TEXT = {"00": "Transaksi Sukses", "02": "Transaksi Gagal", "03": "Transaksi Pending", "40": "Payload Error",
           "41": "Signature tidak valid", "42": "Gagal memproses API Buyer", "43": "SKU tidak di temukan atau Non-Aktif",
           "44": "Saldo tidak cukup", "49": "Ref ID tidak unik", "50": "Transaksi Tidak Ditemukan",
           "54": "Nomor Tujuan Salah", "60": "Tagihan belum tersedia"}

PREPAID = {"xld10": 10000, "xld25": 24500}
# The published pln test customers: name, bills (amount per period), what happens on payment.
PLN = {
    "530000000001": ("Nama Pelanggan Pertama", [8000], "ok"),
    "530000000002": ("Nama Pelanggan Kedua", [8000, 9000], "ok"),
    "530000000003": (None, [], "inquiry-fails"),
    "530000000006": ("Nama Pelanggan Keenam", [8000], "pay-fails"),
    "630000000001": ("Pelanggan Pending", [8000], "pending-ok"),
    "630000000006": ("Pelanggan Pending Gagal", [8000], "pending-fails"),
}
PLN_ADMIN = 2500
PLN_COMMISSION = 500   # what Digiflazz charges the buyer is below the selling price


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


class DigiflazzSim:
    def __init__(self, username="alice", key="secret", webhook_url=None, webhook_secret=None, deposit=1000000,
                 settle_after=0.5):
        self.username, self.key = username, key
        self.webhook_url, self.webhook_secret = webhook_url, webhook_secret
        self.deposit = deposit
        self.settle_after = settle_after
        self.lock = threading.Lock()
        self.trx = {}            # ref_id -> data dict (prepaid and postpaid payments)
        self.inquiries = {}      # ref_id -> inquiry data
        self.bills = {}          # production postpaid customers: number -> (name, [amounts], outcome)
        self.paid = set()        # production customers whose bill is paid
        self.requests = []       # every (path, body dict or None) received
        self.bad_signatures = 0
        self.unpaired = 0        # pay-pasca requests refused for want of a matching inquiry
        self.webhooks_sent = []  # (headers, body bytes)
        sim = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(min(length, 65536))
                try:
                    body = json.loads(raw)
                    if not isinstance(body, dict):
                        raise ValueError
                except ValueError:
                    body = None
                with sim.lock:
                    sim.requests.append((self.path, body))
                if self.path == "/v1/transaction":
                    reply = sim.transaction(body)
                elif self.path == "/v1/cek-saldo":
                    reply = sim.cek_saldo(body)
                else:
                    self.send_error(404)
                    return
                out = json.dumps({"data": reply}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = "http://127.0.0.1:%d/v1" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # -- lifecycle -------------------------------------------------------
    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def add_bill(self, number, name, amounts, outcome="ok"):
        """A production (not "testing") pln customer with `amounts` to pay, one per period."""
        with self.lock:
            self.bills[number] = (name, list(amounts), outcome)
            self.paid.discard(number)

    def _customer(self, number, testing):
        """(name, bills, outcome) of a pln customer, or None."""
        return PLN.get(number) if testing else self.bills.get(number)

    # -- the API ---------------------------------------------------------
    @staticmethod
    def _failed(rc, ref_id=""):
        return {"ref_id": ref_id, "status": "Gagal", "rc": rc, "message": RC_TEXT[rc]}

    def _authentic(self, body, suffix):
        if body.get("username") != self.username:
            return "42"
        if not hmac.compare_digest(str(body.get("sign", "")), md5(self.username + self.key + suffix)):
            self.bad_signatures += 1
            return "41"
        return None

    def cek_saldo(self, body):
        if not body or body.get("cmd") != "deposit":
            return self._failed("40")
        bad = self._authentic(body, "depo")
        if bad:
            return self._failed(bad)
        with self.lock:
            return {"deposit": self.deposit}

    def transaction(self, body):
        fields = ("username", "buyer_sku_code", "customer_no", "ref_id", "sign")
        if not body or not all(isinstance(body.get(f), str) and body.get(f) for f in fields):
            return self._failed("40", (body or {}).get("ref_id", "") if isinstance(body, dict) else "")
        ref = body["ref_id"]
        bad = self._authentic(body, ref)
        if bad:
            return self._failed(bad, ref)
        command = body.get("commands", "")
        with self.lock:
            if command == "":
                return self._prepaid(body)
            if command == "inq-pasca":
                return self._inquiry(body)
            if command == "pay-pasca":
                return self._pay(body)
            if command == "status-pasca":
                if ref in self.trx and self.trx[ref].get("postpaid"):
                    return {k: v for k, v in self.trx[ref].items() if k != "postpaid"}
                return self._failed("50", ref)
        return self._failed("40", ref)

    def _prepaid(self, body):
        ref, sku, number = body["ref_id"], body["buyer_sku_code"], body["customer_no"]
        if ref in self.trx:
            t = self.trx[ref]
            if t["buyer_sku_code"] != sku or t["customer_no"] != number:
                return self._failed("49", ref)
            return dict(t)   # the re-check: the same ref_id answers the existing transaction
        if sku not in PREPAID:
            return self._failed("43", ref)
        price = PREPAID[sku]
        if self.deposit < price:
            return self._failed("44", ref)
        self.deposit -= price
        t = {"ref_id": ref, "customer_no": number, "buyer_sku_code": sku, "price": price, "sn": ""}
        testing = body.get("testing") is True
        if testing and number == "087800001232":
            self.deposit += price
            t.update(status="Gagal", rc="02", message=RC_TEXT["02"])
        elif testing and number in ("087800001233", "087800001234"):
            t.update(status="Pending", rc="03", message=RC_TEXT["03"])
            self._settle_later(ref, number == "087800001233")
        else:
            t.update(status="Sukses", rc="00", message=RC_TEXT["00"],
                     sn="1234567890" if testing and number == "087800001230" else "SN" + md5(ref)[:12])
        t["buyer_last_saldo"] = self.deposit
        self.trx[ref] = t
        return dict(t)

    @staticmethod
    def _bill(customer):
        name, bills, _ = customer
        amount = sum(bills)
        return {"customer_name": name, "admin": PLN_ADMIN * len(bills), "selling_price": amount + PLN_ADMIN * len(bills),
                "price": amount + PLN_ADMIN * len(bills) - PLN_COMMISSION,
                "periode": ",".join("2026%02d" % (i + 1) for i in range(len(bills))),
                "desc": {"tarif": "R1", "daya": 1300, "lembar_tagihan": len(bills),
                         "detail": [{"periode": "2026%02d" % (i + 1), "nilai_tagihan": str(b), "admin": str(PLN_ADMIN),
                                     "denda": "0"} for i, b in enumerate(bills)]}}

    def _inquiry(self, body):
        ref, number = body["ref_id"], body["customer_no"]
        testing = body.get("testing") is True
        customer = self._customer(number, testing)
        if body["buyer_sku_code"] != "pln" or customer is None:
            return self._failed("54", ref)
        if customer[2] == "inquiry-fails":
            return self._failed("02", ref)
        if not testing and number in self.paid:
            return self._failed("60", ref)
        data = {"ref_id": ref, "customer_no": number, "buyer_sku_code": "pln", "status": "Sukses", "rc": "00",
                "message": RC_TEXT["00"], "buyer_last_saldo": self.deposit, "day": time.strftime("%Y-%m-%d"),
                "testing": testing}
        data.update(self._bill(customer))
        self.inquiries[ref] = data
        return {k: v for k, v in data.items() if k not in ("day", "testing")}

    def _pay(self, body):
        ref, number = body["ref_id"], body["customer_no"]
        if ref in self.trx:
            return dict(self.trx[ref])
        inq = self.inquiries.get(ref)
        # The published pairing: an inquiry of this ref_id, today (and of this customer and SKU).
        if not inq or inq["customer_no"] != number or inq["buyer_sku_code"] != body["buyer_sku_code"] \
                or inq["day"] != time.strftime("%Y-%m-%d"):
            self.unpaired += 1
            return self._failed("50", ref)
        if not inq["testing"] and number in self.paid:
            return self._failed("60", ref)
        price = inq["price"]
        if self.deposit < price:
            return self._failed("44", ref)
        self.deposit -= price
        t = {k: v for k, v in inq.items() if k not in ("day", "testing")}
        t.update(postpaid=True, sn="")
        outcome = self._customer(number, inq["testing"])[2]
        if outcome == "pay-fails":
            self.deposit += price
            t.update(status="Gagal", rc="02", message=RC_TEXT["02"])
        elif outcome.startswith("pending"):
            t.update(status="Pending", rc="03", message=RC_TEXT["03"])
            self._settle_later(ref, outcome == "pending-ok")
        else:
            t.update(status="Sukses", rc="00", message=RC_TEXT["00"], sn="PLN" + md5(ref)[:16].upper())
        if not inq["testing"] and t["status"] != "Gagal":
            self.paid.add(number)
        t["buyer_last_saldo"] = self.deposit
        self.trx[ref] = t
        return {k: v for k, v in t.items() if k != "postpaid"}

    # -- settling pending transactions and webhooks ------------------------
    def _settle_later(self, ref, success):
        timer = threading.Timer(self.settle_after, self._settle, (ref, success))
        timer.daemon = True
        timer.start()

    def _settle(self, ref, success):
        with self.lock:
            t = self.trx[ref]
            if success:
                t.update(status="Sukses", rc="00", message=RC_TEXT["00"], sn="SN" + md5(ref)[:12])
            else:
                self.deposit += t["price"]
                t.update(status="Gagal", rc="02", message=RC_TEXT["02"])
                self.paid.discard(t["customer_no"])
            t["buyer_last_saldo"] = self.deposit
            data = {k: v for k, v in t.items() if k != "postpaid"}
            postpaid = t.get("postpaid", False)
        self.send_webhook(data, postpaid)

    def webhook_request(self, data, postpaid=False):
        """The body and headers of a webhook for `data`, signed as published."""
        body = json.dumps({"data": data}).encode()
        headers = {"Content-Type": "application/json", "X-Digiflazz-Event": "update",
                   "User-Agent": "Digiflazz-Pasca-Hookshot" if postpaid else "Digiflazz-Hookshot"}
        if self.webhook_secret:
            headers["X-Hub-Signature"] = "sha1=" + hmac.new(self.webhook_secret.encode(), body,
                                                            hashlib.sha1).hexdigest()
        return body, headers

    def send_webhook(self, data, postpaid=False):
        body, headers = self.webhook_request(data, postpaid)
        self.webhooks_sent.append((headers, body))
        if not self.webhook_url:
            return
        try:
            urllib.request.urlopen(urllib.request.Request(self.webhook_url, data=body, headers=headers,
                                                          method="POST"), timeout=5).read()
        except OSError:
            pass   # Digiflazz's retry policy is not published; the buyer re-checks anyway
