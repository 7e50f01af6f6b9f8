import { expect } from 'chai';
import { brownParagraphs, BROWN_GENRES, FINETUNE_GENRES, PRETRAIN_GENRES, detokenize, loadBrown, parseTagged } from '../src/data/brown.js';
import { Tokenizer, SPECIAL_TOKENS, UNK_ID } from '../src/data/tokenizer.js';
import { UserInputError } from '../src/errors.js';

describe('data/brown', () => {
  it('loads 500 documents in 15 genres; pre-training and fine-tuning genres are disjoint and cover all', () => {
    const docs = loadBrown();
    expect(docs).to.have.length(500);
    expect(new Set(docs.map((d) => d.genre)).size).to.equal(15);
    expect(PRETRAIN_GENRES.filter((g) => FINETUNE_GENRES.includes(g))).to.deep.equal([]);
    expect([...PRETRAIN_GENRES, ...FINETUNE_GENRES].sort()).to.deep.equal([...BROWN_GENRES].sort());
  });

  it('strips part-of-speech tags and rebuilds spacing', () => {
    const p = parseTagged("\n\n\tThe/at jury/nn said/vbd ``/`` no/at ''/'' ,/, (/( yes/rb )/) ./.\nNext/ap line/nn ./.\n\n\tSecond/od ./.\n");
    expect(p).to.deep.equal(['The jury said "no", (yes). Next line.', 'Second.']);
    expect(detokenize(['Jr.', '.'])).to.equal('Jr.');
    const text = brownParagraphs(['news'])[0]!.text;
    expect(text).to.match(/^The Fulton County Grand Jury said Friday/);
    expect(text).to.not.match(/\/[a-z]/);
  });

  it('rejects unknown genres with the allowed list', () => {
    expect(() => brownParagraphs(['poetry'])).to.throw(UserInputError, /news/);
  });
});

describe('data/tokenizer', () => {
  const texts = brownParagraphs(['humor', 'science_fiction']).map((p) => p.text);

  it('round-trips text exactly and reaches the requested vocabulary size', () => {
    const tok = Tokenizer.train(texts, { vocabSize: 300 });
    expect(tok.vocabSize).to.equal(300);
    for (const t of texts.slice(0, 200)) expect(tok.decode(tok.encode(t))).to.equal(t);
  });

  it('is deterministic and survives toJSON/fromJSON', () => {
    const a = Tokenizer.train(texts, { vocabSize: 500 });
    const b = Tokenizer.train([...texts], { vocabSize: 500 });
    expect(JSON.stringify(a.toJSON())).to.equal(JSON.stringify(b.toJSON()));
    const c = Tokenizer.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    for (const t of texts.slice(0, 50)) expect(c.encode(t)).to.deep.equal(a.encode(t));
  });

  it('compresses: more merges give fewer tokens; special ids are fixed; unknown characters map to <unk>', () => {
    const small = Tokenizer.train(texts, { vocabSize: 128 });
    const big = Tokenizer.train(texts, { vocabSize: 1000 });
    const n = (t: Tokenizer) => texts.reduce((s, x) => s + t.encode(x).length, 0);
    expect(n(big)).to.be.lessThan(0.75 * n(small));
    expect(SPECIAL_TOKENS.indexOf('<pad>')).to.equal(0);
    expect(big.encode('a\u4e2db')).to.include(UNK_ID);
    expect(big.decode(big.encode('a\u4e2db'))).to.equal('a\uFFFDb');
  });

  it('merges the most frequent pair first', () => {
    const tok = Tokenizer.train(['abababab cd'], { vocabSize: SPECIAL_TOKENS.length + 5 + 1 });
    // alphabet: ' ', a, b, c, d → 5 chars; one merge: (a, b) occurs 4 times
    expect(tok.token(tok.vocabSize - 1)).to.equal('ab');
  });

  it('rejects bad vocabulary sizes', () => {
    expect(() => Tokenizer.train(texts, { vocabSize: 3 })).to.throw(UserInputError, /vocabSize/);
  });
});
