"""Evals: the golden cases in `evals/`, sent through the same LLMClient the service uses.

`python -m <package> eval` (what `make eval` runs) reads one case a line from the dataset, builds
each case's messages from a packaged prompt, and calls `LLMClient.chat`, so every case passes the
production timeout, retries, breaker, budget and telemetry. The provider is the configured one
(the development echo provider unless you configure another), or, with `--replay FILE`, responses
recorded earlier with `--record FILE`: no keys and no network in CI.

Checks are deterministic, declared per case under `expect`:

    equals             the output, stripped, is exactly this text
    contains           every string appears in the output (ignoring case)
    not_contains       no string appears in the output (ignoring case)
    matches            the regular expression is found in the output (re.search)
    max_output_tokens  the provider reported at most this many output tokens
    json_keys          the output is a JSON object with at least these keys

It prints one line per case, then the measures operators watch (pass rate, latency p50/p95, tokens
and cost from `evals.prices`), and exits 1 when the pass rate is below `evals.min_pass_rate`.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from prometheus_client import CollectorRegistry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .health import CheckResult, Status
from .llm.base import ChatMessage, ChatResult, EmbeddingResult, Role, TokenUsage
from .llm.client import LLMClient
from .llm.errors import LLMError, LLMRequestError, LLMUnsupportedError
from .llm.factory import build_client
from .llm.prompts import Prompt, PromptLibrary, PromptNotFoundError, packaged_prompts
from .llm.telemetry import GenAITelemetry
from .observability.logs import configure_logging
from .settings import ModelPrice, Settings

EXIT_OK, EXIT_BELOW_THRESHOLD, EXIT_INVALID = 0, 1, 2
PROMPT_REF = re.compile(r"^(?P<id>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)$")


class Expectations(BaseModel):
    model_config = ConfigDict(extra="forbid")

    equals: str | None = None
    contains: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)
    matches: str | None = None
    max_output_tokens: int | None = Field(default=None, ge=0)
    json_keys: list[str] | None = None

    @field_validator("matches")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"not a regular expression: {error}") from None
        return pattern


class EvalCase(BaseModel):
    """One golden case: which prompt, what the user asks, and what the answer must satisfy."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    prompt: str = Field(default="assistant.v1", pattern=PROMPT_REF.pattern)
    values: dict[str, str] = Field(
        default_factory=dict, description="Placeholder values for the prompt, if it has any."
    )
    input: str = Field(min_length=1)
    max_tokens: int = Field(default=256, ge=1, le=4096)
    expect: Expectations


class Recording(BaseModel):
    """A provider's answer to one request, as `--record` writes it and `--replay` reads it."""

    model_config = ConfigDict(extra="forbid")

    case: str
    # The request exactly as sent: a changed prompt or case no longer matches its recording.
    messages: list[tuple[Role, str]]
    max_tokens: int
    model: str
    text: str
    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)


class DatasetError(ValueError):
    """A dataset or recordings file that cannot be used; the message names the line."""


def _jsonl_lines(path: Path) -> list[tuple[int, str]]:
    """Numbered non-blank lines of a JSON Lines file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise DatasetError(f"{path}: cannot read ({type(error).__name__})") from None
    return [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]


def _invalid(path: Path, number: int, error: ValidationError) -> DatasetError:
    problems = "; ".join(
        f"{'.'.join(str(part) for part in e['loc']) or 'line'}: {e['msg']}"
        for e in error.errors(include_input=False)
    )
    return DatasetError(f"{path}:{number}: {problems}")


def load_cases(path: Path, prompts: PromptLibrary) -> list[EvalCase]:
    """The cases in `path`, refusing duplicate ids and prompts this package does not ship."""
    cases: list[EvalCase] = []
    for number, line in _jsonl_lines(path):
        try:
            cases.append(EvalCase.model_validate_json(line))
        except ValidationError as error:
            raise _invalid(path, number, error) from None
    if not cases:
        raise DatasetError(f"{path}: no cases")
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise DatasetError(f"{path}: case id {case.id!r} appears twice")
        seen.add(case.id)
        try:
            prompt_for(case, prompts)
        except (PromptNotFoundError, ValueError) as error:
            raise DatasetError(f"{path}: case {case.id!r}: {error}") from None
    return cases


def prompt_for(case: EvalCase, prompts: PromptLibrary) -> Prompt:
    match = PROMPT_REF.match(case.prompt)
    if match is None:
        raise ValueError(f"prompt {case.prompt!r} is not <id>.v<N>")
    prompt = prompts.get(match["id"], version=int(match["version"]))
    prompt.render(**case.values)  # a missing placeholder value is a dataset error, found early
    return prompt


def messages_for(case: EvalCase, prompt: Prompt) -> list[ChatMessage]:
    return [ChatMessage("system", prompt.render(**case.values)), ChatMessage("user", case.input)]


RequestKey = tuple[tuple[tuple[str, str], ...], int]


def request_key(messages: Iterable[ChatMessage | tuple[str, str]], max_tokens: int) -> RequestKey:
    """What a recording is found by: every message and the token limit, compared exactly."""
    pairs = tuple(m if isinstance(m, tuple) else (m.role, m.content) for m in messages)
    return pairs, max_tokens


def check(expect: Expectations, result: ChatResult) -> list[str]:
    """Why `result` fails `expect`; empty when it passes."""
    text = result.text
    lowered = text.lower()
    failures: list[str] = []
    if expect.equals is not None and text.strip() != expect.equals:
        failures.append(f"expected exactly {expect.equals!r}")
    failures += [f"does not contain {s!r}" for s in expect.contains if s.lower() not in lowered]
    failures += [f"contains {s!r}" for s in expect.not_contains if s.lower() in lowered]
    if expect.matches is not None and re.search(expect.matches, text) is None:
        failures.append(f"does not match /{expect.matches}/")
    output_tokens = result.usage.output_tokens
    if expect.max_output_tokens is not None and output_tokens > expect.max_output_tokens:
        failures.append(f"{output_tokens} output tokens, more than {expect.max_output_tokens}")
    if expect.json_keys is not None:
        failures += _json_failures(text, expect.json_keys)
    return failures


def _json_failures(text: str, keys: list[str]) -> list[str]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return ["is not JSON"]
    if not isinstance(value, dict):
        return ["is not a JSON object"]
    return [f"JSON has no key {key!r}" for key in keys if key not in value]


class ReplayProvider:
    """Answers from recorded responses instead of a model: deterministic, free and offline."""

    name = "replay"
    telemetry_name = "replay"
    chat_model = "recorded"
    embedding_model: str | None = None

    def __init__(self, recordings: Iterable[Recording]) -> None:
        self._by_request = {request_key(r.messages, r.max_tokens): r for r in recordings}

    async def chat(self, messages: list[ChatMessage], *, max_tokens: int) -> ChatResult:
        recording = self._by_request.get(request_key(messages, max_tokens))
        if recording is None:
            raise LLMRequestError(
                "no recorded response for this request; the case or its prompt changed since "
                "recording: record again with `eval --record`"
            )
        usage = TokenUsage(recording.input_tokens, recording.output_tokens)
        return ChatResult(text=recording.text, model=recording.model, usage=usage)

    async def embed(self, texts: list[str]) -> EmbeddingResult:
        raise LLMUnsupportedError("recorded responses hold chat completions only")

    async def check(self) -> CheckResult:
        return CheckResult(Status.WARN, output="replaying recorded responses")

    async def close(self) -> None:
        return None


def load_replay(path: Path) -> ReplayProvider:
    recordings: list[Recording] = []
    for number, line in _jsonl_lines(path):
        try:
            recordings.append(Recording.model_validate_json(line))
        except ValidationError as error:
            raise _invalid(path, number, error) from None
    return ReplayProvider(recordings)


@dataclass(frozen=True)
class CaseResult:
    case: EvalCase
    messages: tuple[ChatMessage, ...]
    latency_ms: float
    result: ChatResult | None
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


async def run_case(client: LLMClient, case: EvalCase, prompts: PromptLibrary) -> CaseResult:
    prompt = prompt_for(case, prompts)
    messages = messages_for(case, prompt)
    started = time.perf_counter()
    try:
        result = await client.chat(messages, max_tokens=case.max_tokens, prompt=prompt)
    except LLMError as error:
        latency = (time.perf_counter() - started) * 1000
        return CaseResult(case, tuple(messages), latency, None, (f"{error.kind}: {error}",))
    latency = (time.perf_counter() - started) * 1000
    failures = tuple(check(case.expect, result))
    return CaseResult(case, tuple(messages), latency, result, failures)


async def run_cases(
    client: LLMClient, cases: Sequence[EvalCase], prompts: PromptLibrary | None = None
) -> list[CaseResult]:
    """Every case, one after another, so latencies are not inflated by each other."""
    library = prompts or packaged_prompts()
    return [await run_case(client, case, library) for case in cases]


def cost_usd(usage: TokenUsage, price: ModelPrice) -> float:
    return (
        usage.input_tokens * price.input_per_million
        + usage.output_tokens * price.output_per_million
    ) / 1_000_000


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


@dataclass(frozen=True)
class Summary:
    cases: int
    passed: int
    latency_p50_ms: float
    latency_p95_ms: float
    input_tokens: int
    output_tokens: int
    cost_usd: float
    unpriced_models: tuple[str, ...]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0


def summarise(results: Sequence[CaseResult], prices: Mapping[str, ModelPrice]) -> Summary:
    answered = [r.result for r in results if r.result is not None]
    latencies = [r.latency_ms for r in results]
    unpriced = sorted({a.model for a in answered if a.model not in prices})
    return Summary(
        cases=len(results),
        passed=sum(r.passed for r in results),
        latency_p50_ms=percentile(latencies, 0.50),
        latency_p95_ms=percentile(latencies, 0.95),
        input_tokens=sum(a.usage.input_tokens for a in answered),
        output_tokens=sum(a.usage.output_tokens for a in answered),
        cost_usd=sum(cost_usd(a.usage, prices[a.model]) for a in answered if a.model in prices),
        unpriced_models=tuple(unpriced),
    )


def report(results: Sequence[CaseResult], summary: Summary, min_pass_rate: float) -> list[str]:
    """The lines `eval` prints: one per case, failures indented under it, then the measures."""
    width = max((len(r.case.id) for r in results), default=4)
    lines = [f"{'case':<{width}}  result  latency ms  tokens in  tokens out"]
    for r in results:
        usage = r.result.usage if r.result else TokenUsage(0)
        lines.append(
            f"{r.case.id:<{width}}  {'pass' if r.passed else 'FAIL':<6}  {r.latency_ms:>10.1f}"
            f"  {usage.input_tokens:>9}  {usage.output_tokens:>10}"
        )
        lines += [f"{'':<{width}}    - {failure}" for failure in r.failures]
    cost = f"${summary.cost_usd:.6f}"
    if summary.unpriced_models:
        cost += f" (no price in EVALS__PRICES for: {', '.join(summary.unpriced_models)})"
    verdict = "PASS" if summary.pass_rate >= min_pass_rate else "FAIL"
    lines += [
        "",
        f"cases      {summary.cases}",
        f"passed     {summary.passed}",
        f"pass rate  {summary.pass_rate:.1%} (minimum {min_pass_rate:.1%})",
        f"latency    p50 {summary.latency_p50_ms:.1f} ms, p95 {summary.latency_p95_ms:.1f} ms",
        f"tokens     {summary.input_tokens} in, {summary.output_tokens} out",
        f"cost       {cost}",
        f"result     {verdict}",
    ]
    return lines


def recordings(results: Iterable[CaseResult]) -> list[Recording]:
    """What to replay later: every case the provider answered, passing or not."""
    return [
        Recording(
            case=r.case.id,
            messages=[(m.role, m.content) for m in r.messages],
            max_tokens=r.case.max_tokens,
            model=r.result.model,
            text=r.result.text,
            input_tokens=r.result.usage.input_tokens,
            output_tokens=r.result.usage.output_tokens,
        )
        for r in results
        if r.result is not None
    ]


def write_recordings(path: Path, results: Iterable[CaseResult]) -> int:
    records = recordings(results)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8", newline="\n"
    )
    return len(records)


async def evaluate(
    settings: Settings,
    *,
    dataset: Path | None = None,
    replay: Path | None = None,
    record: Path | None = None,
    out: TextIO | None = None,
) -> int:
    """Run the dataset, print the report; the exit code of `python -m <package> eval`."""
    out = out or sys.stdout
    prompts = packaged_prompts()
    dataset = dataset or settings.evals.dataset
    try:
        cases = load_cases(dataset, prompts)
        provider = load_replay(replay) if replay is not None else None
    except DatasetError as error:
        print(f"eval: {error}", file=sys.stderr)
        return EXIT_INVALID
    # The service's redacting logs on stderr; warnings only, so the report is not buried.
    configure_logging(settings.service.model_copy(update={"log_level": "WARNING"}))
    telemetry = GenAITelemetry(CollectorRegistry(), capture_content=False)
    client = build_client(settings.llm, telemetry, provider=provider)
    try:
        results = await run_cases(client, cases, prompts)
    finally:
        await client.close()
    source = f"recorded responses in {replay}" if replay is not None else client.name
    print(f"eval: {len(cases)} cases from {dataset}, provider {source}", file=out)
    summary = summarise(results, settings.evals.prices)
    for line in report(results, summary, settings.evals.min_pass_rate):
        print(line, file=out)
    if record is not None:
        count = write_recordings(record, results)
        print(f"recorded {count} responses to {record}; replay them with --replay", file=out)
    return EXIT_OK if summary.pass_rate >= settings.evals.min_pass_rate else EXIT_BELOW_THRESHOLD
