"""moto extension for `cloudtrail.insights`, used by the demo and the tests' seeds.

moto 5.2 answers GetInsightSelectors on a trail without Insights with an empty answer
(AWS raises InsightNotEnabledException), and PutInsightSelectors appends to the trail's
selectors (AWS replaces them; an empty list turns Insights off).
`install_insights_extension` makes moto behave as AWS documents. It patches moto's
in-process backend, so it also applies to a moto server started in the same process.
moto is imported inside the function (see moto_ext.py for why).
"""

from __future__ import annotations

from typing import Any


def install_insights_extension() -> None:
    """AWS's GetInsightSelectors and PutInsightSelectors semantics in moto (idempotent)."""
    from moto.cloudtrail import models
    from moto.core.exceptions import JsonRESTError

    backend_cls = models.CloudTrailBackend
    if getattr(backend_cls.get_insight_selectors, "awsobs_extended", False):
        return

    class InsightNotEnabledException(JsonRESTError):
        code = 400

        def __init__(self, arn: str) -> None:
            super().__init__(
                "InsightNotEnabledException", f"Trail {arn} does not have Insights enabled."
            )

    def put_insight_selectors(
        self: Any, trail_name: str, insight_selectors: list[dict[str, Any]]
    ) -> tuple[str, list[dict[str, Any]]]:
        trail = self.get_trail(trail_name)
        trail.insight_selectors = list(insight_selectors)
        return trail.arn, insight_selectors

    def get_insight_selectors(self: Any, trail_name: str) -> tuple[str, list[dict[str, Any]]]:
        trail = self.get_trail(trail_name)
        if not trail.insight_selectors:
            raise InsightNotEnabledException(trail.arn)
        return trail.arn, list(trail.insight_selectors)

    get_insight_selectors.awsobs_extended = True  # type: ignore[attr-defined]
    backend_cls.put_insight_selectors = put_insight_selectors  # type: ignore[method-assign]
    backend_cls.get_insight_selectors = get_insight_selectors  # type: ignore[method-assign]
