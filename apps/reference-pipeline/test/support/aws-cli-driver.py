"""Parses AWS CLI v2 command lines with the real CLI, in one process: one JSON array of arguments per input line,
one JSON result per output line. Every command is sent to a closed local port, so nothing leaves the machine and
no credentials are needed: a command the CLI accepts ends in a connection error, one it rejects ends in its
usage error (exit 252) or parameter validation, before any request. Run with the CLI's own interpreter."""
import contextlib
import io
import json
import sys

from awscli.clidriver import create_clidriver

commands = sys.stdin
# `aws s3 cp - s3://…` reads standard input: it must find an empty stream, not the command list.
sys.stdin = io.TextIOWrapper(io.BytesIO(b''))
for line in commands:
    argv = json.loads(line)
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            rc = create_clidriver().main(argv + ['--endpoint-url', 'http://127.0.0.1:9'])
        except SystemExit as exit_:
            rc = exit_.code
        except Exception as error:  # noqa: BLE001 - any crash is a result to report, not a reason to stop
            rc = -1
            err.write(repr(error))
    print(json.dumps({'rc': rc, 'stderr': err.getvalue().strip()}), flush=True)
