#!/usr/bin/env python3
"""Turns the kiosk's symbolic SVG icons into GTK's symbolic PNGs.

GTK draws a symbolic PNG (the icon's shape with its colour classes kept in
the channels, as written by gtk4-encode-symbolic-svg) without loading an SVG
renderer. The start screen's two icons were the only SVGs it showed, and
loading librsvg for them cost some 8 ms of the kiosk's cold start
(BENCHMARKS.md). Each SVG is written at each size as NAME-SIZE.symbolic.png
in OUT_DIR; the resource file gives each its place in the icon theme.

usage: encode-symbolic-icons.py ENCODER OUT_DIR SIZES SVG...
       SIZES is a comma-separated list of pixel sizes, e.g. 32,64,128
"""
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    encoder, out_dir, sizes = sys.argv[1], sys.argv[2], sys.argv[3]
    for svg in sys.argv[4:]:
        name = os.path.basename(svg)[:-len('.svg')]
        for size in sizes.split(','):
            with tempfile.TemporaryDirectory() as tmp:
                # The encoder names its output after the input and sizes it
                # by the WIDTHxHEIGHT argument.
                subprocess.run([encoder, '-o', tmp, svg, f'{size}x{size}'], check=True)
                shutil.move(os.path.join(tmp, f'{name}.symbolic.png'),
                            os.path.join(out_dir, f'{name}-{size}.symbolic.png'))


if __name__ == '__main__':
    main()
