"""Names from the account are attacker-controlled text. In generated code they must stay
data: a newline in a comment would start a line of code, `$(...)` in a shell word would
run, `${...}` in a Terraform string would interpolate, a quote or colon in YAML would
change the document. Each format is read back by its own parser (or run) to prove it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import yaml

from awsobs.fix import plan, render

EVIL = "fn\"'; $(touch PWNED) `touch PWNED` ${HOME} %{x} \\\nrm -rf / #\x1b[31m\u202e"
ACCOUNT = "123456789012"


def report() -> dict[str, Any]:
    """A Lambda function with no error alarm and a log group that keeps data forever, both
    with the hostile name, in a report as `awsobs scan --format json` writes it."""
    fn_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{EVIL}"
    group_arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{EVIL}"
    findings = [
        {
            "check_id": "lambda.error_throttle_alarms",
            "status": "FAIL",
            "account_id": ACCOUNT,
            "region": "us-east-1",
            "resource_id": fn_arn,
            "message": f"function {EVIL!r} has no alarm\non Errors",
            "evidence": {
                "alarms": {"Errors": {"covered_by": []}},
                "alarm_specs": [
                    {
                        "label": "Errors",
                        "namespace": "AWS/Lambda",
                        "metric": "Errors",
                        "dimensions": {"FunctionName": EVIL},
                    }
                ],
            },
        },
        {
            "check_id": "logs.retention_defined",
            "status": "FAIL",
            "account_id": ACCOUNT,
            "region": "us-east-1",
            "resource_id": group_arn,
            "message": f"log group {EVIL} never expires its data",
            "evidence": {"log_group": EVIL, "retention_days": None},
        },
    ]
    return {
        "scan": {"regions": ["us-east-1"], "started_at": "2026-12-03T00:00:00Z"},
        "findings": findings,
    }


def test_the_plan_holds_the_hostile_name_as_data() -> None:
    p = plan(report())
    assert {i.kind for i in p.items} >= {"alarm", "retention", "topic"}
    alarm = next(i for i in p.items if i.kind == "alarm")
    assert alarm.props["dimensions"] == {"FunctionName": EVIL}
    assert "\n" not in alarm.name and "$" not in alarm.name


def test_cloudformation_keeps_the_name_verbatim_and_comments_one_line() -> None:
    (text,) = render(plan(report()), "cloudformation").values()
    doc = yaml.safe_load(text)
    alarms = [r for r in doc["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert alarms[0]["Properties"]["Dimensions"] == [{"Name": "FunctionName", "Value": EVIL}]
    assert not any(line.startswith("rm -rf") for line in text.splitlines())
    assert "\x1b" not in text and "\u202e" not in text


def test_terraform_never_interpolates_the_name() -> None:
    text = render(plan(report()), "terraform")["awsobs-fix.tf"]
    doc = hcl2.loads(text)
    (group,) = (
        res
        for blk in doc["resource"]
        for kind, named in blk.items()
        if kind == '"aws_cloudwatch_log_group"'
        for res in named.values()
    )
    # python-hcl2 hands back the literal as written: JSON escapes, then HCL's $${ and %%{
    literal = json.loads(group["name"])
    assert literal.replace("$${", "${").replace("%%{", "%{") == EVIL
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "${HOME}" not in code.replace("$${HOME}", "")
    assert "%{x}" not in code.replace("%%{x}", "")
    assert not any(line.startswith("rm -rf") for line in text.splitlines())
    assert "\x1b" not in text and "\u202e" not in text


def test_the_script_passes_the_name_to_the_cli_unchanged_and_runs_nothing_else(
    tmp_path: Path,
) -> None:
    """Run the script with an `aws` that records its arguments: the hostile name arrives
    as one argument, and nothing in it ran (no PWNED file)."""
    script = tmp_path / "awsobs-fix.sh"
    script.write_text(render(plan(report()), "sh")["awsobs-fix.sh"])
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.jsonl"
    bin_dir.mkdir()
    recorder = bin_dir / "aws"
    recorder.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"if sys.argv[1:3] == ['sts', 'get-caller-identity']: print({ACCOUNT!r})\n"
        "if sys.argv[1:3] == ['sns', 'create-topic']: print('arn:aws:sns:us-east-1:1:t')\n"
    )
    recorder.chmod(recorder.stat().st_mode | stat.S_IXUSR)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "ALARM_EMAIL": "oncall@example.com",
        "AWSOBS_IAM_WAIT": "0",
    }
    ran = subprocess.run(
        ["sh", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    assert not (tmp_path / "PWNED").exists()
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    put = next(c for c in calls if c[:2] == ["cloudwatch", "put-metric-alarm"])
    dims = json.loads(put[put.index("--dimensions") + 1])
    assert dims == [{"Name": "FunctionName", "Value": EVIL}]
    retention = next(c for c in calls if c[:2] == ["logs", "put-retention-policy"])
    assert retention[retention.index("--log-group-name") + 1] == EVIL
