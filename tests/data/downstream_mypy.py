"""A downstream tool that imports awsobs, for `.ci/run`'s `mypy --strict` against the
installed wheel: with `py.typed` shipped, mypy checks these uses against awsobs's own
type hints instead of stopping at "missing library stubs or py.typed marker"."""

from awsobs import Report, Status, scan
from awsobs.registry import REGISTRY


def gaps(report: Report) -> list[str]:
    """The messages of the FAIL findings."""
    return [f.message for f in report.findings if f.status is Status.FAIL]


def run() -> int:
    """Scan one region and count the gaps (never called: mypy reads it, nobody runs it)."""
    report: Report = scan(regions=["us-east-1"], checks=["cloudtrail.*"])
    return len(gaps(report)) + len(REGISTRY.all())
