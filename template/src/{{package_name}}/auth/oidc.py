"""OIDC bearer tokens: signature from the issuer's JWKS, then issuer, audience and expiry."""

from __future__ import annotations

from typing import Any

import jwt

from .principal import Principal
from .settings import OIDCSettings

REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]


class TokenRejected(Exception):
    """The token is not acceptable; the message is safe to log and to return."""


class OIDCVerifier:
    def __init__(self, settings: OIDCSettings) -> None:
        if not (settings.issuer and settings.audience and settings.jwks_url):
            raise ValueError("OIDC is not configured")
        self._issuer = settings.issuer
        self._audience = settings.audience
        self._algorithms = list(settings.algorithms)
        self._leeway = settings.leeway_seconds
        self._scope_claim = settings.scope_claim
        # PyJWKClient caches the key set for `lifespan` seconds and refetches on an unknown kid,
        # so key rotation at the issuer needs no restart.
        self._jwks = jwt.PyJWKClient(
            settings.jwks_url,
            cache_jwk_set=True,
            lifespan=settings.jwks_cache_seconds,
            timeout=5,
        )

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejected("malformed token") from None
        algorithm = header.get("alg")
        # Checked before any key is fetched: refuses "none" and HMAC confusion outright.
        if algorithm not in self._algorithms:
            raise TokenRejected(f"algorithm {algorithm!r} is not allowed")
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRejected("token expired") from None
        except jwt.InvalidAudienceError:
            raise TokenRejected("wrong audience") from None
        except jwt.InvalidIssuerError:
            raise TokenRejected("wrong issuer") from None
        except jwt.PyJWKClientError:
            raise TokenRejected("signing key not available") from None
        except jwt.PyJWTError as error:
            raise TokenRejected(f"invalid token ({type(error).__name__})") from None
        return Principal(str(claims["sub"]), "oidc", _scopes(claims.get(self._scope_claim)))


def _scopes(value: object) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    return frozenset()
