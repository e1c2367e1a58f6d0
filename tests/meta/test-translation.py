#!/usr/bin/env python3
"""The Thai translation keeps up with the sources.

A kiosk that shows one English sentence to an elderly villager has failed
them, and a translation that is merely "fuzzy" is worse: gettext ignores it,
so the English text appears anyway. These checks therefore rebuild the
message template from po/POTFILES.in the way meson's i18n module does (glib
preset), merge po/th.po against it without fuzzy matching and require every
message to be translated. They also make sure the desktop file and the
AppStream metainfo really receive the Thai strings, and that the agreed
Thai terms are used everywhere, so one thing is never called two names.

Usage: test-translation.py SOURCE_ROOT
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import taplib  # noqa: E402

SOURCE_ROOT = sys.argv[1]
PO_DIR = os.path.join(SOURCE_ROOT, "po")
TH_PO = os.path.join(PO_DIR, "th.po")
DESKTOP_IN = os.path.join(SOURCE_ROOT, "assets", "org.saphan.Kiosk.desktop.in")
METAINFO_IN = os.path.join(SOURCE_ROOT, "assets", "org.saphan.Kiosk.metainfo.xml.in")

# The keywords and flags of meson's i18n.gettext(preset: 'glib'); the template
# must hold exactly the messages the real build extracts, or this test would
# pass on strings the kiosk never looks up.
XGETTEXT_GLIB_PRESET = [
    "--from-code=UTF-8",
    "--add-comments",
    "--keyword=_",
    "--keyword=N_",
    "--keyword=C_:1c,2",
    "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2",
    "--keyword=g_dngettext:2,3",
    "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format",
    "--flag=C_:2:pass-c-format",
    "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format",
    "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format",
    "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format",
    "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format",
    "--flag=g_log:3:c-format",
    "--flag=g_print:1:c-format",
    "--flag=g_printerr:1:c-format",
    "--flag=g_printf:1:c-format",
    "--flag=g_fprintf:2:c-format",
    "--flag=g_sprintf:2:c-format",
    "--flag=g_snprintf:3:c-format",
]

# One Thai term for each idea the citizen meets on several screens. If an
# English message names the idea, its Thai translation must use this term;
# a villager who was told "ใบรับเรื่อง" on one screen must not be shown a
# different word for the same slip of paper on the next.
GLOSSARY = [
    (r"\breceipts?\b", "ใบรับเรื่อง"),
    (r"\bkiosks?\b", "ตู้บริการ"),
    (r"\bprinters?\b", "เครื่องพิมพ์"),
    (r"\bstaff\b", "เจ้าหน้าที่"),
    (r"\bsync\b", "ส่งข้อมูล"),
    (r"\bqueue[ds]?\b", "คิว"),
    # "Form" is also a verb ("the calculations form a cycle") and a shape
    # ("its canonical form"); neither is the paper a citizen fills in.
    (r"(?<!calculations )(?<!canonical )\bforms?\b", "แบบฟอร์ม"),
    (r"\bnational id\b", "เลขประจำตัวประชาชน"),
    (r"\bbuddhist era\b", "พ.ศ."),
]

# Messages that mention a glossary word only as part of a command, option or
# file name the administrator types literally, where the Thai text keeps the
# English word on purpose (the state names of "saphanctl submissions" too).
LITERAL_MENTIONS = re.compile(r"saphanctl [a-z -]+|--[a-z-]+|[A-Z_]+\.[a-z]+|\(queued, [a-z, -]+\)")

TMPDIR = tempfile.mkdtemp(prefix="saphan-po-")


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, **kwargs)


def need_gettext_tools():
    for tool in ("xgettext", "msgmerge", "msgfmt", "msgattrib", "msgcat"):
        if shutil.which(tool) is None:
            raise taplib.Skip(f"{tool} is not installed (package gettext)")


def fresh_template():
    """Extract the messages of the current sources into a new template."""
    pot = os.path.join(TMPDIR, "saphan.pot")
    if not os.path.exists(pot):
        result = run(["xgettext", *XGETTEXT_GLIB_PRESET,
                      "--package-name=saphan", "--files-from=po/POTFILES.in",
                      "--directory=" + SOURCE_ROOT, "--output=" + pot],
                     cwd=SOURCE_ROOT)
        assert result.returncode == 0, f"xgettext failed:\n{result.stderr}"
    return pot


def merged_translation():
    """th.po merged against the fresh template, as the next update-po makes it."""
    merged = os.path.join(TMPDIR, "th.po")
    if not os.path.exists(merged):
        result = run(["msgmerge", "--quiet", "--no-fuzzy-matching",
                      "--output-file=" + merged, TH_PO, fresh_template()])
        assert result.returncode == 0, f"msgmerge failed:\n{result.stderr}"
    return merged


def statistics(po):
    """The counts msgfmt reports, after its format and header checks pass."""
    result = run(["msgfmt", "--check", "--statistics", "--output-file=/dev/null", po])
    assert result.returncode == 0, f"msgfmt --check found errors:\n{result.stderr}"
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for number, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", result.stderr):
        counts[kind] = int(number)
    return counts


def msgids(po, *selection):
    """The msgids that msgattrib selects, for naming them in a failure."""
    result = run(["msgattrib", "--no-wrap", "--no-obsolete", *selection, po])
    assert result.returncode == 0, f"msgattrib failed:\n{result.stderr}"
    return re.findall(r'^msgid "(.+)"$', result.stdout, flags=re.MULTILINE)


def entries(po):
    """(msgid, msgstr) pairs of a PO file, plural forms folded into one text."""
    result = run(["msgcat", "--no-wrap", "--no-location", po])
    assert result.returncode == 0, result.stderr
    pairs = []
    for block in result.stdout.split("\n\n"):
        ids = re.findall(r'^msgid(?:_plural)? "(.*)"$', block, flags=re.MULTILINE)
        strs = re.findall(r'^msgstr(?:\[\d+\])? "(.*)"$', block, flags=re.MULTILINE)
        if ids and ids[0]:
            pairs.append((" ".join(ids), " ".join(strs)))
    return pairs


def check_th_po_is_valid():
    need_gettext_tools()
    counts = statistics(TH_PO)
    assert counts["translated"] > 0, "po/th.po translates nothing"
    with open(TH_PO, encoding="utf-8") as f:
        header = f.read(4096)
    # Thai has no grammatical plural: one form, always used.
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header, "th.po must declare nplurals=1"
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header, "th.po must be UTF-8"


def check_every_message_translated():
    need_gettext_tools()
    merged = merged_translation()
    counts = statistics(merged)
    untranslated = msgids(merged, "--untranslated")
    fuzzy = msgids(merged, "--only-fuzzy")
    assert counts["untranslated"] == 0, (
        f"{counts['untranslated']} messages of the current sources have no Thai "
        "translation; run 'ninja saphan-update-po' and translate them:\n  "
        + "\n  ".join(untranslated[:40]))
    assert counts["fuzzy"] == 0, (
        f"{counts['fuzzy']} Thai translations are fuzzy and would not be shown; "
        "check them and remove the fuzzy flag:\n  " + "\n  ".join(fuzzy[:40]))
    print(f"# {counts['translated']} messages, all translated")


def check_no_stale_fuzzy_in_file():
    # The file itself, not only the merge: a fuzzy entry left for a message
    # that was since removed is harmless at runtime, but it means a
    # translator's doubt was never resolved.
    need_gettext_tools()
    fuzzy = msgids(TH_PO, "--only-fuzzy")
    assert not fuzzy, "po/th.po keeps fuzzy entries:\n  " + "\n  ".join(fuzzy[:40])


def check_desktop_file_gets_thai():
    need_gettext_tools()
    out = os.path.join(TMPDIR, "org.saphan.Kiosk.desktop")
    result = run(["msgfmt", "--desktop", "--template=" + DESKTOP_IN, "--locale=th",
                  "--output-file=" + out, merged_translation()])
    assert result.returncode == 0, f"msgfmt --desktop failed:\n{result.stderr}"
    with open(out, encoding="utf-8") as f:
        text = f.read()
    for key in ("Name", "GenericName", "Comment", "Keywords"):
        if re.search(rf"^{key}=", text, flags=re.MULTILINE):
            match = re.search(rf"^{key}\[th\]=(.+)$", text, flags=re.MULTILINE)
            assert match, f"the desktop file has no Thai {key}"
            assert re.search("[\u0e00-\u0e7f]", match.group(1)), f"{key}[th] is not Thai"
    keywords = re.search(r"^Keywords\[th\]=(.+)$", text, flags=re.MULTILINE)
    if keywords:
        assert keywords.group(1).endswith(";"), "Keywords[th] must end with a semicolon"


def check_metainfo_gets_thai():
    need_gettext_tools()
    out = os.path.join(TMPDIR, "org.saphan.Kiosk.metainfo.xml")
    result = run(["msgfmt", "--xml", "--template=" + METAINFO_IN, "--locale=th",
                  "--output-file=" + out, merged_translation()])
    assert result.returncode == 0, f"msgfmt --xml failed:\n{result.stderr}"
    with open(out, encoding="utf-8") as f:
        text = f.read()
    for element in ("name", "summary", "p", "li"):
        if re.search(rf"<{element}>", text):
            match = re.search(rf'<{element} xml:lang="th">([^<]+)<', text)
            assert match, f"the metainfo has no Thai <{element}>"
            assert re.search("[\u0e00-\u0e7f]", match.group(1)), f"<{element}> is not Thai"


def check_glossary_terms():
    need_gettext_tools()
    wrong = []
    for msgid, msgstr in entries(TH_PO):
        english = LITERAL_MENTIONS.sub("", msgid).lower()
        for pattern, thai in GLOSSARY:
            if re.search(pattern, english) and thai not in msgstr:
                wrong.append(f"{msgid!r} should say {thai}")
    assert not wrong, "translations leave the glossary:\n  " + "\n  ".join(wrong)


# A translatable call and the string literals and macros it is given.
TRANSLATABLE_CALL = re.compile(
    r'\b(?:_|N_|C_|NC_|g_dngettext|g_dpgettext2)\s*\('
    r'((?:\s*(?:"(?:[^"\\]|\\.)*"|[A-Z][A-Z0-9_]*|,))+)', re.S)


def check_no_glib_format_macros_in_messages():
    """xgettext stops a message at G_GINT64_FORMAT and the like, so the
    template would hold a cut-off text that no lookup ever matches and the
    message would stay English. Messages use %zu or <inttypes.h>'s PRId64,
    which gettext understands."""
    with open(os.path.join(PO_DIR, "POTFILES.in"), encoding="utf-8") as listing:
        sources = [line.strip() for line in listing
                   if line.strip().endswith(".c") and not line.startswith("#")]
    found = []
    for source in sources:
        with open(os.path.join(SOURCE_ROOT, source), encoding="utf-8") as f:
            text = f.read()
        for call in TRANSLATABLE_CALL.finditer(text):
            macro = re.search(r"\bG_G[A-Z0-9]+_FORMAT\b", call.group(1))
            if macro:
                line = text.count("\n", 0, call.start()) + 1
                found.append(f"{source}:{line} uses {macro.group(0)}")
    assert not found, "messages that xgettext would cut off:\n  " + "\n  ".join(found)


# Without gettext's tools nothing can be checked. Under meson's TAP protocol
# exit status 77 would count as an error, so the whole test is skipped the
# TAP way: a plan of zero tests with a SKIP directive.
MISSING = [tool for tool in ("xgettext", "msgmerge", "msgfmt", "msgattrib", "msgcat")
           if shutil.which(tool) is None]
if MISSING:
    print(f"1..0 # SKIP {', '.join(MISSING)} not installed (package gettext)")
    shutil.rmtree(TMPDIR, ignore_errors=True)
    sys.exit(0)

status = taplib.run([
    check_th_po_is_valid,
    check_every_message_translated,
    check_no_stale_fuzzy_in_file,
    check_desktop_file_gets_thai,
    check_metainfo_gets_thai,
    check_glossary_terms,
    check_no_glib_format_macros_in_messages,
])
shutil.rmtree(TMPDIR, ignore_errors=True)
sys.exit(status)
