"""A robust connection with its topology, a publisher, a consumer and a readiness check.

Topology, declared on connect and again after every reconnect:

    exchange (direct) --[queue name]--> queue --(rejected)--> dead-letter exchange --> dead queue

A message the handler processes is acknowledged; one it cannot (it raises, or the body is not
JSON) is rejected without requeueing, so the broker moves it to the dead-letter queue for a person
to inspect instead of redelivering it forever.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aio_pika import DeliveryMode, ExchangeType, Message, RobustConnection
from aio_pika.abc import (
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustChannel,
)
from aio_pika.connection import make_url

from .settings import RabbitMQSettings

log = structlog.get_logger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class BrokerNotConnectedError(ConnectionError):
    """The broker has not been reached yet, or the connection is down and being restored."""


class Broker:
    def __init__(self, settings: RabbitMQSettings) -> None:
        self.settings = settings
        self.connection = RobustConnection(
            make_url(
                host=settings.host,
                port=settings.port,
                login=settings.username,
                password=settings.password.get_secret_value(),
                virtualhost=settings.virtual_host,
                ssl=settings.tls,
                heartbeat=settings.heartbeat_seconds,
                reconnect_interval=settings.reconnect_interval_seconds,
                # Keep trying when the broker is down at start-up instead of raising.
                fail_fast=False,
            )
        )
        self._ready = asyncio.Event()
        self._channel: AbstractRobustChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._queue: AbstractQueue | None = None
        self._connecting: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, settings: RabbitMQSettings) -> Broker:
        """Start connecting in the background: a broker that is down makes the service unready,
        it does not stop it from starting."""
        broker = cls(settings)
        broker._connecting = asyncio.create_task(broker._connect())
        return broker

    async def _connect(self) -> None:
        await self.connection.connect(timeout=self.settings.connect_timeout_seconds)
        channel = await self.connection.channel()
        await channel.set_qos(prefetch_count=self.settings.prefetch_count)
        exchange = await channel.declare_exchange(
            self.settings.exchange, ExchangeType.DIRECT, durable=True
        )
        dead_letters = await channel.declare_exchange(
            self.settings.dead_letter_exchange, ExchangeType.FANOUT, durable=True
        )
        dead_queue = await channel.declare_queue(self.settings.dead_letter_queue, durable=True)
        await dead_queue.bind(dead_letters)
        queue = await channel.declare_queue(
            self.settings.queue,
            durable=True,
            arguments={"x-dead-letter-exchange": self.settings.dead_letter_exchange},
        )
        await queue.bind(exchange, routing_key=self.settings.queue)
        self._channel, self._exchange, self._queue = channel, exchange, queue
        self._ready.set()

    async def connected(self) -> None:
        """Wait until the broker is reached and the topology declared (bound it by a timeout)."""
        await self._ready.wait()

    def _require_connected(self) -> tuple[AbstractRobustChannel, AbstractExchange, AbstractQueue]:
        if (
            not self._ready.is_set()
            or not self.connection.connected.is_set()
            or self._channel is None
            or self._exchange is None
            or self._queue is None
        ):
            raise BrokerNotConnectedError("not connected to the broker")
        return self._channel, self._exchange, self._queue

    async def publish(self, payload: dict[str, Any], *, message_id: str | None = None) -> str:
        """Publish a persistent JSON message to the work queue; returns once the broker has
        confirmed it (publisher confirms), or raises."""
        _, exchange, _ = self._require_connected()
        message_id = message_id or uuid.uuid4().hex
        message = Message(
            json.dumps(payload).encode(),
            content_type="application/json",
            delivery_mode=DeliveryMode.PERSISTENT,
            message_id=message_id,
        )
        await exchange.publish(
            message,
            routing_key=self.settings.queue,
            timeout=self.settings.publish_timeout_seconds,
        )
        return message_id

    async def consume(self, handler: Handler) -> str:
        """Deliver each message's JSON body to `handler`; returns the consumer tag."""
        _, _, queue = self._require_connected()

        async def on_message(message: AbstractIncomingMessage) -> None:
            try:
                payload = json.loads(message.body)
                if not isinstance(payload, dict):
                    raise TypeError("message body is not a JSON object")
                await handler(payload)
            except Exception as error:  # noqa: BLE001 - any failure dead-letters the message
                log.warning(
                    "message dead-lettered",
                    message_id=message.message_id,
                    error=type(error).__name__,
                )
                await message.reject(requeue=False)
            else:
                await message.ack()

        return await queue.consume(on_message)

    async def take_dead_letter(self) -> bytes | None:
        """Remove one message from the dead-letter queue and return its body, for inspection or
        replay; None when the queue is empty."""
        channel, _, _ = self._require_connected()
        dead_queue = await channel.get_queue(self.settings.dead_letter_queue, ensure=False)
        message = await dead_queue.get(fail=False)
        if message is None:
            return None
        await message.ack()
        return message.body

    async def cancel(self, consumer_tag: str) -> None:
        _, _, queue = self._require_connected()
        await queue.cancel(consumer_tag)

    async def check(self) -> None:
        channel, _, _ = self._require_connected()
        # A round trip on the wire (aio-pika's own passive declare may answer from its cache):
        # the broker answers, and the work queue still exists.
        underlay = await channel.get_underlay_channel()
        await underlay.queue_declare(self.settings.queue, passive=True)

    async def close(self) -> None:
        # Close first, so a connect or channel open in flight ends with an error rather than a
        # cancellation aiormq leaves half torn down; then stop waiting for it.
        await self.connection.close()
        if self._connecting is not None:
            self._connecting.cancel()
            await asyncio.gather(self._connecting, return_exceptions=True)
