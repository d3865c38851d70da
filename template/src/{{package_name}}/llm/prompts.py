"""Prompts as versioned files: `prompts/<id>.v<N>.txt`, loaded by id and an explicit version.

A prompt file never changes once released: a new wording is a new file with the next version,
so every call's recorded `id.vN` names exactly the text that was sent. Placeholders use
`string.Template` syntax (`$question`); rendering fails on a missing value rather than
sending a half-filled prompt.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

PROMPT_FILE = re.compile(r"^(?P<id>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.txt$")


@dataclass(frozen=True)
class Prompt:
    id: str
    version: int
    text: str

    @property
    def ref(self) -> str:
        return f"{self.id}.v{self.version}"

    def render(self, **values: str) -> str:
        try:
            return string.Template(self.text).substitute(values)
        except KeyError as missing:
            raise ValueError(f"prompt {self.ref} needs a value for {missing}") from None


class PromptNotFoundError(LookupError):
    pass


class PromptLibrary:
    """Every prompt file in one folder, indexed by id and version."""

    def __init__(self, folder: Traversable) -> None:
        self._prompts: dict[tuple[str, int], Prompt] = {}
        for entry in folder.iterdir():
            if not entry.is_file():
                continue
            match = PROMPT_FILE.match(entry.name)
            if match is None:
                raise ValueError(
                    f"prompt file name {entry.name!r} is not <id>.v<N>.txt "
                    "(lowercase id, version from 1)"
                )
            prompt = Prompt(match["id"], int(match["version"]), entry.read_text(encoding="utf-8"))
            self._prompts[(prompt.id, prompt.version)] = prompt

    def get(self, prompt_id: str, version: int) -> Prompt:
        """The prompt `prompt_id` at `version`. Callers pin the version: no "latest" by default."""
        try:
            return self._prompts[(prompt_id, version)]
        except KeyError:
            known = sorted(v for i, v in self._prompts if i == prompt_id)
            raise PromptNotFoundError(
                f"no prompt {prompt_id}.v{version}; versions present: {known or 'none'}"
            ) from None


@cache
def packaged_prompts() -> PromptLibrary:
    """The prompts shipped in this package's `prompts/` folder, read once."""
    return PromptLibrary(files(__name__.split(".")[0]) / "prompts")
