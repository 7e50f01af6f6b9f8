import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The notebooks themselves are executed headless by scripts/run-notebooks.sh (in .ci/run); this
// checks what that run relies on, quickly and without Jupyter.
const dir = 'notebooks';
const books = readdirSync(dir).filter((f) => f.endsWith('.ipynb') && !f.endsWith('.nbconvert.ipynb'));

interface Cell { cell_type: string; id?: string; source: string[]; outputs?: unknown[] }

describe('notebooks: structure', () => {
  it('there are notebooks, each nbformat 4 with the tslab kernelspec', () => {
    expect(books.length).to.be.at.least(2);
    for (const b of books) {
      const nb = JSON.parse(readFileSync(join(dir, b), 'utf8'));
      expect(nb.nbformat, b).to.equal(4);
      expect(nb.metadata.kernelspec, b).to.deep.include({ name: 'tslab', language: 'typescript' });
      const ids = (nb.cells as Cell[]).map((c) => c.id);
      expect(new Set(ids).size, `${b}: unique cell ids`).to.equal(ids.length);
    }
  });

  it('import the package by its name, never by relative paths into src/ or dist/', () => {
    for (const b of books) {
      const cells = (JSON.parse(readFileSync(join(dir, b), 'utf8')).cells as Cell[]).filter((c) => c.cell_type === 'code');
      const code = cells.map((c) => c.source.join('')).join('\n');
      expect(code, b).to.match(/require\('airlora(\/[a-z/-]+)?'\)/);
      expect(code, b).to.not.match(/(from|require\()\s*['"]\.{1,2}\//);
      expect(code, b).to.not.match(/['"][^'"]*\b(src|dist)\/[^'"]*['"]/);
    }
  });

  it('are committed with their outputs, so they read on GitHub (AIRLORA_NOTEBOOKS_INPLACE=1 bash scripts/run-notebooks.sh), and no cell failed', () => {
    for (const b of books) {
      const cells = (JSON.parse(readFileSync(join(dir, b), 'utf8')).cells as (Cell & { outputs?: { output_type: string }[] })[]).filter((c) => c.cell_type === 'code');
      const outputs = cells.flatMap((c) => c.outputs ?? []);
      expect(outputs.length, `${b}: outputs`).to.be.greaterThan(0);
      expect(outputs.filter((o) => o.output_type === 'error'), `${b}: error outputs`).to.deep.equal([]);
      expect(cells.filter((c) => (c.outputs ?? []).length > 0).length, `${b}: cells with outputs`).to.be.at.least(Math.ceil(cells.length / 2));
    }
  });

  it('every subpath they require is exported by the package (package.json exports → dist/)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.name).to.equal('airlora');
    expect(pkg.exports['./*'].default).to.equal('./dist/*.js');
    for (const b of books) {
      const code = readFileSync(join(dir, b), 'utf8');
      for (const m of code.matchAll(/require\('airlora\/([a-z/-]+)'\)/g)) {
        expect(readdirSync(join('src', m[1]!.split('/').slice(0, -1).join('/'))), `${b}: ${m[1]}`)
          .to.include(`${m[1]!.split('/').pop()}.ts`);
      }
    }
  });
});
