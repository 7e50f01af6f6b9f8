import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { labelSkew, partition, trainTestSplit } from '../src/data/partition.js';
import { prepareFederatedData, type DataConfig } from '../src/data/federated.js';
import { Tokenizer, CLS_ID, PAD_ID } from '../src/data/tokenizer.js';
import { cleanMessage } from '../src/data/spam.js';
import { summarize } from '../src/stats/summary.js';
import { UserInputError } from '../src/errors.js';

const labels = Array.from({ length: 2000 }, (_, i) => `c${i % 5}`);

function assertPartition(parts: number[][], n: number) {
  const all = parts.flat().sort((a, b) => a - b);
  expect(new Set(all).size).to.equal(all.length); // no item twice
  expect(all.length).to.be.at.most(n);
}

describe('data/partition', () => {
  it('iid deals every item exactly once with balanced sizes', () => {
    const parts = partition(labels, 7, { kind: 'iid' }, new RandomStreams(1).stream('partition'));
    assertPartition(parts, labels.length);
    expect(parts.flat()).to.have.length(labels.length);
    const sizes = parts.map((p) => p.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).to.be.at.most(1);
    expect(labelSkew(parts, labels)).to.be.lessThan(0.1);
  });

  it('is fixed by the seed and changes with it', () => {
    const a = partition(labels, 10, { kind: 'dirichlet', alpha: 0.5 }, new RandomStreams(3).stream('partition'));
    const b = partition(labels, 10, { kind: 'dirichlet', alpha: 0.5 }, new RandomStreams(3).stream('partition'));
    const c = partition(labels, 10, { kind: 'dirichlet', alpha: 0.5 }, new RandomStreams(4).stream('partition'));
    expect(a).to.deep.equal(b);
    expect(a).to.not.deep.equal(c);
    assertPartition(a, labels.length);
    expect(a.flat()).to.have.length(labels.length);
  });

  it('Dirichlet label skew shrinks as alpha grows (20 seeds each, 95% CIs separated)', () => {
    const skew = (alpha: number) => summarize(Array.from({ length: 20 }, (_, s) =>
      labelSkew(partition(labels, 10, { kind: 'dirichlet', alpha }, new RandomStreams(s).stream('partition')), labels)));
    const [s01, s1, s100] = [skew(0.1), skew(1), skew(100)];
    expect(s01.ciLow).to.be.greaterThan(s1.ciHigh);
    expect(s1.ciLow).to.be.greaterThan(s100.ciHigh);
    expect(s01.mean).to.be.greaterThan(0.5); // nearly one class per client (max 0.8)
    expect(s100.mean).to.be.lessThan(0.1);
  });

  it('one-label gives each client a single class, shared evenly by clients of that class', () => {
    const parts = partition(labels, 10, { kind: 'one-label' }, new RandomStreams(1).stream('partition'));
    assertPartition(parts, labels.length);
    parts.forEach((p, k) => {
      expect(new Set(p.map((i) => labels[i]))).to.deep.equal(new Set([`c${k % 5}`]));
      expect(p.length).to.equal(200);
    });
    expect(() => partition(labels, 3, { kind: 'one-label', classes: ['zz'] }, new RandomStreams(1).stream('p'))).to.throw(UserInputError, /zz/);
  });

  it('train/test splits never overlap and are fixed by the seed', () => {
    const items = Array.from({ length: 101 }, (_, i) => i * 3);
    const s = trainTestSplit(items, 0.2, new RandomStreams(5).stream('data-split', 0));
    expect(s.test).to.have.length(20);
    expect(s.train.filter((i) => s.test.includes(i))).to.deep.equal([]);
    expect([...s.train, ...s.test].sort((a, b) => a - b)).to.deep.equal(items);
    expect(trainTestSplit(items, 0.2, new RandomStreams(5).stream('data-split', 0))).to.deep.equal(s);
    expect(() => trainTestSplit(items, 1.5, new RandomStreams(5).stream('x'))).to.throw(UserInputError, /testFraction/);
  });
});

describe('data/federated', () => {
  const lmCfg: DataConfig = { dataset: 'brown', partition: { kind: 'one-label' }, testFraction: 0.1, seqLen: 32, evalPerClient: 4 };

  it('Brown one-genre-per-device: disjoint train/test across all clients, genres as assigned, deterministic', () => {
    const prep = prepareFederatedData(lmCfg, 10, new RandomStreams(9));
    const tok = Tokenizer.train(prep.trainTexts, { vocabSize: 256 });
    const data = prep.withTokenizer(tok);
    expect(data.kind).to.equal('lm');
    const train = data.clients.flatMap((c) => c.trainItems), test = data.clients.flatMap((c) => c.testItems);
    expect(new Set([...train, ...test]).size).to.equal(train.length + test.length);
    data.clients.forEach((c) => expect(Object.keys(c.labelCounts)).to.have.length(1));
    expect(data.clients[0]!.labelCounts).to.have.property('fiction');
    expect(data.clients[6]!.labelCounts).to.have.property('fiction');
    const b = data.clients[2]!.sampleBatch(new RandomStreams(9).stream('batch', 0, 2, 0), 3);
    expect(b.tokens).to.have.length(3 * 32);
    expect(Array.from(b.tokens.subarray(1, 32))).to.deep.equal(Array.from(b.targets!.subarray(0, 31))); // shifted by one
    const again = prepareFederatedData(lmCfg, 10, new RandomStreams(9)).withTokenizer(tok);
    expect(again.clients[2]!.sampleBatch(new RandomStreams(9).stream('batch', 0, 2, 0), 3).tokens).to.deep.equal(b.tokens);
    expect(again.clients[4]!.evalBatch().tokens).to.deep.equal(data.clients[4]!.evalBatch().tokens);
  });

  it('Dirichlet: a draw that leaves a client a single item is redrawn, not a stopped run (20 clients, 200 items, α 0.5: 23 of 30 seeds failed before)', () => {
    for (let seed = 0; seed < 30; seed++) {
      const cfg: DataConfig = { dataset: 'spam', partition: { kind: 'dirichlet', alpha: 0.5 }, testFraction: 0.2, seqLen: 16, evalPerClient: 2, maxItems: 200 };
      const prep = prepareFederatedData(cfg, 20, new RandomStreams(seed));
      const data = prep.withTokenizer(Tokenizer.train(prep.trainTexts, { vocabSize: 128 }));
      for (const c of data.clients) expect(c.size + c.testItems.length, `seed ${seed}`).to.be.at.least(2);
    }
  });

  it('SpamAssassin: CLS first, padded with a mask, binary labels, Dirichlet split', () => {
    const cfg: DataConfig = { dataset: 'spam', partition: { kind: 'dirichlet', alpha: 1 }, testFraction: 0.2, seqLen: 24, evalPerClient: 8, maxItems: 400 };
    const prep = prepareFederatedData(cfg, 4, new RandomStreams(2));
    expect(prep.kind).to.equal('classifier');
    const data = prep.withTokenizer(Tokenizer.train(prep.trainTexts, { vocabSize: 300 }));
    const b = data.clients[1]!.sampleBatch(new RandomStreams(2).stream('batch', 0, 1, 0), 5);
    for (let r = 0; r < 5; r++) {
      expect(b.tokens[r * 24]).to.equal(CLS_ID);
      for (let t = 0; t < 24; t++) expect(b.mask![r * 24 + t] === 1).to.equal(b.tokens[r * 24 + t] !== PAD_ID);
      expect([0, 1]).to.include(b.labels![r]);
    }
    expect(data.clients.reduce((s, c) => s + c.size + c.testItems.length, 0)).to.equal(400);
  });

  it('spam cleaning keeps the subject, drops other headers, markup and URLs', () => {
    expect(cleanMessage('From: x@y\nSubject: hi\n\n<p>Buy&nbsp;now http://spam.example/x  ok</p>', 100)).to.equal('hi Buy now ok');
  });
});
