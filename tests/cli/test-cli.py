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
SOURCE_ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
FORMS = os.path.join(SOURCE_ROOT, "assets", "forms")
COMPLAINT = [["/complaint/topic", "road"],
             ["/complaint/details", "ถนนหน้าบ้านพังมาหลายเดือน-4711"],
             ["/complaint/anonymous", "anonymous"],
             ["/complaint/address/house_no", "12"],
             ["/complaint/address/province", "p01"],
             ["/complaint/address/district", "p01d01"],
             ["/complaint/address/subdistrict", "p01d01s01"],
             ["/complaint/consent", "OK"]]


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


def check_missing_library_named():
    """libcurl and libcups are opened at their first use, not at start: a
    copy that cannot be loaded is named, with what needs it, and nothing
    queued is lost."""
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        broken = os.path.join(tmp, "lib")
        os.makedirs(broken)
        for name in ("libcurl.so.4", "libcups.so.2"):
            with open(os.path.join(broken, name), "wb") as f:
                f.write(b"this is not a shared library\n" * 10)
        result = ctl("forms", "install", os.path.join(FORMS, "complaint.xml"),
                     "--media", os.path.join(FORMS, "media"), data_dir=data)
        assert result.returncode == 0, result.stderr
        assert submit(data, "complaint", COMPLAINT).returncode == 0
        for args in (["server", "set", "--url", "http://127.0.0.1:9/", "--kind", "openrosa"],
                     ["printer", "set", "receipts"]):
            result = ctl(*args, data_dir=data)
            assert result.returncode == 0, (args, result.stderr)
        # The library's own warning is expected here, so warnings are not fatal.
        env = dict(os.environ, LD_LIBRARY_PATH=broken, G_DEBUG="")

        def run(*args):
            return subprocess.run([SAPHANCTL, "--data-dir", data, *args], capture_output=True,
                                  text=True, timeout=60, env=env)

        # Everything that needs neither library still works.
        result = run("--json", "status")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["submissions"]["queued"] == 1
        result = run("sync", "--once", "--timeout", "0")
        assert result.returncode == 3, (result.returncode, result.stderr)
        assert "libcurl.so.4, which sending answers needs, cannot be loaded" in result.stderr, \
            result.stderr
        assert "ELF" in result.stderr, result.stderr
        result = run("printer", "status")
        assert result.returncode == 3, (result.returncode, result.stdout, result.stderr)
        assert "libcups.so.2, which printing receipts needs, cannot be loaded" in result.stdout, \
            result.stdout
        assert "(null)" not in result.stdout, result.stdout
        # The submission waits, untouched, for a kiosk that can send it.
        listed = json.loads(ctl("--json", "submissions", "list", data_dir=data).stdout)
        assert [s["state"] for s in listed] == ["queued"], listed


def submit(data, form_id, answers, *extra):
    path = os.path.join(data, "answers.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(answers, f, ensure_ascii=False)
    return ctl("--json", "submit", form_id, "--answers", path, *extra, data_dir=data)


def exported_files(data):
    out = os.path.join(data, "stick")
    os.mkdir(out)
    result = ctl("usb", "export", out, data_dir=data)
    assert result.returncode == 0, result.stderr
    files = {}
    for folder, _, names in os.walk(out):
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                files[os.path.relpath(os.path.join(folder, name), out)] = f.read()
    return files


def check_submit_finalizes_like_the_kiosk():
    with tempfile.TemporaryDirectory() as data:
        result = ctl("forms", "install", os.path.join(FORMS, "complaint.xml"),
                     "--media", os.path.join(FORMS, "media"), data_dir=data)
        assert result.returncode == 0, result.stderr
        result = submit(data, "complaint", COMPLAINT, "--assisted-by", "staff7")
        assert result.returncode == 0, result.stderr
        made = json.loads(result.stdout)
        assert made["instance_id"].startswith("uuid:")
        shown = json.loads(ctl("--json", "submissions", "show", made["instance_id"],
                               data_dir=data).stdout)
        assert shown["state"] == "queued" and shown["assisted_by"] == "staff7"
        assert shown["receipt_number"] == made["receipt_number"]
        # The receipt's QR verifies as this kiosk's.
        result = ctl("receipt", "print", made["receipt_number"], data_dir=data)
        assert result.returncode == 0, result.stderr
        assert os.path.exists(os.path.join(data, "receipts", made["receipt_number"] + ".pdf"))
        # An incomplete fill is refused, with every problem named, and nothing stored.
        result = submit(data, "complaint", COMPLAINT[:1])
        assert result.returncode == 1
        assert "/complaint/details" in result.stderr and "/complaint/consent" in result.stderr
        listed = json.loads(ctl("--json", "submissions", "list", data_dir=data).stdout)
        assert len(listed) == 1
        # The frozen payload holds the answers (this form is not encrypted).
        files = exported_files(data)
        payloads = [v for k, v in files.items() if k.endswith("submission.xml")]
        assert len(payloads) == 1 and "4711".encode() in payloads[0]


def check_submit_encrypts_for_the_server():
    with tempfile.TemporaryDirectory() as data:
        key = os.path.join(data, "server.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", key], check=True, capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        import base64
        with open(os.path.join(FORMS, "complaint.xml"), encoding="utf-8") as f:
            form = f.read()
        form = form.replace("</model>", '<submission method="post" base64RsaPublicKey="%s"/>'
                            "</model>" % base64.b64encode(der).decode())
        path = os.path.join(data, "complaint-encrypted.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(form)
        result = ctl("forms", "install", path, "--media", os.path.join(FORMS, "media"),
                     data_dir=data)
        assert result.returncode == 0, result.stderr
        result = submit(data, "complaint", COMPLAINT)
        assert result.returncode == 0, result.stderr
        files = exported_files(data)
        manifest = [v for k, v in files.items() if k.endswith("submission.xml")]
        assert len(manifest) == 1, sorted(files)
        assert b'encrypted="yes"' in manifest[0] and b"base64EncryptedKey" in manifest[0]
        export_manifest = [v for k, v in files.items() if k.endswith("manifest.json")][0]
        assert b"submission.xml.enc" in export_manifest, export_manifest[:400]
        assert any("attachment" in k for k in files), sorted(files)
        # Nothing the citizen typed is readable in what leaves the kiosk.
        for name, content in files.items():
            assert "4711".encode() not in content, name
            assert "ถนน".encode() not in content, name
        # A form whose key is broken is refused at install, naming the problem.
        bad = form.replace(base64.b64encode(der).decode()[:40], "A" * 40)
        with open(path, "w", encoding="utf-8") as f:
            f.write(bad)
        result = ctl("forms", "install", path, "--media", os.path.join(FORMS, "media"),
                     data_dir=data)
        assert result.returncode == 1 and "base64RsaPublicKey" in result.stderr, result.stderr


sys.exit(taplib.run([
    check_submit_finalizes_like_the_kiosk,
    check_submit_encrypts_for_the_server,
    check_status_json_on_empty_dir,
    check_global_options_anywhere,
    check_usage_errors_exit_2,
    check_help_and_version,
    check_unknown_submission_refused,
    check_not_a_database_refused_untouched,
    check_unwritable_data_dir_is_environment_error,
    check_missing_library_named,
]))
