"""Every integration is one slice, present in every place it belongs and nowhere else.

INTEGRATIONS is the one list: adding an integration to the template means adding it here, and
this test then names each place it is still missing from (docs/how-to/add-an-integration.md is
the checklist). A project rendered with every integration must carry each slice whole; a project
rendered with none must carry no trace of any.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from .support import REPO_ROOT, answers_with, render


@dataclass(frozen=True)
class Integration:
    name: str  # the answer, the readiness component, the compose and CI service
    settings_class: str  # the typed settings block, Settings.<name>
    client: str  # the attribute of Integrations holding the open client
    distribution: str  # the runtime dependency it adds to pyproject.toml
    secret: str | None  # the credential field, a SecretStr; None where it has none
    owns_connection: bool = True  # False where it shares another integration's client


INTEGRATIONS = (
    Integration("postgres", "PostgresSettings", "database", "psycopg[binary]", "password"),
    Integration("pgvector", "PgvectorSettings", "vectors", "pgvector", None, owns_connection=False),
    Integration("redis", "RedisSettings", "cache", "redis", "password"),
    Integration("rabbitmq", "RabbitMQSettings", "broker", "aio-pika", "password"),
    Integration("s3", "S3Settings", "objects", "boto3", "secret_access_key"),
)
# pgvector runs on the postgres service: compose and CI give that service pgvector's image.
SERVICE_OF = {"pgvector": "postgres"}
IMAGES: dict[str, str] = yaml.safe_load(
    (REPO_ROOT / "includes" / "service-images.yml").read_text()
)["service_images"]["default"]
# pgvector's image is PostgreSQL with the extension, so it serves plain postgres as well.
ACCEPTED_IMAGES = {name: {image} for name, image in IMAGES.items()} | {
    "postgres": {IMAGES["postgres"], IMAGES["pgvector"]}
}
PACKAGE = answers_with()["package_name"]
PREFIX = PACKAGE.upper() + "_"


@dataclass(frozen=True)
class Project:
    root: Path

    def text(self, path: str) -> str:
        file = self.root / path
        return file.read_text() if file.is_file() else ""

    def yaml(self, path: str) -> dict[str, Any]:
        loaded = yaml.safe_load(self.text(path)) or {}
        assert isinstance(loaded, dict)
        return loaded

    def services(self, path: str, *keys: str) -> dict[str, Any]:
        node: Any = self.yaml(path)
        for key in keys:
            node = (node or {}).get(key) or {}
        assert isinstance(node, dict)
        return node

    def dependencies(self) -> list[str]:
        project = tomllib.loads(self.text("pyproject.toml"))
        return [*project["project"]["dependencies"], *project["dependency-groups"]["dev"]]


@pytest.fixture(scope="module")
def everything(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    answers = answers_with(integrations=[i.name for i in INTEGRATIONS])
    return Project(render(template, tmp_path_factory.mktemp("all") / "project", answers))


@pytest.fixture(scope="module")
def nothing(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(render(template, tmp_path_factory.mktemp("none") / "project", answers_with()))


def _settings(project: Project, i: Integration) -> bool:
    block = project.text(f"src/{PACKAGE}/integrations/{i.name}/settings.py")
    field = f"    {i.name}: {i.settings_class} = {i.settings_class}()"
    typed_secret = i.secret is None or re.search(rf"\n    {i.secret}: SecretStr\b", block)
    return (
        f"class {i.settings_class}(BaseModel)" in block
        and bool(typed_secret)
        and field in project.text(f"src/{PACKAGE}/settings.py")
    )


def _lifespan_client(project: Project, i: Integration) -> bool:
    lifespan = project.text(f"src/{PACKAGE}/integrations/lifespan.py")
    client = project.text(f"src/{PACKAGE}/integrations/{i.name}/client.py")
    closed = not i.owns_connection or (
        f"stack.push_async_callback({i.client}.close)" in lifespan
        and "async def close(self)" in client
    )
    return f"        {i.client}={i.client},\n" in lifespan and closed


def _readiness(project: Project, i: Integration) -> bool:
    lifespan = project.text(f"src/{PACKAGE}/integrations/lifespan.py")
    client = project.text(f"src/{PACKAGE}/integrations/{i.name}/client.py")
    return f'register(registry, "{i.name}", {i.client}.check,' in lifespan and (
        "async def check(self)" in client
    )


def _env_example(project: Project, i: Integration) -> bool:
    return f"\n{PREFIX}{i.name.upper()}__" in project.text(".env.example")


def _compose(project: Project, i: Integration) -> bool:
    name = SERVICE_OF.get(i.name, i.name)
    service = project.services("compose.yaml", "services", name)
    healthy = "test" in service.get("healthcheck", {})
    # The containerised app reaches the service by its compose name, not 127.0.0.1.
    app = project.services("compose.yaml", "services", "app")
    reached = any(
        key.startswith(f"{PREFIX}{name.upper()}__") and name in str(value)
        for key, value in app.get("environment", {}).items()
    )
    waits = name in app.get("depends_on", {})
    return service.get("image") in ACCEPTED_IMAGES[i.name] and healthy and reached and waits


def _ci_service(project: Project, i: Integration) -> bool:
    path = (".github/workflows/ci.yml", "jobs", "check", "services", SERVICE_OF.get(i.name, i.name))
    return project.services(*path).get("image") in ACCEPTED_IMAGES[i.name]


def _docs(project: Project, i: Integration) -> bool:
    docs = project.text("docs/integrations.md")
    section = docs.partition(f"\n## {i.name}\n")[2].split("\n## ")[0]
    return all(part in section for part in ("**Settings**", "**Failure modes.**", "**Readiness**"))


def _tests(project: Project, i: Integration) -> bool:
    tests = project.text(f"tests/test_{i.name}.py")
    return "@pytest.mark.integration" in tests and "async def test_" in tests


def _dependency(project: Project, i: Integration) -> bool:
    return any(d.startswith(i.distribution) for d in project.dependencies())


# The places every integration appears in, each named as the how-to's checklist names it.
PLACES: dict[str, Callable[[Project, Integration], bool]] = {
    "settings block": _settings,
    "client in the lifespan": _lifespan_client,
    "readiness check": _readiness,
    ".env.example": _env_example,
    "compose service": _compose,
    "CI service container": _ci_service,
    "docs section": _docs,
    "tests": _tests,
    "dependency": _dependency,
}
CASES = [
    pytest.param(i, place, id=f"{i.name}-{place.replace(' ', '-')}")
    for i in INTEGRATIONS
    for place in PLACES
]


@pytest.mark.parametrize(("integration", "place"), CASES)
def test_chosen_integration_is_in_place(
    everything: Project, integration: Integration, place: str
) -> None:
    assert PLACES[place](everything, integration), (
        f"integration '{integration.name}' is missing from its {place}"
    )


@pytest.mark.parametrize(("integration", "place"), CASES)
def test_unchosen_integration_leaves_no_trace(
    nothing: Project, integration: Integration, place: str
) -> None:
    assert not PLACES[place](nothing, integration), (
        f"integration '{integration.name}' was not chosen but its {place} is there"
    )


def test_service_images_are_pinned_to_a_version_and_digest() -> None:
    for name, image in IMAGES.items():
        assert re.fullmatch(r"[a-z0-9./-]+:[0-9][\w.-]*@sha256:[0-9a-f]{64}", image), (
            f"image for '{name}' must name an exact version tag and its digest, not {image!r}"
        )


def test_every_integration_answer_is_covered_here() -> None:
    copier = (REPO_ROOT / "copier.yml").read_text()
    offered = set(re.findall(r'": (\w+)\n', copier.split("integrations:", 1)[1].split("\n\n")[0]))
    assert offered == {i.name for i in INTEGRATIONS}


def test_checklist_in_the_how_to_names_every_place() -> None:
    how_to = (REPO_ROOT / "docs" / "how-to" / "add-an-integration.md").read_text()
    missing = [place for place in PLACES if f"**{place}**" not in how_to]
    assert missing == [], f"docs/how-to/add-an-integration.md does not cover: {missing}"
