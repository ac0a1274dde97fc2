"""moto as the AWS stand-in, served in this process on a free port.

moto's backends are not thread-safe, and AWS makes every call atomic (later code relies on
conditional writes racing correctly), so a middleware lets one request at a time into moto.
Interceptors may answer a request instead of moto (injected faults); observers see every request
moto answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from devtools.stack.moto_patches import snapshot_named_items_only

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
RequestObserver = Callable[[dict[str, Any]], Callable[[], None]]
#: (status line, headers, body) to answer instead of moto, or None to let the request through
Interceptor = Callable[[dict[str, Any]], tuple[str, list[tuple[str, str]], bytes] | None]


class SerializedApp:
    """One request at a time, from reading its body to the last byte of its answer."""

    def __init__(
        self,
        app: WSGIApp,
        observers: Iterable[RequestObserver] = (),
        interceptors: Iterable[Interceptor] = (),
    ) -> None:
        self.app = app
        self.observers = list(observers)
        self.interceptors = list(interceptors)
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self.lock:
            for intercept in self.interceptors:
                reply = intercept(environ)
                if reply is not None:
                    status, headers, body = reply
                    start_response(status, [*headers, ("Content-Length", str(len(body)))])
                    return [body]
            afterwards = [observe(environ) for observe in self.observers]
            result = self.app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            for after in afterwards:
                after()
        return [body]


class MotoServer:
    """moto on 127.0.0.1 and a free port, in a background thread."""

    def __init__(
        self,
        observers: Iterable[RequestObserver] = (),
        port: int = 0,
        interceptors: Iterable[Interceptor] = (),
    ) -> None:
        snapshot_named_items_only()
        app = SerializedApp(DomainDispatcherApplication(create_backend_app), observers, interceptors)
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="moto", daemon=True
        )

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()
