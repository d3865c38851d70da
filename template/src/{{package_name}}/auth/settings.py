"""Authentication settings: hashed API keys and an OIDC issuer, held to the tier's policy."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from .. import policy

# Asymmetric algorithms only. "none" accepts unsigned tokens, and HMAC (HS*) would let anyone
# who holds the issuer's public key sign tokens with it (algorithm confusion).
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class ApiKeyRecord(BaseModel):
    """One API key as stored in configuration: its digest, never the key."""

    name: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$", description="Who holds the key.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 hex digest of the key.")
    scopes: list[str] = Field(default_factory=list, description="What the key may do.")


class OIDCSettings(BaseModel):
    issuer: str | None = Field(default=None, description="Expected `iss` claim.")
    audience: str | None = Field(default=None, description="Expected `aud` claim.")
    jwks_url: str | None = Field(default=None, description="Where the issuer publishes its keys.")
    algorithms: list[str] = Field(default=["RS256", "ES256"], min_length=1)
    jwks_cache_seconds: int = Field(default=300, ge=1, le=86_400)
    leeway_seconds: int = Field(default=30, ge=0, le=300)
    scope_claim: str = Field(default="scope", description="Claim holding space-separated scopes.")

    @field_validator("algorithms")
    @classmethod
    def _asymmetric_only(cls, algorithms: list[str]) -> list[str]:
        refused = [a for a in algorithms if a not in ASYMMETRIC_ALGORITHMS]
        if refused:
            allowed = ", ".join(sorted(ASYMMETRIC_ALGORITHMS))
            raise ValueError(f"algorithm(s) {', '.join(refused)} refused; allowed: {allowed}")
        return algorithms

    @model_validator(mode="after")
    def _complete_or_absent(self) -> OIDCSettings:
        given = {"issuer": self.issuer, "audience": self.audience, "jwks_url": self.jwks_url}
        missing = [name for name, value in given.items() if not value]
        if len(missing) not in (0, len(given)):
            raise ValueError(f"OIDC needs issuer, audience and jwks_url; missing: {missing}")
        if self.jwks_url and not self.jwks_url.startswith(("https://", "http://")):
            raise ValueError("jwks_url must be an http(s) URL")
        return self

    @property
    def configured(self) -> bool:
        return self.issuer is not None


class AuthSettings(BaseModel):
    api_keys: list[ApiKeyRecord] = Field(
        default_factory=list,
        description="JSON list of {name, sha256, scopes}; `python -m <package> auth new-key` "
        "mints a key and prints its record.",
    )
    oidc: OIDCSettings = OIDCSettings()

    @field_validator("api_keys", mode="before")
    @classmethod
    def _parse_json(cls, value: Any) -> Any:
        # Secret files hold text; environment variables arrive already parsed.
        return json.loads(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _kinds_allowed_by_policy(self) -> AuthSettings:
        if self.api_keys and "api_key" not in policy.AUTHENTICATION_KINDS:
            raise ValueError(
                f"tier '{policy.TIER}' allows only {', '.join(policy.AUTHENTICATION_KINDS)} "
                "authentication; remove the API keys"
            )
        if self.oidc.configured and "oidc" not in policy.AUTHENTICATION_KINDS:
            raise ValueError(f"tier '{policy.TIER}' does not allow OIDC authentication")
        return self

    @property
    def configured(self) -> bool:
        return bool(self.api_keys) or self.oidc.configured

    @property
    def enforced(self) -> bool:
        return policy.AUTHENTICATION_REQUIRED or self.configured


def deployment_problems(auth: AuthSettings) -> list[tuple[tuple[str, ...], str]]:
    """Rules outside development, as (settings location, message) pairs."""
    problems: list[tuple[tuple[str, ...], str]] = []
    if policy.AUTHENTICATION_REQUIRED and not auth.configured:
        settings_for = {"api_key": ("auth", "api_keys"), "oidc": ("auth", "oidc", "issuer")}
        kinds = " or ".join(".".join(settings_for[k][:2]) for k in policy.AUTHENTICATION_KINDS)
        problems.append(
            (
                settings_for[policy.AUTHENTICATION_KINDS[0]],
                f"tier '{policy.TIER}' requires authentication: configure {kinds}",
            )
        )
    if auth.oidc.jwks_url and not auth.oidc.jwks_url.startswith("https://"):
        problems.append((("auth", "oidc", "jwks_url"), "must be an https:// URL"))
    return problems
