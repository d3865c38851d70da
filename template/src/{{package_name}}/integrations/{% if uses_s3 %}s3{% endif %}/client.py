"""Reads and writes objects in one bucket; its readiness check is a HEAD on the bucket.

boto3 is synchronous, so every call runs in a worker thread and the event loop never blocks.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from pydantic import SecretStr

from .settings import S3Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class ObjectStore:
    def __init__(self, client: S3Client, settings: S3Settings) -> None:
        self.client = client
        self.settings = settings

    @classmethod
    def open(cls, settings: S3Settings) -> ObjectStore:
        """Create the client; it connects on first use, so start-up never waits for it."""
        config = Config(
            connect_timeout=settings.connect_timeout_seconds,
            read_timeout=settings.read_timeout_seconds,
            retries={"max_attempts": settings.max_attempts, "mode": "standard"},
            max_pool_connections=settings.max_pool_connections,
            s3={"addressing_style": "path" if settings.path_style else "auto"},
        )
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.endpoint_url,
            region_name=settings.region,
            aws_access_key_id=_reveal(settings.access_key_id),
            aws_secret_access_key=_reveal(settings.secret_access_key),
            config=config,
        )
        return cls(client, settings)

    @property
    def encryption(self) -> dict[str, Any]:
        """The server-side encryption arguments every write carries."""
        if self.settings.server_side_encryption == "none":
            return {}
        arguments: dict[str, Any] = {"ServerSideEncryption": self.settings.server_side_encryption}
        if self.settings.kms_key_id:
            arguments["SSEKMSKeyId"] = self.settings.kms_key_id
        return arguments

    async def put(
        self, key: str, data: bytes, *, content_type: str = "application/octet-stream"
    ) -> None:
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.settings.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            **self.encryption,
        )

    async def get(self, key: str) -> bytes:
        def read() -> bytes:
            response = self.client.get_object(Bucket=self.settings.bucket, Key=key)
            return response["Body"].read()

        return await asyncio.to_thread(read)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.settings.bucket, Key=key)

    async def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist: for local S3-compatible servers only."""
        try:
            await self.check()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket"}:
                raise
            # Local servers take no location constraint; real buckets are made by infrastructure.
            await asyncio.to_thread(self.client.create_bucket, Bucket=self.settings.bucket)

    async def check(self) -> None:
        await asyncio.to_thread(self.client.head_bucket, Bucket=self.settings.bucket)

    async def close(self) -> None:
        self.client.close()


def _reveal(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None
