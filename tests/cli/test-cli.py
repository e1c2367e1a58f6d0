#!/usr/bin/env python3
"""saphanctl's contract: JSON output, exit codes, refusals that change nothing."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import taplib  # noqa: E402

SAPHANCTL = sys.argv[1]


def ctl(*args, data_dir=None):
    cmd = [SAPHANCTL]
    if data_dir is not None:
        cmd += ["--data-dir", data_dir]
    cmd += list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def check_status_json_on_empty_dir():
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "fresh")
        result = ctl("status", "--json", data_dir=data)
        assert result.returncode == 0, result.stderr
        status = json.loads(result.stdout)
        assert status["data_dir"] == data
        assert status["forms"] == 0
        assert set(status["submissions"]) == {
            "queued", "sending", "accepted", "needs-attention", "exported"}
        assert all(count == 0 for count in status["submissions"].values())
        assert status["last_sync"] is None
        assert status["printer"]["queue"] is None
        # The data folder holds personal data: nobody else may enter it.
        assert os.stat(data).st_mode & 0o077 == 0


def check_global_options_anywhere():
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run([SAPHANCTL, "status", "--data-dir", tmp, "--json"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["data_dir"] == tmp


def check_usage_errors_exit_2():
    with tempfile.TemporaryDirectory() as tmp:
        for args in (["no-such-command"], ["forms"], ["forms", "nope"],
                     ["submissions", "list", "--state", "bogus"], ["status", "extra"],
                     ["submissions", "show"]):
            result = ctl(*args, data_dir=tmp)
            assert result.returncode == 2, (args, result.returncode, result.stderr)
            assert result.stderr.strip(), args
    assert subprocess.run([SAPHANCTL], capture_output=True).returncode == 2


def check_help_and_version():
    result = subprocess.run([SAPHANCTL, "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "status" in result.stdout
    result = subprocess.run([SAPHANCTL, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("saphanctl ")


def check_unknown_submission_refused():
    with tempfile.TemporaryDirectory() as tmp:
        result = ctl("submissions", "show", "uuid:does-not-exist", data_dir=tmp)
        assert result.returncode == 1, result
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        result = ctl("submissions", "list", "--json", data_dir=tmp)
        assert result.returncode == 0 and json.loads(result.stdout) == []


def check_not_a_database_refused_untouched():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "saphan.db")
        garbage = b"this is a shopping list, not a database\n" * 200
        with open(path, "wb") as f:
            f.write(garbage)
        before = os.stat(path)
        result = ctl("status", data_dir=tmp)
        assert result.returncode == 1, (result.returncode, result.stderr)
        assert "saphan.db" in result.stderr, result.stderr
        with open(path, "rb") as f:
            assert hashlib.sha256(f.read()).digest() == hashlib.sha256(garbage).digest()
        assert os.stat(path).st_mtime_ns == before.st_mtime_ns
        assert sorted(os.listdir(tmp)) == ["saphan.db"], os.listdir(tmp)
        result = ctl("status", "--json", data_dir=tmp)
        assert result.returncode == 1
        assert json.loads(result.stderr)["error"] == "not-a-database"


def check_unwritable_data_dir_is_environment_error():
    if os.geteuid() == 0:
        # root writes anywhere; use a path below a regular file instead.
        with tempfile.NamedTemporaryFile() as f:
            result = ctl("status", data_dir=os.path.join(f.name, "sub"))
    else:
        result = ctl("status", data_dir="/proc/saphan-cannot-be-here")
    assert result.returncode == 3, (result.returncode, result.stderr)


sys.exit(taplib.run([
    check_status_json_on_empty_dir,
    check_global_options_anywhere,
    check_usage_errors_exit_2,
    check_help_and_version,
    check_unknown_submission_refused,
    check_not_a_database_refused_untouched,
    check_unwritable_data_dir_is_environment_error,
]))
