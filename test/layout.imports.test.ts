// The layout stays true: walks src/'s relative imports (type imports included) and fails on a forbidden
// arrow between layers or on an import cycle.
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports of a file (static, dynamic and type-only), resolved to .ts paths. */
function importsOf(file: string): string[] {
  // comments may quote imports (examples in doc comments): drop them first
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  const re = /(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2]!;
    out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** Top-level folder of a src file ('fl', 'phy', ...; '' for files directly in src/). */
const layer = (f: string) => {
  const parts = relative(SRC, f).split(/[\\/]/);
  return parts.length > 1 ? parts[0]! : '';
};

/** Arrows that must not exist: [from layer, to layer, why]. */
const FORBIDDEN: [string, string, string][] = [
  ...['fl', 'split', 'design', 'phy', 'linalg', 'random', 'stats', 'lora', 'models', 'data', 'tf', 'results', 'report', 'sweep']
    .map((l): [string, string, string] => [l, 'cli', 'no library code imports the CLI']),
  ...['fl', 'split', 'design', 'phy', 'linalg', 'random', 'stats', 'lora', 'models', 'data', 'tf']
    .map((l): [string, string, string] => [l, 'scenario', 'only the scenario layer reads scenarios (YAML)']),
  ...['fl', 'split', 'design', 'phy', 'linalg', 'random', 'stats', 'lora', 'models', 'data', 'tf', 'scenario', 'results', 'report']
    .map((l): [string, string, string] => [l, 'runs', 'runs/ is the entrance: nothing below it imports it']),
  ...['linalg', 'random', 'stats'].flatMap((l) => ['phy', 'fl', 'design', 'split', 'models', 'lora']
    .map((u): [string, string, string] => [l, u, 'numerics sit below the simulator'])),
  ['phy', 'fl', 'the PHY sits below the trainer'],
  ['phy', 'design', 'the PHY sits below the design loop'],
  ['phy', 'split', 'the PHY sits below split learning'],
  ['fl', 'design', 'the trainer sits below the design loop'],
  ['fl', 'split', 'federated and split learning are separate'],
];

describe('layout: import arrows between layers', () => {
  const all = files(SRC);
  const graph = new Map(all.map((f) => [f, importsOf(f).filter((t) => t.startsWith(SRC + '/'))]));

  it('every relative import resolves to a file', () => {
    const missing: string[] = [];
    for (const [f, ts] of graph) for (const t of ts) if (!graph.has(t)) missing.push(`${relative(SRC, f)} → ${relative(SRC, t)}`);
    expect(missing).to.deep.equal([]);
  });

  it('no forbidden arrow (fl/, split/, design/, phy/ never import scenario/; nothing imports cli/ or runs/ from below)', () => {
    const bad: string[] = [];
    for (const [f, ts] of graph) {
      for (const t of ts) {
        const rule = FORBIDDEN.find(([a, b]) => layer(f) === a && layer(t) === b);
        if (rule) bad.push(`${relative(SRC, f)} → ${relative(SRC, t)} (${rule[2]})`);
      }
    }
    expect(bad).to.deep.equal([]);
  });

  it('no import cycle in src/', () => {
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 1);
      stack.push(f);
      for (const t of graph.get(f) ?? []) {
        if (state.get(t) === 1) cycles.push([...stack.slice(stack.indexOf(t)), t].map((x) => relative(SRC, x)).join(' → '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 2);
    };
    for (const f of graph.keys()) if (!state.has(f)) visit(f);
    expect(cycles).to.deep.equal([]);
  });

  it('no branch on a scheme\'s or aggregator\'s name outside its own file (they declare capabilities)', () => {
    const own = /phy\/aircomp\/(ideal|zf|mmse|mmse-joint|tci|manifold)\.ts$|fl\/aggregators\/(ideal|noisy|digital|aircomp)\.ts$/;
    const names = ['ideal', 'zf', 'mmse', 'mmse-fixed', 'tci', 'manifold', 'digital', 'noisy'];
    const re = new RegExp(`[!=]==\\s*'(${names.join('|')})'|'(${names.join('|')})'\\s*[!=]==`);
    const bad = [...graph.keys()].filter((f) => !own.test(f) && re.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    expect(bad).to.deep.equal([]);
  });

  it('detects a cycle and a forbidden arrow when there is one (the checker itself)', () => {
    const g = new Map([['a', ['b']], ['b', ['a']]]);
    const seen = new Set<string>();
    let cyclic = false;
    const walk = (n: string, path: string[]) => {
      for (const t of g.get(n) ?? []) { if (path.includes(t)) cyclic = true; else if (!seen.has(t)) { seen.add(t); walk(t, [...path, t]); } }
    };
    walk('a', ['a']);
    expect(cyclic).to.equal(true);
    expect(FORBIDDEN.some(([a, b]) => a === 'fl' && b === 'scenario')).to.equal(true);
    expect(importsOf(join(SRC, 'runs', 'lifecycle.ts')).some((t) => t.endsWith('registry.ts'))).to.equal(true);
  });
});
