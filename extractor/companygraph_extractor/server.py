"""The extractor as a service for the API: POST /extract with
{"text": ..., "title": ..., "known": [{"name", "aliases", "type"}]} answers
{"facts": [...], "english": share} (extract.Article.facts; the
share of the words the English model knows, and no facts below one half); GET /healthz answers 200 once the
model is loaded.

    python -m companygraph_extractor.server --addr 127.0.0.1:8090

Bodies are bounded (--max-bytes): the API refuses bigger articles first,
this is the second line.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import gazetteer
from .extract import english, extract
from .model import load

# spaCy's pipeline is not safe to run from two threads at once.
_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    max_bytes = 2 << 20
    nlp = None

    def log_message(self, format, *args):  # the API logs requests
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/healthz":
            self._answer(200, {"status": "ok"})
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/extract":
            self._answer(404, {"error": "not found"})
            return
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = -1
        if n < 0 or n > self.max_bytes:
            self._answer(413, {"error": f"a body of at most {self.max_bytes} bytes"})
            return
        try:
            req = json.loads(self.rfile.read(n))
            text = req["text"]
            if not isinstance(text, str):
                raise TypeError("text is not a string")
            known = req.get("known") or []
        except (ValueError, KeyError, TypeError) as e:
            self._answer(400, {"error": f"bad request: {e}"})
            return
        with _lock:
            share = english(self.nlp, text)
            facts = extract(self.nlp, text, req.get("title"), known) if share >= 0.5 else []
        self._answer(200, {"facts": facts, "english": share})


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="companygraph's extractor service")
    p.add_argument("--addr", default="127.0.0.1:8090")
    p.add_argument("--max-bytes", type=int, default=2 << 20)
    p.add_argument(
        "--gazetteer", help="starter dump (JSON) whose company names are organisations wherever an article writes them"
    )
    args = p.parse_args(argv)
    host, _, port = args.addr.rpartition(":")
    if args.gazetteer:
        print(f"gazetteer: {gazetteer.load(args.gazetteer)} names", flush=True)
    Handler.nlp = load()
    Handler.max_bytes = args.max_bytes
    srv = ThreadingHTTPServer((host or "127.0.0.1", int(port)), Handler)
    # The port, for a caller that asked for port 0.
    print(f"listening on {srv.server_address[0]}:{srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
