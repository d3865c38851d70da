"""Migrate a project's stored answers before `copier update`, or refuse with the reason.

Copier runs this from the new template release (`_migrations` in copier.yml) inside the project,
before it renders anything there. It applies hooks/migrations.yml (renamed questions, remapped
choices), then checks every stored answer against the new questionnaire. An answer that is no
longer a valid choice, or answers a question that no longer exists, without an entry saying what
became of it, stops the update with one message listing every problem: Copier would otherwise
replace it with the default without a word. Answers given on the command line (`--data`) count
as the user's decision and are not checked here; Copier validates them itself.

Needs only the standard library and PyYAML (Copier's own dependency); never touches the network.
Writes the answers file only when something changed, so running it twice changes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_FILE = TEMPLATE_ROOT / "hooks" / "migrations.yml"


class MigrationError(Exception):
    """The stored answers cannot be carried into this release without a decision."""


def _loader(root: Path) -> type[yaml.SafeLoader]:
    """A safe loader that follows copier.yml's `!include` the way Copier does."""

    class Loader(yaml.SafeLoader):
        pass

    def include(loader: yaml.SafeLoader, node: yaml.Node) -> list[Any]:
        pattern = str(loader.construct_scalar(node))  # type: ignore[arg-type]
        documents: list[Any] = []
        for path in sorted(root.glob(pattern)):
            documents.extend(d for d in yaml.load_all(path.read_text(), Loader=Loader) if d)
        return documents

    Loader.add_constructor("!include", include)
    return Loader


def _flatten(documents: list[Any]) -> list[dict[str, Any]]:
    flat: list[dict[str, Any]] = []
    for document in documents:
        if isinstance(document, list):
            flat.extend(_flatten(document))
        elif isinstance(document, dict):
            flat.append(document)
    return flat


def load_questions(template_root: Path) -> dict[str, dict[str, Any]]:
    """The questions a user is asked (settings and hidden computed values left out)."""
    text = (template_root / "copier.yml").read_text()
    merged: dict[str, Any] = {}
    for document in _flatten(list(yaml.load_all(text, Loader=_loader(template_root)))):
        merged.update(document)
    return {
        name: spec if isinstance(spec, dict) else {"default": spec}
        for name, spec in merged.items()
        if not name.startswith("_") and not (isinstance(spec, dict) and spec.get("when") is False)
    }


def choice_values(spec: dict[str, Any]) -> list[Any] | None:
    choices = spec.get("choices")
    if choices is None:
        return None
    if isinstance(choices, dict):
        return list(choices.values())
    return [c[1] if isinstance(c, list) else c for c in choices]


def load_migrations(path: Path = MIGRATIONS_FILE) -> list[dict[str, Any]]:
    document = yaml.safe_load(path.read_text()) or {}
    entries = document.get("migrations") or []
    if not isinstance(entries, list):
        raise MigrationError(f"{path}: 'migrations' must be a list of entries.")
    return entries


ENTRY_KEYS = frozenset({"release", "why", "rename_questions", "remove_questions", "remap_choices"})


def entry_problems(
    migrations: list[dict[str, Any]], questions: dict[str, dict[str, Any]]
) -> list[str]:
    """What is wrong with hooks/migrations.yml itself, entry by entry."""
    problems: list[str] = []
    for number, entry in enumerate(migrations, start=1):
        where = f"hooks/migrations.yml entry {number}"
        if not isinstance(entry, dict):
            problems.append(f"{where} must be a mapping")
            continue
        problems += [f"{where}: unknown key {key!r}" for key in sorted(set(entry) - ENTRY_KEYS)]
        if not {"release", "why"} <= set(entry):
            problems.append(f"{where} needs 'release' and 'why'")
        for question, remap in (entry.get("remap_choices") or {}).items():
            allowed = choice_values(questions.get(question, {}))
            if allowed is None:
                problems.append(f"{where} remaps {question}, which is not a question with choices")
                continue
            problems += [
                f"{where} remaps {question} to {new!r}, which is not a choice"
                for new in remap.values()
                if new not in allowed
            ]
    return problems


def apply_migrations(answers: dict[str, Any], migrations: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the answers with every rename, removal and choice remap applied."""
    result = dict(answers)
    for entry in migrations:
        for old, new in (entry.get("rename_questions") or {}).items():
            if old in result:
                value = result.pop(old)
                result.setdefault(new, value)
        for old in entry.get("remove_questions") or []:
            result.pop(old, None)
        for question, remap in (entry.get("remap_choices") or {}).items():
            if question not in result:
                continue
            value = result[question]
            if isinstance(value, list):
                remapped = [remap.get(v, v) for v in value]
                result[question] = list(dict.fromkeys(remapped))  # keep order, drop duplicates
            else:
                result[question] = remap.get(value, value)
    return result


def problems_with(
    answers: dict[str, Any], questions: dict[str, dict[str, Any]], given: set[str]
) -> list[str]:
    problems: list[str] = []
    for name, value in answers.items():
        if name.startswith("_") or name in given:
            continue
        if name not in questions:
            problems.append(
                f"answer '{name}' is stored in the project but this release no longer asks it, "
                "and hooks/migrations.yml does not say it was renamed or removed"
            )
            continue
        allowed = choice_values(questions[name])
        if allowed is None:
            continue
        unknown = [v for v in (value if isinstance(value, list) else [value]) if v not in allowed]
        if unknown:
            problems.append(
                f"answer {name}={unknown[0]!r} is no longer a choice "
                f"(choices now: {', '.join(map(str, allowed))}), and hooks/migrations.yml does not "
                f"say what it became; choose one with --data {name}=<choice>"
            )
    return problems


def _write_answers(path: Path, answers: dict[str, Any]) -> None:
    header = [line for line in path.read_text().splitlines() if line.startswith("#")]
    body = yaml.safe_dump(answers, sort_keys=True, allow_unicode=True)
    path.write_text("\n".join([*header, body]) if header else body)


def migrate(answers_file: Path, template_root: Path, given: set[str]) -> bool:
    """Migrate `answers_file` in place; return whether it changed. Raise on any problem."""
    stored = yaml.safe_load(answers_file.read_text()) or {}
    questions = load_questions(template_root)
    migrations = load_migrations(template_root / "hooks" / "migrations.yml")
    broken = entry_problems(migrations, questions)
    if broken:
        raise MigrationError("This Keel release is broken:\n" + "\n".join(broken))
    migrated = apply_migrations(stored, migrations)
    problems = problems_with(migrated, questions, given)
    if problems:
        raise MigrationError(
            "Keel cannot update this project without a decision from you:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    if migrated == stored:
        return False
    _write_answers(answers_file, migrated)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Migrate stored answers before copier update.")
    parser.add_argument("--answers-file", type=Path, default=Path(".copier-answers.yml"))
    parser.add_argument("--template", type=Path, default=TEMPLATE_ROOT)
    parser.add_argument(
        "--given", default="{}", help="answers passed with --data, as JSON (never checked here)"
    )
    args = parser.parse_args(argv)
    given = set(json.loads(args.given))
    try:
        changed = migrate(args.answers_file, args.template, given)
    except MigrationError as error:
        print(error, file=sys.stderr)
        return 1
    if changed:
        print(f"Migrated answers in {args.answers_file} (hooks/migrations.yml).", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
