"""`awsobs fix`: code that closes the gaps a report found, for people to review and apply.

awsobs stays read-only: this package reads a JSON report and writes text (CloudFormation,
Terraform, or a shell script of AWS CLI commands); it never calls AWS. See docs/fix.md.
"""

from __future__ import annotations

from awsobs.fix.model import FORMATS, Claim, Item, Plan
from awsobs.fix.plan import plan

__all__ = ["FORMATS", "Claim", "Item", "Plan", "plan", "render"]


def render(p: Plan, fmt: str) -> dict[str, str]:
    """File name -> text of the `fmt` output (one CloudFormation template per account and
    region; one Terraform file; one shell script)."""
    if fmt == "cloudformation":
        from awsobs.fix import cloudformation as module
    elif fmt == "terraform":
        from awsobs.fix import terraform as module  # type: ignore[no-redef]
    elif fmt == "sh":
        from awsobs.fix import shell as module  # type: ignore[no-redef]
    else:
        raise ValueError(f"unknown fix format {fmt!r}: one of {', '.join(FORMATS)}")
    return module.render(p)
