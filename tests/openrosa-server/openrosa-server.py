#!/usr/bin/env python3
# openrosa-server.py: a reference OpenRosa server for Saphan's sync tests.
#
# It reproduces what ODK Central documents for app users and what the
# OpenRosa Form Submission API requires, and nothing more:
#
#   HEAD /v1/key/{token}/projects/{id}/submission  -> 204, X-OpenRosa-* headers
#   POST /v1/key/{token}/projects/{id}/submission  -> 201 new, 201 identical
#        duplicate (attachments merged), 409 same instanceID with other XML,
#        404 unknown form, 403 bad token
#   GET  /v1/key/{token}/projects/{id}/formList     -> xformsList with md5 hashes
#   GET  /v1/key/{token}/projects/{id}/forms/{id}.xml
#   and the same under /submission and /formList for a generic OpenRosa server,
#   optionally behind HTTP Basic or Digest authentication.
#
# Tests steer it through two extra endpoints that a real server lacks:
#   POST /control  JSON {"faults": [...], "reset": true, "seed": {...}, ...}
#   GET  /query    JSON with every stored instanceID and how often it was seen
#
# A fault is a JSON object applied to the next matching request, in order:
#   {"on": "post"|"head"|"get"|"any", "kind": KIND, "times": N, ...}
# with KIND one of status (code, body, retry_after), delay (seconds, then the
# normal answer), slow (bytes_per_second for the normal answer), drop-before
# (read the body, close), drop-after (store, then close without an answer:
# the client cannot know it was delivered), captive (200 text/html),
# redirect (302 to a login page), garbage (201 not XML), huge (201 with a
# body of `size` bytes). "random_drop_after" and "random_status" in /control
# give a per-request probability instead, for long soak runs.
#
# Standard library only; not installed with Saphan.

import argparse
import email.parser
import email.policy
import hashlib
import json
import os
import random
import re
import socket
import sys
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OPENROSA_NS = "http://openrosa.org/http/response"
XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"


class State:
    """Everything the server remembers, behind one lock."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.forms = {}          # form id -> (version, title, xml bytes)
        self.known_form_ids = set(args.form or [])
        self.corrupt_hash = set()      # form ids listed with a wrong md5
        self.store_dir = args.store_dir
        self.reset()
        if args.forms_dir:
            for name in sorted(os.listdir(args.forms_dir)):
                if name.endswith(".xml"):
                    with open(os.path.join(args.forms_dir, name), "rb") as f:
                        self.add_form(f.read())

    def reset(self):
        # Requests that began before a reset (a delayed answer still
        # sleeping) must not store into the next test's state.
        self.generation = getattr(self, "generation", 0) + 1
        self.instances = {}      # instanceID -> record dict
        self.faults = []
        self.random_drop_after = 0.0
        self.random_status = 0.0
        self.counters = {"head": 0, "post": 0, "created": 0, "duplicate": 0,
                         "conflict": 0, "not_found": 0, "forbidden": 0,
                         "unauthorized": 0, "faults": 0, "dropped": 0}
        self.dates_missing = 0
        self.version_missing = 0

    def add_form(self, xml):
        root = ET.fromstring(xml)
        title = ""
        form_id = None
        version = ""
        for el in root.iter():
            if el.tag.endswith("}title") and not title:
                title = el.text or ""
            if el.tag.endswith("}instance") and form_id is None:
                for child in el:
                    form_id = child.get("id")
                    version = child.get("version") or ""
                    break
        if form_id is None:
            raise ValueError("form without a primary instance id")
        self.forms[form_id] = (version, title, xml)
        self.known_form_ids.add(form_id)

    def take_fault(self, method):
        """Returns the next fault for METHOD, consuming one use of it."""
        with self.lock:
            for i, fault in enumerate(self.faults):
                on = fault.get("on", "post")
                if on != "any" and on != method:
                    continue
                times = fault.get("times", 1)
                if times <= 1:
                    del self.faults[i]
                else:
                    fault["times"] = times - 1
                self.counters["faults"] += 1
                return dict(fault)
            if method == "post" and self.random_status and random.random() < self.random_status:
                self.counters["faults"] += 1
                return {"kind": "status", "code": 503}
            if method == "post" and self.random_drop_after and random.random() < self.random_drop_after:
                self.counters["faults"] += 1
                return {"kind": "drop-after"}
        return None


def openrosa_body(message, nature=""):
    return ('<OpenRosaResponse xmlns="%s" items="0"><message nature="%s">%s</message>'
            '</OpenRosaResponse>' % (OPENROSA_NS, nature, message)).encode()


def submission_ids(xml):
    """The form id (root's id attribute) and meta/instanceID of a submission."""
    root = ET.fromstring(xml)
    form_id = root.get("id")
    instance_id = None
    for el in root.iter():
        if el.tag.split("}")[-1] == "instanceID":
            instance_id = (el.text or "").strip()
            break
    return form_id, instance_id


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, each
    # answer would wait for the client's delayed ACK (40 ms).
    disable_nagle_algorithm = True
    server_version = "SaphanTestOpenRosa/1.0"

    def log_message(self, fmt, *args):
        if self.server.state.args.verbose:
            sys.stderr.write("openrosa-server: " + (fmt % args) + "\n")

    # ---- plumbing --------------------------------------------------------

    def reply(self, code, body=b"", content_type="text/xml; charset=utf-8",
              headers=None, slow=0, openrosa=True):
        self.send_response(code)
        if openrosa:
            self.send_header("X-OpenRosa-Version", "1.0")
        if body or code not in (204, 304):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD" or not body:
            return
        if slow:
            step = max(1, int(slow) // 10)
            for i in range(0, len(body), step):
                self.wfile.write(body[i:i + step])
                self.wfile.flush()
                time.sleep(step / slow)
        else:
            self.wfile.write(body)

    def drop(self):
        """Closes the connection without an answer."""
        self.close_connection = True
        with self.server.state.lock:
            self.server.state.counters["dropped"] += 1
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(parts)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def route(self):
        """Returns (kind, ok) for the path: kind is submission, formList,
        form:<id> or None; ok is False when the credentials are wrong."""
        args = self.server.state.args
        path = self.path.split("?")[0]
        # As a forward proxy's target the request line carries the full URL.
        if path.startswith("http://"):
            with self.server.state.lock:
                self.server.state.counters["proxied"] = self.server.state.counters.get("proxied", 0) + 1
            path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
        m = re.fullmatch(r"/v1/key/([^/]+)/projects/(\d+)/(submission|formList|forms/([^/]+)\.xml)", path)
        if m:
            ok = m.group(1) == args.token and m.group(2) == str(args.project)
            what = m.group(3)
            return ("form:" + m.group(4) if m.group(4) else what), ok
        m = re.fullmatch(r"/(submission|formList|forms/([^/]+)\.xml)", path)
        if m:
            return ("form:" + m.group(2) if m.group(2) else m.group(1)), self.check_password()
        return None, True

    def check_password(self):
        args = self.server.state.args
        if not args.user:
            return True
        auth = self.headers.get("Authorization", "")
        if args.auth == "basic" and auth.startswith("Basic "):
            import base64
            try:
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            except Exception:
                return False
            return user == args.user and password == args.password
        if args.auth == "digest" and auth.startswith("Digest "):
            fields = dict(re.findall(r'(\w+)="?([^",]*)"?', auth[7:]))
            ha1 = hashlib.md5(("%s:%s:%s" % (args.user, "saphan-test", args.password)).encode()).hexdigest()
            ha2 = hashlib.md5(("%s:%s" % (self.command, fields.get("uri", ""))).encode()).hexdigest()
            if fields.get("qop"):
                expect = hashlib.md5(("%s:%s:%s:%s:%s:%s" % (
                    ha1, fields.get("nonce"), fields.get("nc"), fields.get("cnonce"),
                    fields.get("qop"), ha2)).encode()).hexdigest()
            else:
                expect = hashlib.md5(("%s:%s:%s" % (ha1, fields.get("nonce"), ha2)).encode()).hexdigest()
            return fields.get("username") == args.user and fields.get("response") == expect
        return False

    def refuse_auth(self, central):
        state = self.server.state
        with state.lock:
            state.counters["forbidden" if central else "unauthorized"] += 1
        if central:
            self.reply(403, openrosa_body("The authentication you provided does not have rights to perform that action."))
            return
        args = state.args
        if args.auth == "digest":
            challenge = 'Digest realm="saphan-test", qop="auth", nonce="%s"' % os.urandom(8).hex()
        else:
            challenge = 'Basic realm="saphan-test"'
        self.reply(401, openrosa_body("Authentication required."),
                   headers={"WWW-Authenticate": challenge})

    def apply_fault(self, fault):
        """Answers a fault that replaces the normal answer. Returns True if
        the request is finished."""
        kind = fault.get("kind")
        if kind == "status":
            headers = {}
            if "retry_after" in fault:
                headers["Retry-After"] = str(fault["retry_after"])
            body = fault.get("body")
            body = body.encode() if body is not None else openrosa_body("injected %d" % fault["code"])
            self.reply(int(fault["code"]), body, content_type=fault.get("content_type", "text/xml; charset=utf-8"),
                       headers=headers)
            return True
        if kind == "captive":
            self.reply(200, b"<html><head><title>Sign in to WiFi</title></head><body>"
                            b"<form action='/login'></form></body></html>", content_type="text/html",
                       openrosa=False)
            return True
        if kind == "redirect":
            self.reply(302, b"", content_type="text/html", headers={"Location": "http://login.example/portal"},
                       openrosa=False)
            return True
        if kind == "garbage":
            self.reply(201, b"\x00\x01<<not xml at all", content_type="text/xml")
            return True
        if kind == "huge":
            self.reply(201, b"<OpenRosaResponse>" + b"A" * int(fault.get("size", 8 << 20)) + b"</OpenRosaResponse>")
            return True
        return False

    # ---- methods ---------------------------------------------------------

    def do_HEAD(self):
        state = self.server.state
        kind, ok = self.route()
        with state.lock:
            state.counters["head"] += 1
        fault = state.take_fault("head")
        if fault:
            if fault.get("kind") == "delay":
                time.sleep(float(fault.get("seconds", 1)))
            elif fault.get("kind") in ("drop-before", "drop-after"):
                return self.drop()
            elif self.apply_fault(fault):
                return
        if kind != "submission":
            return self.reply(404, b"")
        if not ok:
            return self.refuse_auth(self.path.startswith("/v1/"))
        self.reply(204, b"", headers={"X-OpenRosa-Accept-Content-Length": str(state.args.max_length)})

    def do_GET(self):
        state = self.server.state
        path = self.path.split("?")[0]
        if path == "/query":
            return self.query()
        kind, ok = self.route()
        fault = state.take_fault("get")
        if fault:
            if fault.get("kind") == "delay":
                time.sleep(float(fault.get("seconds", 1)))
            elif fault.get("kind") in ("drop-before", "drop-after"):
                return self.drop()
            elif self.apply_fault(fault):
                return
        if kind is None or kind == "submission":
            return self.reply(404, b"")
        if not ok:
            return self.refuse_auth(self.path.startswith("/v1/"))
        prefix = path.rsplit("/", 1)[0]
        host = self.headers.get("Host", "127.0.0.1")
        if kind == "formList":
            items = []
            with state.lock:
                for form_id, (version, title, xml) in sorted(state.forms.items()):
                    digest = hashlib.md5(xml).hexdigest()
                    if form_id in state.corrupt_hash:
                        digest = hashlib.md5(xml + b"x").hexdigest()
                    items.append(
                        "<xform><formID>%s</formID><name>%s</name><version>%s</version>"
                        "<hash>md5:%s</hash><downloadUrl>http://%s%s/forms/%s.xml</downloadUrl></xform>"
                        % (form_id, title, version, digest, host, prefix, form_id))
            body = ('<?xml version="1.0" encoding="UTF-8"?><xforms xmlns="%s">%s</xforms>'
                    % (XFORMS_LIST_NS, "".join(items))).encode()
            return self.reply(200, body)
        form = state.forms.get(kind[len("form:"):])
        if form is None:
            return self.reply(404, b"")
        self.reply(200, form[2], slow=(fault or {}).get("bytes_per_second", 0) if fault and fault.get("kind") == "slow" else 0)

    def do_POST(self):
        state = self.server.state
        path = self.path.split("?")[0]
        if path == "/control":
            return self.control(json.loads(self.read_body() or b"{}"))
        kind, ok = self.route()
        generation = state.generation
        fault = state.take_fault("post")
        body = self.read_body()
        with state.lock:
            state.counters["post"] += 1
            if "Date" not in self.headers:
                state.dates_missing += 1
            if self.headers.get("X-OpenRosa-Version") != "1.0":
                state.version_missing += 1
        slow = 0
        if fault:
            k = fault.get("kind")
            if k == "delay":
                time.sleep(float(fault.get("seconds", 1)))
            elif k == "slow":
                slow = float(fault.get("bytes_per_second", 50))
            elif k == "drop-before":
                return self.drop()
            elif k == "drop-after":
                pass
            elif self.apply_fault(fault):
                return
        if kind != "submission":
            return self.reply(404, openrosa_body("Not found."))
        if not ok:
            return self.refuse_auth(self.path.startswith("/v1/"))
        code, message = self.accept(body, generation)
        if fault and fault.get("kind") == "drop-after":
            return self.drop()
        self.reply(code, openrosa_body(message), slow=slow)

    # ---- the submission itself -------------------------------------------

    def accept(self, body, generation):
        state = self.server.state
        ctype = self.headers.get("Content-Type", "")
        if not ctype.startswith("multipart/form-data"):
            return 400, "Expected multipart/form-data."
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
        xml = None
        files = {}
        incomplete = False
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if name == "xml_submission_file":
                xml = data
            elif name == "*isIncomplete*":
                incomplete = True
            elif name:
                files[part.get_filename() or name] = data
        if xml is None:
            return 400, "No xml_submission_file part."
        try:
            form_id, instance_id = submission_ids(xml)
        except ET.ParseError:
            return 400, "The submission XML does not parse."
        with state.lock:
            if generation != state.generation:
                return 503, "The server was reset during this request."
            if form_id not in state.known_form_ids:
                state.counters["not_found"] += 1
                return 404, "Could not find the form you were looking for."
            if not instance_id:
                return 400, "No instanceID."
            rec = state.instances.get(instance_id)
            if rec is None:
                rec = {"xml": xml, "files": {}, "posts": 0, "stored": 1, "duplicates": 0,
                       "incomplete_posts": 0, "form_id": form_id}
                state.instances[instance_id] = rec
                state.counters["created"] += 1
                result = (201, "full submission upload was successful!")
            elif rec["xml"] != xml:
                state.counters["conflict"] += 1
                rec["conflicts"] = rec.get("conflicts", 0) + 1
                return 409, "A submission already exists with this ID, but with different XML."
            else:
                state.counters["duplicate"] += 1
                rec["duplicates"] += 1
                result = (201, "full submission upload was successful!")
            rec["posts"] += 1
            if incomplete:
                rec["incomplete_posts"] += 1
            rec["files"].update(files)
            if state.store_dir:
                folder = os.path.join(state.store_dir, re.sub(r"[^A-Za-z0-9._-]", "_", instance_id))
                os.makedirs(folder, exist_ok=True)
                with open(os.path.join(folder, "submission.xml"), "wb") as f:
                    f.write(xml)
                for name, data in files.items():
                    with open(os.path.join(folder, os.path.basename(name)), "wb") as f:
                        f.write(data)
            return result

    # ---- test-only endpoints ---------------------------------------------

    def control(self, req):
        state = self.server.state
        with state.lock:
            if req.get("reset"):
                state.reset()
            if "faults" in req:
                state.faults.extend(req["faults"])
            if "clear_faults" in req:
                state.faults = []
            if "random_drop_after" in req:
                state.random_drop_after = float(req["random_drop_after"])
            if "random_status" in req:
                state.random_status = float(req["random_status"])
            if "max_length" in req:
                state.args.max_length = int(req["max_length"])
            if "seed" in req:
                # Stores a submission as if another device had sent it.
                xml = req["seed"].encode()
                _, instance_id = submission_ids(xml)
                state.instances[instance_id] = {"xml": xml, "files": {}, "posts": 0, "stored": 1,
                                                "duplicates": 0, "incomplete_posts": 0, "seeded": True}
        if "form_xml" in req:
            with state.lock:
                state.add_form(req["form_xml"].encode())
        if "remove_form" in req:
            with state.lock:
                state.forms.pop(req["remove_form"], None)
        if "corrupt_hash" in req:
            with state.lock:
                state.corrupt_hash.add(req["corrupt_hash"])
        self.reply(200, b'{"ok": true}', content_type="application/json")

    def query(self):
        state = self.server.state
        with state.lock:
            out = {
                "counters": dict(state.counters),
                "dates_missing": state.dates_missing,
                "version_missing": state.version_missing,
                "pending_faults": len(state.faults),
                "instances": {
                    iid: {"stored": rec["stored"], "posts": rec["posts"], "duplicates": rec["duplicates"],
                          "conflicts": rec.get("conflicts", 0), "incomplete_posts": rec["incomplete_posts"],
                          "sha256": hashlib.sha256(rec["xml"]).hexdigest(),
                          "files": {n: hashlib.sha256(d).hexdigest() for n, d in sorted(rec["files"].items())}}
                    for iid, rec in state.instances.items()
                },
            }
        self.reply(200, json.dumps(out, sort_keys=True).encode(), content_type="application/json")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer is what the fault tests do on
        # purpose; only real bugs are worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def main():
    p = argparse.ArgumentParser(description="Reference OpenRosa server for tests.")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--token", default="testtoken", help="the app user's token")
    p.add_argument("--project", type=int, default=1)
    p.add_argument("--form", action="append", help="a form id accepted without a form file")
    p.add_argument("--forms-dir", help="XForms listed by formList")
    p.add_argument("--store-dir", help="also write accepted submissions here")
    p.add_argument("--max-length", type=int, default=10 * 1024 * 1024,
                   help="X-OpenRosa-Accept-Content-Length")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--auth", choices=["basic", "digest"], default="basic")
    p.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate")
    p.add_argument("--tls-key", help="the certificate's PEM private key")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()

    server = Server((args.bind, args.port), Handler)
    if args.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.state = State(args)
    # The first line on stdout is the contract with the tests.
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
