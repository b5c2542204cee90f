"""Compliance frameworks and what each check answers to in them (issue 17).

A check's `CheckMeta.compliance` maps a framework id to the requirement or control ids
the check tests (`{"cis-aws-3.0": ("3.3",), "aws-securityhub": ("Config.1",)}`), and
`compliance_note` says where its rule is stricter or looser than the control ("" when it
is the same). Built-in checks take theirs from `mappings.MAPPINGS`; a plugin passes
`compliance=` to `@check`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from awsobs.errors import UsageError

if TYPE_CHECKING:
    from awsobs.compliance.requirements import Benchmark


@dataclass(frozen=True)
class Framework:
    """A benchmark or control catalogue, and the shape of its ids."""

    id: str
    name: str
    pattern: str

    def valid(self, requirement: str) -> bool:
        return re.fullmatch(self.pattern, requirement) is not None


_CIS = r"\d+\.\d+"
FRAMEWORKS: Mapping[str, Framework] = {
    f.id: f
    for f in (
        Framework("cis-aws-1.4", "CIS AWS Foundations Benchmark v1.4.0", _CIS),
        Framework("cis-aws-3.0", "CIS AWS Foundations Benchmark v3.0.0", _CIS),
        Framework("cis-aws-5.0", "CIS AWS Foundations Benchmark v5.0.0", _CIS),
        Framework("aws-securityhub", "AWS Security Hub CSPM controls", r"[A-Za-z0-9]+\.\d+"),
        Framework("aws-config", "AWS Config managed rules", r"[a-z0-9]+(-[a-z0-9]+)*"),
    )
}


def compliance_problems(compliance: Mapping[str, tuple[str, ...]]) -> list[str]:
    """What is wrong with a check's mappings: unknown frameworks, malformed ids."""
    problems = []
    for framework, ids in compliance.items():
        known = FRAMEWORKS.get(framework)
        if known is None:
            problems.append(f"unknown compliance framework {framework!r}")
            continue
        bad = [i for i in ids if not known.valid(i)]
        if bad or not ids:
            problems.append(f"malformed {framework} ids {bad or '(none given)'}")
    return problems


def builtin_mapping(check_id: str) -> tuple[dict[str, tuple[str, ...]], str] | None:
    """A built-in check's mappings and note, None for an id the table does not list."""
    from awsobs.compliance.mappings import MAPPINGS, PARTIAL

    if check_id not in MAPPINGS:
        return None
    return dict(MAPPINGS[check_id]), PARTIAL.get(check_id, "")


def benchmarks() -> dict[str, Benchmark]:
    """The benchmarks `--compliance` reports on, by id."""
    from awsobs.compliance.requirements import BENCHMARKS

    return dict(BENCHMARKS)


def get_benchmark(framework: str) -> Benchmark:
    """The benchmark `--compliance framework` names; a `UsageError` naming the known ones
    for any other."""
    known = benchmarks()
    found = known.get(framework.strip().lower())
    if found is None:
        raise UsageError(
            f"--compliance {framework!r}: unknown framework (known: {', '.join(known)}; "
            "see `awsobs compliance`)"
        )
    return found


def mappings_of(check_id: str) -> dict[str, tuple[str, ...]]:
    """The mappings of a registered check (built-in or plugin), {} for an unknown one (a
    report read back that names a plugin not installed here)."""
    from awsobs.resources import registry_meta

    meta = registry_meta(check_id)
    return dict(meta.compliance) if meta is not None else {}


def tags(mapping: Mapping[str, tuple[str, ...]]) -> list[str]:
    """`["cis-aws-3.0/3.3", "aws-securityhub/Config.1"]`: one tag per mapped id."""
    return [f"{framework}/{i}" for framework, ids in mapping.items() for i in ids]
