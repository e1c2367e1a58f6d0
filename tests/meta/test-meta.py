#!/usr/bin/env python3
"""Consistency checks over the source tree: translations and documentation
keep up with the code."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import taplib  # noqa: E402

SOURCE_ROOT = sys.argv[1]
SAPHANCTL = sys.argv[2]
SOURCE_DIRS = ("app", "ui", "sync", "printing", "cli", "assets")

def source_files():
    for top in SOURCE_DIRS:
        for folder, dirs, files in os.walk(os.path.join(SOURCE_ROOT, top)):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                yield os.path.relpath(os.path.join(folder, name), SOURCE_ROOT)


def potfiles():
    with open(os.path.join(SOURCE_ROOT, "po", "POTFILES.in"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def check_potfiles_complete():
    listed = set(potfiles())
    missing = []
    for path in source_files():
        if not path.endswith((".c", ".ui", ".desktop.in", ".metainfo.xml.in", ".gschema.xml")):
            continue
        with open(os.path.join(SOURCE_ROOT, path), encoding="utf-8") as f:
            text = f.read()
        if path.endswith(".c"):
            has = re.search(r'(^|[^A-Za-z0-9_])(_|N_|C_|NC_)\(\s*"', text)
        elif path.endswith(".ui"):
            has = 'translatable="yes"' in text
        else:
            has = True  # data files always carry translatable text
        if has and path not in listed:
            missing.append(path)
    assert not missing, "not in po/POTFILES.in: " + ", ".join(missing)


def check_potfiles_exist_and_sorted():
    files = potfiles()
    for path in files:
        assert os.path.exists(os.path.join(SOURCE_ROOT, path)), f"listed but missing: {path}"
    assert files == sorted(files), "po/POTFILES.in is not sorted"
    assert len(files) == len(set(files)), "po/POTFILES.in lists a file twice"


def check_every_command_in_readme():
    result = subprocess.run([SAPHANCTL, "--help"], capture_output=True, text=True, check=True)
    with open(os.path.join(SOURCE_ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    commands = []
    for line in result.stdout.splitlines():
        match = re.match(r"^  (\S+(?: [a-z-]+)?)\s{2,}", line)
        if match:
            commands.append(match.group(1))
    assert commands, "saphanctl --help listed no commands"
    missing = [c for c in commands if f"saphanctl {c}" not in readme and
               not re.search(r"saphanctl (\[[^]]*\] )*" + re.escape(c), readme)]
    assert not missing, "commands missing from README.md: " + ", ".join(missing)


def check_linguas_has_thai():
    with open(os.path.join(SOURCE_ROOT, "po", "LINGUAS"), encoding="utf-8") as f:
        assert "th" in f.read().split()


sys.exit(taplib.run([
    check_potfiles_complete,
    check_potfiles_exist_and_sorted,
    check_every_command_in_readme,
    check_linguas_has_thai,
]))
