"""The AWS CLI (v1, the `awscli` test extra), without its start-up cost per command.

A generated `awsobs fix` script runs about 130 `aws` commands; a fresh `aws` process takes
0.6 s to import botocore and load its models, which made the closed-loop test take 90 s.
Here one server process imports the CLI once and forks a child per command: the child runs
the real CLI driver (`awscli.clidriver`) on the command's arguments, with its stdout and
stderr captured, and reports its exit code. The `aws` on the script's PATH is a small shim
that sends its arguments over a Unix socket and prints what comes back.

    python tests/aws_cli_fork.py serve SOCKET   # the server (start it, wait for SOCKET)
    python tests/aws_cli_fork.py call SOCKET ARGS...   # what the shim runs
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
from typing import IO


def _recv_all(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def serve(path: str) -> None:
    import awscli.clidriver

    driver = awscli.clidriver.create_clidriver()
    # load what every command needs before forking, so children share it
    for service in ("sts", "sns", "cloudwatch", "logs", "s3api", "ec2", "iam", "cloudtrail"):
        driver._get_command_table()[service]._get_command_table()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path + ".tmp")
    server.listen(8)
    os.rename(path + ".tmp", path)  # ready
    while True:
        conn, _ = server.accept()
        pid = os.fork()
        if pid == 0:
            server.close()
            _child(conn, driver)
        conn.close()
        os.waitpid(pid, 0)


def _child(conn: socket.socket, driver: object) -> None:
    request = b""
    while not request.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        request += chunk
    args = json.loads(request)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        reply = _run(driver, args, out, err)
    conn.sendall(json.dumps(reply).encode())
    conn.close()
    os._exit(0)


def _run(driver: object, args: list[str], out: IO[bytes], err: IO[bytes]) -> dict[str, object]:
    """The CLI on `args`, its stdout and stderr into `out` and `err`."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    try:
        rc = int(driver.main(args) or 0)  # type: ignore[attr-defined]
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except BaseException as e:  # reported to the caller, as the CLI would
        print(f"aws_cli_fork: {type(e).__name__}: {e}", file=sys.stderr)
        rc = 255
    sys.stdout.flush()
    sys.stderr.flush()
    out.seek(0)
    err.seek(0)
    return {"rc": rc, "out": out.read().decode(), "err": err.read().decode()}


def call(path: str, args: list[str]) -> int:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    conn.sendall(json.dumps(args).encode() + b"\n")
    conn.shutdown(socket.SHUT_WR)
    reply = json.loads(_recv_all(conn))
    sys.stdout.write(reply["out"])
    sys.stderr.write(reply["err"])
    return int(reply["rc"])


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        sys.exit(call(sys.argv[2], sys.argv[3:]))
