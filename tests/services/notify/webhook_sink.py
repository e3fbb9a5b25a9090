"""A real HTTP endpoint for the webhook channel test: saves each POSTed body as a file.

python webhook_sink.py PORT DIR
"""

import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):  # http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        out = Path(sys.argv[2])
        (out / f"{len(list(out.iterdir())):04d}.json").write_bytes(body)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
