"""A real local HTTP server for source tests: routes to fixed responses or functions, and a log
of every request (path, headers, time) so tests can check what tawthiq asked for.

A reply's body is bytes, or an iterable of byte strings written one by one as they come (chunked
unless the headers declare a Content-Length), which is how :func:`trickle` plays a slow host."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

Reply = tuple[int, dict[str, str], bytes | Iterable[bytes]]
Route = Reply | Callable[["Request"], Reply]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    at: float
    method: str = "GET"
    body: bytes = b""


@dataclass
class NewsServer:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def start(self) -> Self:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self.do_GET(method="POST", body=self.rfile.read(length) if length else b"")

            def do_GET(self, method: str = "GET", body: bytes = b"") -> None:  # noqa: N802
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic(), method, body)
                server.requests.append(request)
                route = server.routes.get(self.path.split("#")[0]) or server.routes.get(self.path.split("?")[0])
                reply: bytes | Iterable[bytes]
                if route is None:
                    status, headers, reply = 404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>"
                else:
                    status, headers, reply = route(request) if callable(route) else route
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if isinstance(reply, bytes):
                    if "Content-Length" not in headers:
                        self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    try:
                        self.wfile.write(reply)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                self._stream(headers, reply)

            def _stream(self, headers: dict[str, str], pieces: Iterable[bytes]) -> None:
                """Write ``pieces`` as they come, then close the connection (a body shorter
                than its Content-Length then ends in a broken connection, as a real one does)."""
                chunked = "Content-Length" not in headers
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                try:
                    for piece in pieces:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                        self.wfile.flush()
                    if chunked:
                        self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # shutdown() waits for the loop to look at its flag: at serve_forever's default of every
        # 0.5 s, stopping the server took a quarter of a second per test on average.
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path.split("?")[0] == path]


def trickle(every: float = 0.2, *, declared: int | None = 1_000_000, first: bytes = b"",
            then: Callable[[], None] | None = None) -> Callable[[Request], Reply]:
    """A route for a slow host: ``first`` at once, then one byte every ``every`` seconds for as
    long as the client listens, under a Content-Length of ``declared`` bytes that it never
    completes (or chunked, one byte a chunk, with ``declared=None``). ``then`` runs when the
    request arrives (a test's way to act while the pull is inside this request)."""

    def reply(request: Request) -> Reply:
        if then is not None:
            then()

        def body() -> Iterator[bytes]:
            if first:
                yield first
            while True:
                time.sleep(every)
                yield b"x"

        headers = {"Content-Type": "text/html; charset=utf-8"}
        if declared is not None:
            headers["Content-Length"] = str(declared)
        return 200, headers, body()

    return reply
