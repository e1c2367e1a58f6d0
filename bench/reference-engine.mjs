// reference-engine.mjs: ODK's reference engine (@getodk/xforms-engine) timed
// on the same forms as bench-forms, for the ratios in BENCHMARKS.md.
//
// usage: node reference-engine.mjs MODULES_DIR FORM.xml ITERATIONS [REF DEPENDENT... --answers M]
//
// MODULES_DIR is the folder holding node_modules (tests/oracle). The engine
// needs a DOM, which jsdom provides, and a __dirname, which ESM lacks. Load
// is createInstance() (parse plus first evaluation of every bind). The
// recompute is setValue() on REF followed by reading each DEPENDENT's value
// and relevance, since the engine computes lazily and only a read forces the
// work a screen would need. The first iteration warms the JIT and is timed
// separately as the cold load.
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const args = process.argv.slice(2);
const [modulesDir, formPath, iterText] = args;
const require = createRequire(path.join(path.resolve(modulesDir), 'package.json'));
const engineEntry = require.resolve('@getodk/xforms-engine');
globalThis.__dirname = path.dirname(engineEntry);
globalThis.require = require;
const { JSDOM } = await import(pathToFileURL(require.resolve('jsdom')).href);
const dom = new JSDOM('');
for (const name of ['DOMParser', 'XMLSerializer', 'Node', 'Element', 'Document', 'XPathResult',
                    'NodeFilter', 'Attr', 'Text'])
  globalThis[name] = dom.window[name];
globalThis.document = dom.window.document;
globalThis.window = dom.window;
const { createInstance } = await import(pathToFileURL(engineEntry).href);

const rest = args.slice(3);
let answers = 1000;
const refs = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--answers') answers = +rest[++i];
  else refs.push(rest[i]);
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const rank = (p) => s[Math.min(s.length, Math.max(1, Math.ceil(p / 100 * s.length))) - 1];
  return { n: s.length, min: s[0], p50: rank(50), p99: rank(99), max: s[s.length - 1] };
}

function* walk(node) {
  yield node;
  for (const child of node.currentState?.children ?? []) yield* walk(child);
}

function byRef(root, ref) {
  for (const node of walk(root)) if (node.currentState?.reference === ref) return node;
  throw new Error('no node ' + ref);
}

const xml = fs.readFileSync(formPath, 'utf8');
const iterations = Math.max(1, +iterText);
let t = performance.now();
let instance = await createInstance(xml, {});
const coldMs = performance.now() - t;
const loads = [];
for (let i = 0; i < iterations; i++) {
  t = performance.now();
  instance = await createInstance(xml, {});
  loads.push(performance.now() - t);
}
const out = { engine: '@getodk/xforms-engine', form: path.basename(formPath), cold_load_ms: coldMs,
              load_first_eval_ms: stats(loads) };

if (refs.length > 0) {
  const root = instance.root;
  const target = byRef(root, refs[0]);
  const dependents = refs.slice(1).map((ref) => byRef(root, ref));
  const times = [];
  let checksum = 0;
  for (let i = 0; i < answers; i++) {
    const value = i % 2 === 0 ? '0' : String(1 + (i % 7));
    t = performance.now();
    target.setValue(value);
    for (const node of dependents) {
      const state = node.currentState;
      checksum += state.relevant ? String(state.value ?? '').length : 1;
    }
    times.push(performance.now() - t);
  }
  out.recompute_ms = stats(times);
  out.recompute_ref = refs[0];
  out.checksum = checksum;
}
process.stdout.write(JSON.stringify(out) + '\n');
