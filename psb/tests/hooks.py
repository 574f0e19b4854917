"""A webhook endpoint on loopback for the plain tests and the sandbox's: it records the
requests the PSB sandbox posts and answers ``status``."""

import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """A webhook endpoint on loopback that records what it receives and answers
    ``status``."""

    def __init__(self):
        self.events = queue.Queue()
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.events.put((self.path, dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, args=(0.05,), daemon=True
        ).start()

    def next(self, timeout=5):
        """``(path, headers, body)`` of the next request received."""
        return self.events.get(timeout=timeout)

    def pending(self):
        return self.events.qsize()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
