"""A supplier that misbehaves on purpose, over raw TCP so that it can do what no
well-behaved HTTP server does.  The behaviour is chosen by the request's `dest`
parameter (GET query or POST form body), so one OtomaX-style template reaches them all:

    http://127.0.0.1:PORT/trx?product=[kodeproduk]&dest=[tujuan]&refID=[idtrx]&memberID=[memberid]&sign=[sign]

dest        what the supplier does after reading the request
ok          200, "R#<ref> <product>.<dest> SUKSES. SN: 1234. Saldo 71,900 - 10,775 = 61,125"
failed      200, "R#<ref> <product>.<dest> GAGAL. Nomor tujuan salah. Saldo 61,125"
pending     200, "R#<ref> <product>.<dest> sedang diproses. Saldo 61,125"
garbage     bytes that are not HTTP, then close
html        200 with an HTML error page
http500     500 with an HTML error page
huge        200 with a 10 MB body that would match the success regex
dribble     200, then the success body one byte a second
reset       an RST (SO_LINGER 0) right after reading the request
cutoff      a close-delimited (HTTP/1.0) body that would parse as GAGAL, then an RST instead of
            the end: the body may be incomplete, so it must not count
crlf        200 whose SN holds CR LF and a forged second reply line
redirect    302 to /trx?dest=ok (a client that follows it would see SUKSES)
silent      reads the request and never answers
"""
import http.server
import os
import socket
import socketserver
import ssl
import subprocess
import struct
import threading
import time
import urllib.parse


def ok_text(ref, product, dest, sn="1234"):
    return "R#%s %s.%s SUKSES. SN: %s. Saldo 71,900 - 10,775 = 61,125" % (ref, product, dest, sn)


# The regexes an operator would give this supplier (OtomaX style, named groups;
# (?s) lets the SN group span a line break, which SupplierText::clean then removes).
SUCCESS_RE = r"(?s)SUKSES\. SN: (?<sn>.*?)\. Saldo [\d.,]+ - (?<harga>[\d.,]+) = (?<saldo>[\d.,]+)"
FAILED_RE = r"GAGAL\. (?<keterangan>[^.]*)\. Saldo (?<saldo>[\d.,]+)"
PENDING_RE = r"sedang diproses"


class HostileSupplier:
    def __init__(self):
        self.lock = threading.Lock()
        self.seen = []   # (method, path, params) of every request read
        hostile = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                hostile.serve(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def requests_for(self, dest):
        with self.lock:
            return [s for s in self.seen if s[2].get("dest") == dest]

    # -- one connection ------------------------------------------------------
    @staticmethod
    def read_request(conn):
        conn.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = conn.recv(4096)
            if not chunk:
                break
            body += chunk
        path, _, query = target.partition("?")
        params = dict(urllib.parse.parse_qsl(query))
        if method == "POST":
            params.update(urllib.parse.parse_qsl(body.decode("latin-1")))
        return method, path, params

    @staticmethod
    def reply(conn, status, body, content_type="text/plain", extra=""):
        head = "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n%s\r\n" % (
            status, content_type, len(body), extra)
        conn.sendall(head.encode() + body)

    def serve(self, conn):
        request = self.read_request(conn)
        if request is None:
            return
        with self.lock:
            self.seen.append(request)
        _, _, p = request
        dest, ref, product = p.get("dest", ""), p.get("refID", ""), p.get("product", "")
        html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        try:
            if dest == "ok":
                self.reply(conn, "200 OK", ok_text(ref, product, dest).encode())
            elif dest == "failed":
                self.reply(conn, "200 OK", ("R#%s %s.%s GAGAL. Nomor tujuan salah. Saldo 61,125" %
                                            (ref, product, dest)).encode())
            elif dest == "pending":
                self.reply(conn, "200 OK", ("R#%s %s.%s sedang diproses. Saldo 61,125" % (ref, product, dest)).encode())
            elif dest == "garbage":
                conn.sendall(b"\x00\xff\xfeNOT HTTP AT ALL\r\n\r\n" + bytes(range(256)))
            elif dest == "html":
                self.reply(conn, "200 OK", html, "text/html")
            elif dest == "http500":
                self.reply(conn, "500 Internal Server Error", html.replace(b"502 Bad Gateway", b"500"), "text/html")
            elif dest == "huge":
                size = 10 * 1024 * 1024
                conn.sendall(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" %
                              size).encode())
                start = ok_text(ref, product, dest).encode() + b" "
                conn.sendall(start)
                block = b"x" * 65536
                sent = len(start)
                while sent < size:
                    n = min(len(block), size - sent)
                    conn.sendall(block[:n])
                    sent += n
            elif dest == "dribble":
                body = ok_text(ref, product, dest).encode()
                conn.sendall(("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)).encode())
                for i in range(len(body)):
                    conn.sendall(body[i:i + 1])
                    time.sleep(1)
            elif dest == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            elif dest == "cutoff":
                conn.sendall(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nR#%s %s.%s GAGAL. Nomor tujuan "
                              "salah. Saldo 61,125" % (ref, product, dest)).encode())
                time.sleep(0.2)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            elif dest == "crlf":
                self.reply(conn, "200 OK", ok_text(ref, product, dest,
                                                   sn="ABC\r\nTRX T1.0812 SUKSES, HRG:1 SN:FORGED REFID:X.").encode())
            elif dest == "redirect":
                self.reply(conn, "302 Found", b"", extra="Location: %s/trx?dest=ok&refID=%s&product=%s\r\n" %
                           (self.url, ref, product))
            elif dest == "silent":
                time.sleep(30)
            else:
                self.reply(conn, "404 Not Found", b"no such dest")
        except OSError:
            pass   # the client gave up (a deadline, a size limit): that is the point


class TlsSupplier:
    """An HTTPS supplier with a self-signed certificate for 127.0.0.1 (made with the
    openssl tool), answering every request with the `ok` text; and, on `stall_port`,
    a TCP listener that accepts and never starts TLS."""

    def __init__(self, directory):
        self.cert = os.path.join(directory, "cert.pem")
        key = os.path.join(directory, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
                        self.cert, "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2"],
                       check=True, capture_output=True)

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                p = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(self.path).query))
                body = ok_text(p.get("refID", ""), p.get("product", ""), p.get("dest", ""), sn="TLS-1").encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = "https://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.stall = socket.socket()
        self.stall.bind(("127.0.0.1", 0))
        self.stall.listen(8)   # the kernel completes the TCP handshake; nobody ever answers
        self.stall_url = "https://127.0.0.1:%d" % self.stall.getsockname()[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.stall.close()
