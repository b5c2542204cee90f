"""A moto extension for issue 15's misc alarm checks, used by `awsobs demo` and the tests.

- Lambda dead-letter queues: moto 5.2 drops `DeadLetterConfig` from CreateFunction and
  UpdateFunctionConfiguration, so ListFunctions never shows it (AWS lists it, as a field
  of every function's FunctionConfiguration). `install_lambda_dlq_extension` keeps it
  and lists it.

It patches moto's in-process classes, so it also applies to a moto server started in the
same process. Nothing here is used by `awsobs scan`. moto is imported inside the function
(see awsobs/demo/moto_ext.py for why).
"""

from __future__ import annotations

from typing import Any

_DLQ = "awsobs_dead_letter_config"


def install_lambda_dlq_extension() -> None:
    """Keep `DeadLetterConfig` on moto's Lambda functions and report it (idempotent)."""
    from moto.awslambda import models

    fn_cls = models.LambdaFunction
    if getattr(fn_cls.get_configuration, "awsobs_extended", False):
        return
    init, configuration, update = (
        fn_cls.__init__,
        fn_cls.get_configuration,
        fn_cls.update_configuration,
    )

    def __init__(self: Any, account_id: str, spec: dict[str, Any], *args: Any, **kw: Any) -> None:
        init(self, account_id, spec, *args, **kw)
        setattr(self, _DLQ, spec.get("DeadLetterConfig"))

    def get_configuration(self: Any, *args: Any, **kw: Any) -> dict[str, Any]:
        config: dict[str, Any] = configuration(self, *args, **kw)
        dlq = getattr(self, _DLQ, None)
        if dlq and dlq.get("TargetArn"):
            config["DeadLetterConfig"] = dict(dlq)
        return config

    def update_configuration(self: Any, updates: dict[str, Any]) -> dict[str, Any]:
        if "DeadLetterConfig" in updates:
            setattr(self, _DLQ, updates["DeadLetterConfig"])
        result: dict[str, Any] = update(self, updates)
        return result

    get_configuration.awsobs_extended = True  # type: ignore[attr-defined]
    fn_cls.__init__ = __init__  # type: ignore[method-assign]
    fn_cls.get_configuration = get_configuration  # type: ignore[method-assign]
    fn_cls.update_configuration = update_configuration  # type: ignore[method-assign,assignment]
