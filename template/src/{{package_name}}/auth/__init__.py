"""Authentication and least privilege for the service's API.

Two kinds, as the policy for this tier allows (see ../policy.py): API keys, stored only as
SHA-256 digests and each carrying its scopes, and OIDC bearer tokens validated against the
issuer's JWKS. Health probes stay open; everything else needs a principal, and each operation
needs its scope.
"""

from .principal import Principal, Scope

__all__ = ["Principal", "Scope"]
