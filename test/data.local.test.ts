/**
 * Local datasets (`data.dataset: local`): every file format gives the same records, GLUE defaults,
 * folders with train/validation files, instruction data with the loss on the response only, and the
 * partitions (iid, Dirichlet, one label, natural key).
 */
import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { loadLocalDataset, renderPrompt } from '../src/data/local/examples.js';
import { parseCsv } from '../src/data/local/read.js';
import { encodeInstruction, partitionByKey, prepareLocalData } from '../src/data/local/federated.js';
import { HfTokenizer } from '../src/models/hf/tokenizer.js';
import { RandomStreams } from '../src/random/streams.js';
import { UserInputError } from '../src/errors.js';
import { byteLevelTokenizer, tempDir, wordPieceTokenizer } from './models.hf.fixtures.js';

const ROWS: [string, string, number][] = [
  ['the movie, "great"', 'it is fun', 1], ['the plot was dull', 'awful acting', 0], ['a great film', 'very good', 1],
  ['not good', 'it was bad', 0], ['the same story', 'a dull plot', 0], ['fun and great', 'the movie is good', 1],
];

describe('data.local: local files, GLUE and instruction layouts, partitions', () => {
  let root: string;
  before(() => { root = tempDir('airlora-data-'); });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('TSV, CSV (quotes, commas, newlines), JSONL, JSON and Parquet give the same GLUE pair examples', async () => {
    const tsv = join(root, 'p.tsv'), csv = join(root, 'p.csv'), jsonl = join(root, 'p.jsonl'), json = join(root, 'p.json'), pq = join(root, 'p.parquet');
    writeFileSync(tsv, 'sentence1\tsentence2\tlabel\n' + ROWS.map((r) => r.join('\t')).join('\n') + '\n');
    const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
    writeFileSync(csv, 'sentence1,sentence2,label\r\n' + ROWS.map((r) => r.map((x) => q(String(x))).join(',')).join('\r\n'));
    const objs = ROWS.map(([a, b, l]) => ({ sentence1: a, sentence2: b, label: l, idx: 0 }));
    writeFileSync(jsonl, objs.map((o) => JSON.stringify(o)).join('\n'));
    writeFileSync(json, JSON.stringify(objs));
    writeFileSync(pq, Buffer.from(parquetWriteBuffer({ columnData: [
      { name: 'sentence1', data: ROWS.map((r) => r[0]), type: 'STRING' }, { name: 'sentence2', data: ROWS.map((r) => r[1]), type: 'STRING' },
      { name: 'label', data: ROWS.map((r) => r[2]), type: 'INT32' },
    ] })));
    const want = ROWS.map(([a, b, l]) => [a, b, String(l)]);
    for (const f of [tsv, csv, jsonl, json, pq]) {
      const d = await loadLocalDataset({ path: f });
      expect(d.task, f).to.equal('classifier');
      expect(d.textFields).to.deep.equal(['sentence1', 'sentence2']);
      expect(d.labels).to.deep.equal(['0', '1']);
      expect(d.train.map((e) => [e.text, e.pair, e.label]), f).to.deep.equal(want);
    }
    expect(parseCsv('a,b\n"x\ny","z ""q"""\n', 'f')).to.deep.equal([['a', 'b'], ['x\ny', 'z "q"']]);
  });

  it('a GLUE folder: train.tsv + dev.tsv are train and validation; SST-2 single sentences', async () => {
    const dir = join(root, 'SST-2');
    mkdirSync(dir);
    writeFileSync(join(dir, 'train.tsv'), 'sentence\tlabel\nit is fun \t1\nawful \t0\ngreat film \t1\n');
    writeFileSync(join(dir, 'dev.tsv'), 'sentence\tlabel\ndull \t0\n');
    writeFileSync(join(dir, 'test.tsv'), 'index\tsentence\n0\tgood\n');
    const d = await loadLocalDataset({ path: dir });
    expect(d.textFields).to.deep.equal(['sentence']);
    expect(d.train.length).to.equal(3);
    expect(d.validation!.map((e) => e.label)).to.deep.equal(['0']);
    expect(d.files.validation.map((f) => f.split('/').pop())).to.deep.equal(['dev.tsv']);
  });

  it('clear errors: a missing path, a wrong text field (listing the columns)', async () => {
    let err: unknown;
    try { loadLocalDataset({ path: join(root, 'none.tsv') }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    expect((err as Error).message).to.match(/data\.path: .*none\.tsv does not exist/);
    const f = join(root, 'cols.tsv');
    writeFileSync(f, 'review\tlabel\ngood\t1\n');
    try { loadLocalDataset({ path: f, text_fields: ['sentence'] }); } catch (e) { err = e; }
    expect((err as Error).message).to.match(/data\.text_fields: 'sentence' is not a column of .*cols\.tsv; columns: review, label/);
  });

  it('instruction data (Alpaca, Dolly): Alpaca prompt, loss mask on the response and EOS only', async () => {
    const alp = join(root, 'alpaca.json');
    writeFileSync(alp, JSON.stringify([{ instruction: 'say the', input: '', output: 'the sea.' }, { instruction: 'name a tree', input: 'in the sun', output: 'a tree.' }]));
    const d = await loadLocalDataset({ path: alp });
    expect(d.task).to.equal('instruction');
    expect(d.train[0]!.prompt).to.equal(renderPrompt('say the', ''));
    expect(d.train[1]!.prompt).to.contain('### Input:\nin the sun\n\n### Response:\n');
    const t = byteLevelTokenizer();
    const tok = new HfTokenizer(t.json, t.config);
    const ex = { id: 'x', text: '', prompt: 'the cat. ', response: 'a sea.' };
    const T = 24;
    const e = encodeInstruction(ex, tok, T);
    const p = tok.encode(ex.prompt).length, r = tok.encode(ex.response).length;
    const counted = e.targets.filter((_, i) => e.mask[i] === 1);
    expect(counted).to.deep.equal([...tok.encode(ex.response), tok.eosId!]);
    expect(e.mask.reduce((a, b) => a + b, 0)).to.equal(r + 1);
    expect(e.mask.slice(0, p - 1).every((m) => m === 0)).to.equal(true);
    // Truncation keeps the prompt and cuts the response.
    expect(encodeInstruction(ex, tok, p).mask.reduce((a, b) => a + b, 0)).to.equal(1);
    const dolly = join(root, 'dolly.jsonl');
    writeFileSync(dolly, [{ instruction: 'a', context: 'b', response: 'c', category: 'qa' }].map((o) => JSON.stringify(o)).join('\n'));
    const dd = await loadLocalDataset({ path: dolly });
    expect(dd.train[0]!.prompt).to.contain('### Input:\nb');
    expect(dd.train[0]!.key).to.equal('qa');
  });

  it('partition by a natural key: every group whole on one client, balanced greedily', () => {
    const keys = ['qa', 'qa', 'qa', 'qa', 'gen', 'gen', 'gen', 'cls', 'cls', 'sum', 'brain', 'brain'];
    const parts = partitionByKey(keys, 3);
    expect(parts.flat().sort((a, b) => a - b)).to.deep.equal(keys.map((_, i) => i));
    for (const k of new Set(keys)) {
      const owners = parts.map((p, c) => (p.some((i) => keys[i] === k) ? c : -1)).filter((c) => c >= 0);
      expect(owners.length, k).to.equal(1);
    }
    expect(parts.map((p) => p.length)).to.deep.equal([4, 4, 4]);
    expect(() => partitionByKey(['a', 'b'], 3)).to.throw(UserInputError, /2 distinct values, fewer than the 3 clients/);
  });

  it('federated classifier clients: Dirichlet / one-label / iid partitions, pair encodings with segments, disjoint splits', async () => {
    const f = join(root, 'mrpc.jsonl');
    const many = Array.from({ length: 60 }, (_, i) => ({ sentence1: ROWS[i % 6]![0], sentence2: ROWS[(i + 1) % 6]![1], label: ROWS[i % 6]![2] }));
    writeFileSync(f, many.map((o) => JSON.stringify(o)).join('\n'));
    const t = wordPieceTokenizer();
    const tok = new HfTokenizer(t.json, t.config);
    for (const partition of [{ kind: 'iid' as const }, { kind: 'dirichlet' as const, alpha: 0.5, minPerClient: 4 }, { kind: 'one-label' as const }]) {
      const prep = await prepareLocalData({ path: f, partition, testFraction: 0.2, seqLen: 16, evalPerClient: 4 }, 4, new RandomStreams(7));
      const fd = prep.withTokenizer(tok);
      expect(fd.kind).to.equal('classifier');
      const ids = fd.clients.flatMap((c) => [...c.trainItems, ...c.testItems]);
      expect(new Set(ids).size).to.equal(ids.length);
      if (partition.kind === 'one-label') for (const c of fd.clients) expect(Object.keys(c.labelCounts).length).to.equal(1);
      const b = fd.clients[0]!.sampleBatch(new RandomStreams(1).stream('b'), 3) as { tokens: Int32Array; segments?: Int32Array; mask?: Float32Array };
      expect(b.tokens.length).to.equal(48);
      expect(b.tokens[0]).to.equal(2); // [CLS]
      expect(b.segments!.some((s) => s === 1)).to.equal(true);
    }
    // Same seed, same partition.
    const a = await prepareLocalData({ path: f, partition: { kind: 'dirichlet', alpha: 0.5, minPerClient: 4 }, testFraction: 0.2, seqLen: 16, evalPerClient: 4 }, 4, new RandomStreams(7));
    const b = await prepareLocalData({ path: f, partition: { kind: 'dirichlet', alpha: 0.5, minPerClient: 4 }, testFraction: 0.2, seqLen: 16, evalPerClient: 4 }, 4, new RandomStreams(7));
    expect(a.splits.map((s) => s.train.map((e) => e.id))).to.deep.equal(b.splits.map((s) => s.train.map((e) => e.id)));
  });
});
