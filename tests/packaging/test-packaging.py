#!/usr/bin/env python3
"""The Debian packages build, hold what a kiosk needs, and pass lintian;
the systemd unit passes systemd-analyze verify."""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import taplib  # noqa: E402

SOURCE_ROOT = sys.argv[1]
UNIT = os.path.join(SOURCE_ROOT, "packaging", "systemd", "saphan-kiosk.service")
OUT = tempfile.mkdtemp(prefix="saphan-deb-", dir=os.environ.get("G_TEST_BUILDDIR"))
built = {}


def contents(deb):
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True)
    return {line.split()[-1].lstrip(".") for line in listing.stdout.splitlines()}


def check_packages_build_and_pass_lintian():
    result = subprocess.run(["bash", os.path.join(SOURCE_ROOT, "packaging", "build-deb.sh"), OUT],
                            capture_output=True, text=True, timeout=1500)
    print("\n".join("# " + line for line in (result.stdout + result.stderr).splitlines()[-30:]))
    assert result.returncode == 0, "build-deb.sh failed (lintian errors or a build failure)"
    for name in os.listdir(OUT):
        match = re.match(r"(saphan-kiosk|saphanctl)_.*\.deb$", name)
        if match:
            built[match.group(1)] = os.path.join(OUT, name)
    assert set(built) == {"saphan-kiosk", "saphanctl"}, os.listdir(OUT)


def check_opened_libraries_are_dependencies():
    """libcurl and libcups are opened at their first use rather than linked
    (app/core/saphan-library.h), so the packages must name them."""
    if set(built) != {"saphan-kiosk", "saphanctl"}:
        raise taplib.Skip("the packages did not build")
    for package, deb in built.items():
        depends = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], capture_output=True,
                                 text=True, check=True).stdout
        for library in ("libcurl4", "libcups2"):
            assert re.search(rf"\b{library}\b", depends), f"{package} does not depend on {library}"
        # ... and the programs must not link them: the kiosk would load
        # thirty more libraries before its first screen.
        unpacked = tempfile.mkdtemp(dir=OUT)
        subprocess.run(["dpkg-deb", "-x", deb, unpacked], check=True)
        program = os.path.join(unpacked, "usr", "bin", package)
        dynamic = subprocess.run(["readelf", "-d", program], capture_output=True, text=True,
                                 check=True).stdout
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic)
        assert "libglib-2.0.so.0" in needed, needed
        assert not [n for n in needed if n.startswith(("libcurl", "libcups"))], needed


def check_saphanctl_file_list():
    if "saphanctl" not in built:
        raise taplib.Skip("the packages did not build")
    files = contents(built["saphanctl"])
    assert "/usr/bin/saphanctl" in files, sorted(files)
    assert "/usr/share/locale/th/LC_MESSAGES/saphan.mo" in files, sorted(files)


def check_kiosk_file_list():
    if "saphan-kiosk" not in built:
        raise taplib.Skip("the packages did not build")
    files = contents(built["saphan-kiosk"])
    for path in ("/usr/bin/saphan-kiosk",
                 "/lib/systemd/system/saphan-kiosk.service",
                 "/usr/share/glib-2.0/schemas/50_saphan-kiosk.gschema.override",
                 "/usr/share/applications/org.saphan.Kiosk.desktop",
                 "/usr/share/metainfo/org.saphan.Kiosk.metainfo.xml",
                 "/usr/share/saphan/forms/elderly_allowance.xml",
                 "/usr/share/saphan/forms/media/subdistricts.csv"):
        assert path in files, f"{path} is not in the kiosk package"
    # dh_installudev names the rule after the package.
    assert any("/udev/rules.d/" in p and "saphan" in p and p.endswith(".rules") for p in files), \
        "the USB mount rule is missing"


def check_unit_verifies():
    result = subprocess.run(["systemd-analyze", "verify", UNIT], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with open(UNIT, encoding="utf-8") as f:
        unit = f.read()
    for setting in ("Restart=always", "WatchdogSec=", "ProtectSystem=strict", "ProtectHome=yes",
                    "PrivateTmp=yes", "NoNewPrivileges=yes", "LimitCORE=0", "User=saphan",
                    "UnsetEnvironment=GTK_DEBUG", "--kiosk", "/var/lib/saphan"):
        assert setting in unit, f"the unit lacks {setting}"


sys.exit(taplib.run([
    check_unit_verifies,
    check_packages_build_and_pass_lintian,
    check_opened_libraries_are_dependencies,
    check_saphanctl_file_list,
    check_kiosk_file_list,
]))
