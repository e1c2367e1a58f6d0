#!/usr/bin/env python3
"""Rebuilds the seed corpora in corpus/ from the conformance forms.

usage: make-seeds.py SHARED_DIR

xpath/ gets every distinct expression the conformance forms use (binds'
calculate, relevant, constraint, required and readonly, itemset nodesets,
output values, setvalue values, jr:count) plus the expressions of
tests/forms/xpath-cases.txt; form/ gets the smaller conformance forms and the
demo forms in assets/forms. Files are named by a hash of their contents, so
rerunning adds nothing twice. The other targets' seeds are written by the
targets themselves (FUZZ_MAKE_SEEDS) or by hand; see README in corpus/.
"""
import glob
import hashlib
import os
import re
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXPR_ATTRS = ('calculate', 'relevant', 'constraint', 'required', 'readonly', 'nodeset',
              'value', '{http://openrosa.org/javarosa}count')
FORM_SEED_MAX_BYTES = 24 * 1024
FORM_SEED_MAX_COUNT = 80


def write(folder, data):
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), 'wb') as f:
        f.write(data)


def expressions(path):
    try:
        tree = ET.parse(path)
    except ET.ParseError:
        return
    for el in tree.iter():
        tag = el.tag.split('}')[-1]
        for attr in EXPR_ATTRS:
            v = el.get(attr)
            if v is None or not v.strip():
                continue
            # A bind's or a repeat's nodeset is a path; an itemset's is a filter.
            if attr == 'nodeset' and tag not in ('itemset',):
                continue
            if attr == 'value' and tag not in ('output', 'setvalue', 'value'):
                continue
            yield v.strip()


def main():
    shared = sys.argv[1]
    cases = sorted(glob.glob(os.path.join(shared, 'conformance', 'xforms', 'cases', '*.xml')))
    seen = set()
    for path in cases:
        for expr in expressions(path):
            if expr not in seen:
                seen.add(expr)
    with open(os.path.join(ROOT, 'tests', 'forms', 'xpath-cases.txt'), encoding='utf-8') as f:
        for line in f:
            if '=>' in line and not line.startswith('#'):
                seen.add(line.split('=>')[0].strip())
    for expr in sorted(seen):
        write(os.path.join(HERE, 'corpus', 'xpath'), expr.encode('utf-8'))

    small = [p for p in cases if os.path.getsize(p) <= FORM_SEED_MAX_BYTES]
    # Spread the picks over the whole alphabetical list so every feature
    # family of the conformance set (repeats, itext, selects…) is seeded.
    step = max(1, len(small) // FORM_SEED_MAX_COUNT)
    for path in small[::step][:FORM_SEED_MAX_COUNT]:
        with open(path, 'rb') as f:
            write(os.path.join(HERE, 'corpus', 'form'), f.read())
    for path in sorted(glob.glob(os.path.join(ROOT, 'assets', 'forms', '*.xml'))):
        with open(path, 'rb') as f:
            write(os.path.join(HERE, 'corpus', 'form'), f.read())
    print(f'{len(seen)} expressions, {min(len(small), FORM_SEED_MAX_COUNT)} conformance forms')


if __name__ == '__main__':
    main()
