#!/usr/bin/env python3
"""Writes a large generated XForm for the form-engine benchmark.

usage: gen-form.py OUT.xml [QUESTIONS CALCULATES RELEVANTS]

Defaults: 2,000 integer questions, 500 calculates and 500 relevants. Each
calculate adds two questions and, within a run of ten, the calculate before
it, so one answer ripples through a chain as real scoring sections do. The
relevants sit on questions 1001-1500 and each depends on the question 1000
places earlier. Answering q0001 therefore recomputes one chain of ten
calculates and one relevance: the incremental case the benchmark times.
"""
import sys


def main():
    out = sys.argv[1]
    n_q, n_c, n_r = (int(x) for x in (sys.argv[2:5] if len(sys.argv) >= 5 else (2000, 500, 500)))
    qn = lambda i: f'q{i:04d}'
    cn = lambda k: f'c{k:03d}'
    lines = ['<?xml version="1.0"?>',
             '<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"'
             ' xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"'
             ' xmlns:odk="http://www.opendatakit.org/xforms">',
             f'<h:head><h:title>Generated {n_q}</h:title>',
             '<model odk:xforms-version="1.0.0"><instance>',
             f'<data id="generated_{n_q}" version="1">']
    lines += [f'<{qn(i)}/>' for i in range(1, n_q + 1)]
    lines += [f'<{cn(k)}/>' for k in range(1, n_c + 1)]
    lines += ['<meta><instanceID/></meta></data></instance>']
    for i in range(1, n_q + 1):
        rel = ''
        if 1000 < i <= 1000 + n_r:
            rel = f' relevant="/data/{qn(i - 1000)} &gt; 0"'
        lines.append(f'<bind nodeset="/data/{qn(i)}" type="int"{rel}/>')
    for k in range(1, n_c + 1):
        a, b = qn(2 * k - 1), qn(2 * k)
        expr = f'coalesce(/data/{a}, 0) + 2 * coalesce(/data/{b}, 0)'
        if k % 10 != 1:
            expr += f' + coalesce(/data/{cn(k - 1)}, 0)'
        lines.append(f'<bind nodeset="/data/{cn(k)}" type="int" calculate="{expr}"/>')
    lines.append('<bind nodeset="/data/meta/instanceID" type="string" readonly="true()"'
                 ' jr:preload="uid"/>')
    lines.append('</model></h:head><h:body>')
    for i in range(1, n_q + 1):
        lines.append(f'<input ref="/data/{qn(i)}"><label>Question {i}</label></input>')
    lines.append('</h:body></h:html>')
    with open(out, 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
