"""FastAPI dependencies: authenticate the caller, then check the scope of each operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, cast

import structlog
from fastapi import Depends, HTTPException, Request

from .api_keys import ApiKeyVerifier
from .oidc import OIDCVerifier, TokenRejected
from .principal import ANONYMOUS, Principal, Scope
from .settings import AuthSettings

KEY_HEADER = "x-api-key"
CHALLENGE = {"WWW-Authenticate": "Bearer"}

log = structlog.get_logger(__name__)


class Authenticator:
    def __init__(self, settings: AuthSettings) -> None:
        self.enforced = settings.enforced
        self._api_keys = ApiKeyVerifier(settings.api_keys)
        self._oidc = OIDCVerifier(settings.oidc) if settings.oidc.configured else None

    def authenticate(self, api_key: str | None, authorization: str | None) -> Principal:
        if not self.enforced:
            return ANONYMOUS
        if api_key:
            principal = self._api_keys.verify(api_key)
            if principal is None:
                raise _unauthorized("unknown API key")
            return principal
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized("credentials required")
        if self._oidc is None:
            raise _unauthorized("bearer tokens are not configured")
        try:
            return self._oidc.verify(token.strip())
        except TokenRejected as rejected:
            raise _unauthorized(str(rejected)) from None


def _unauthorized(reason: str) -> HTTPException:
    # The reason names the rule, never the credential.
    log.warning("authentication failed", reason=reason)
    return HTTPException(401, f"not authenticated: {reason}", headers=CHALLENGE)


def get_principal(request: Request) -> Principal:
    # A plain function, so FastAPI runs it in a worker thread: fetching the JWKS on a cache
    # miss must not block the event loop.
    authenticator = cast(Authenticator, request.app.state.authenticator)
    return authenticator.authenticate(
        request.headers.get(KEY_HEADER), request.headers.get("authorization")
    )


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_scope(scope: Scope) -> Callable[[Principal], Principal]:
    def check(principal: PrincipalDep) -> Principal:
        if not principal.has(scope):
            log.warning("permission denied", subject=principal.subject, scope=scope.value)
            raise HTTPException(403, f"missing scope {scope.value}")
        return principal

    return check
