#!/usr/bin/env bash
# Builds the Debian binary packages from the working tree into OUT_DIR and
# checks them with lintian. debian/ lives in packaging/debian so that the
# source tree keeps its layout; the build runs in a copy with debian/ at the
# top, as dpkg-buildpackage expects.
#
# usage: packaging/build-deb.sh [OUT_DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-deb}
version=$(sed -n '1s/.*(\(.*\)-[^-]*).*/\1/p' "$top/packaging/debian/changelog")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

src="$work/saphan-$version"
mkdir -p "$src" "$out"
tar -C "$top" --exclude='./build*' --exclude='./.git' --exclude='node_modules' \
  --exclude='./packaging/debian' -cf - . | tar -C "$src" -xf -
# Symlinks inside debian/ point into packaging/; copy their targets.
cp -rL "$top/packaging/debian" "$src/debian"

(cd "$src" && dpkg-checkbuilddeps && dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1 || {
  tail -40 "$out/build.log" >&2
  echo "build-deb: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
  exit 1
}
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out/"
lintian --fail-on error --suppress-tags-from-file /dev/null "$out"/*.changes
ls "$out"/*.deb
