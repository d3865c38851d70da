"""Settings this team owns.

Keel renders this file once and never touches it again on `copier update`: add your own
settings here. They are read from the environment as {PREFIX}APP__<FIELD>, for example
the field `greeting` below is set by `{PREFIX}APP__GREETING=...`.
"""

from pydantic import BaseModel, Field


class AppSettings(BaseModel):
    """Service-specific settings. Add fields freely; keep credentials as SecretStr."""

    greeting: str = Field(
        default="Hello",
        description="Example setting used by the example route in routes.py.",
        max_length=100,
    )
