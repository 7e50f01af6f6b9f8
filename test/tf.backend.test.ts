import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../src/errors.js';
import {
  backendInfo, blasThreads, initBackend, loadNativeBlas, NODE_NOTICE, resolveBackendChoice,
  setBlasThreads, setNativeMatMul, threadsFromEnv,
} from '../src/tf/index.js';
import { trainingDigest } from './support/training-digest.js';
import { productsDigest } from './support/heap-products.js';

/** Run a module under tsx in a child process (optionally with extra --import hooks); stdout's last line as JSON. */
function child(args: string[], env: NodeJS.ProcessEnv = {}): { out: Record<string, any>; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
    encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return { out: JSON.parse(r.stdout.trim().split('\n').at(-1)!), stderr: r.stderr };
}

describe('tf/backend: choice, environment and thread settings', () => {
  it('precedence: an explicit flag, then AIRLORA_BACKEND, then the scenario, then auto', () => {
    expect(resolveBackendChoice(undefined, undefined, {})).to.equal('auto');
    expect(resolveBackendChoice('auto', 'node', {})).to.equal('node');
    expect(resolveBackendChoice('auto', 'cpu', { AIRLORA_BACKEND: 'node' })).to.equal('node');
    expect(resolveBackendChoice('wasm', 'node', { AIRLORA_BACKEND: 'node' })).to.equal('wasm');
    expect(resolveBackendChoice(undefined, undefined, { AIRLORA_BACKEND: '' })).to.equal('auto');
    let err: unknown;
    try { resolveBackendChoice(undefined, undefined, { AIRLORA_BACKEND: 'gpu' }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    expect((err as UserInputError).field).to.equal('AIRLORA_BACKEND');
    expect((err as Error).message).to.contain("'gpu'").and.contain('auto, wasm, node, cpu');
  });

  it('AIRLORA_BLAS_THREADS: default 1, a positive integer, anything else a UserInputError naming it', () => {
    expect(threadsFromEnv({})).to.equal(1);
    expect(threadsFromEnv({ AIRLORA_BLAS_THREADS: '2' })).to.equal(2);
    for (const bad of ['0', '-1', '1.5', 'two', '100000']) {
      let err: unknown;
      try { threadsFromEnv({ AIRLORA_BLAS_THREADS: bad }); } catch (e) { err = e; }
      expect(err, bad).to.be.instanceOf(UserInputError);
      expect((err as UserInputError).field).to.equal('AIRLORA_BLAS_THREADS');
    }
  });
});

describe('tf/backend: OpenBLAS kernel family', () => {
  it('the loaded OpenBLAS runs the kernel family that OPENBLAS_CORETYPE names, and the manifest info says which', async function () {
    await initBackend({ backend: 'wasm', quiet: true });
    if (!loadNativeBlas()) this.skip();
    const info = backendInfo();
    expect(info.blas_config).to.match(/^OpenBLAS /);
    if (process.env.OPENBLAS_CORETYPE) expect(info.blas_config!.toLowerCase()).to.contain(process.env.OPENBLAS_CORETYPE.toLowerCase());
  });
});

describe('tf/backend: auto is the tested path even when tfjs-node is installed', function () {
  this.timeout(180_000);

  it('with a tfjs-node stand-in resolvable, auto never loads it and trains to the same bytes as pinned wasm; node runs it only when asked, with the notice', async () => {
    // The stand-in registers a working 'tensorflow' backend above wasm's priority, as tfjs-node does.
    const script = [
      "import * as tf from '@tensorflow/tfjs';",
      "const { initBackend, backendInfo } = await import('./src/tf/index.ts');",
      "const { trainingDigest } = await import('./test/support/training-digest.ts');",
      'const notices = [];',
      'const write = process.stderr.write.bind(process.stderr);',
      'process.stderr.write = (s, ...r) => { notices.push(String(s)); return write(s, ...r); };',
      "delete process.env.AIRLORA_BACKEND;",
      'const auto = await initBackend({ quiet: true });',
      'const autoInfo = backendInfo();',
      'const digest = await trainingDigest();',
      'const loadsAfterAuto = globalThis.__airloraFakeTfjsNodeLoads ?? 0;',
      'const noticesAfterAuto = notices.length;',
      "process.env.AIRLORA_BACKEND = 'node';",
      'const byEnv = await initBackend({ quiet: true });',
      "const pinned = await initBackend({ backend: 'wasm', quiet: true });",
      "const asked = await initBackend({ backend: 'node', quiet: true });",
      'const loads = globalThis.__airloraFakeTfjsNodeLoads ?? 0;',
      'console.log(JSON.stringify({ auto, autoInfo, digest, loadsAfterAuto, noticesAfterAuto, byEnv, pinned, asked, loads, notices }));',
    ].join('\n');
    // Two OpenBLAS threads in the child also checks that AIRLORA_BLAS_THREADS reaches the engine.
    const { out } = child(['--import', './test/support/fake-tfjs-node-register.mjs', '--input-type=module', '-e', script],
      { AIRLORA_BLAS_THREADS: '2' });
    expect(out.auto).to.equal('wasm');
    expect(out.loadsAfterAuto, 'auto imported @tensorflow/tfjs-node').to.equal(0);
    expect(out.noticesAfterAuto).to.equal(0);
    expect(out.byEnv).to.equal('tensorflow');
    expect(out.pinned).to.equal('wasm');
    expect(out.asked).to.equal('tensorflow');
    expect(out.loads, 'the stand-in was resolvable').to.equal(1);
    expect(out.notices).to.deep.equal([NODE_NOTICE + '\n', NODE_NOTICE + '\n']);
    // Byte identity: the same training in this process, without any stand-in, pinned to wasm.
    await initBackend({ backend: 'wasm', quiet: true });
    const native = loadNativeBlas();
    const threads = blasThreads();
    try {
      if (native) setBlasThreads(2);
      expect(out.autoInfo).to.deep.equal(native
        ? { backend: 'wasm', matmul_engine: 'openblas', threads: 2, blas_config: backendInfo().blas_config }
        : { backend: 'wasm', matmul_engine: 'xnnpack', threads: 1, native_note: backendInfo().native_note });
      expect(out.digest).to.equal(await trainingDigest());
    } finally {
      if (native) setBlasThreads(threads);
    }
  });
});

describe('tf/backend: matrix products with operands above 2 GiB in the wasm heap', function () {
  this.timeout(180_000);

  it('every BatchMatMul route, forward and gradient, gives the same bytes above 2 GiB as here, on each engine', async () => {
    const { out } = child(['test/support/heap-above-2gib.ts'], { AIRLORA_BLAS_THREADS: '1' });
    await initBackend({ backend: 'wasm', quiet: true });
    const native = loadNativeBlas();
    const engines = native ? ['openblas', 'xnnpack'] : ['xnnpack'];
    expect(Object.keys(out.engines)).to.deep.equal(engines);
    const threads = blasThreads();
    try {
      if (native) setBlasThreads(1);
      for (const e of engines) {
        const got = out.engines[e];
        expect(got.error, `${e} above 2 GiB`).to.equal(undefined);
        expect(got.engine).to.equal(e);
        expect(got.minOffset, `${e}: lowest operand offset`).to.be.above(2 ** 31);
        setNativeMatMul(e === 'openblas' ? native : null);
        const here = productsDigest();
        expect(got.outputs).to.equal(here.outputs);
        expect(got.digest, `${e}: bytes above 2 GiB vs here (offsets from ${here.minOffset})`).to.equal(here.digest);
      }
    } finally {
      setNativeMatMul(native);
      if (native) setBlasThreads(threads);
    }
  });
});

describe('tf/backend: OpenBLAS threads (AIRLORA_BLAS_THREADS)', function () {
  this.timeout(180_000);
  let threads = 1;
  before(async function () {
    await initBackend({ backend: 'wasm', quiet: true });
    if (!loadNativeBlas()) this.skip();
    threads = blasThreads();
  });
  after(() => { if (loadNativeBlas()) setBlasThreads(threads); });

  it('2 threads: the same bytes twice; 1 thread agrees to rounding (it differs in the last bits: OpenBLAS tiles each thread\'s share differently)', async () => {
    setBlasThreads(2);
    expect(backendInfo().threads).to.equal(2);
    const a = await trainingDigest();
    expect(await trainingDigest()).to.equal(a);
    // A product large enough that OpenBLAS really uses both threads (a GPT-2-sized query projection).
    const x = tf.randomNormal([512, 768], 0, 1, 'float32', 5);
    const wq = tf.randomNormal([768, 768], 0, 1, 'float32', 6);
    const two = tf.matMul(x, wq).dataSync() as Float32Array;
    expect(Buffer.from((tf.matMul(x, wq).dataSync() as Float32Array).buffer).equals(Buffer.from(two.buffer))).to.equal(true);
    setBlasThreads(1);
    expect(backendInfo().threads).to.equal(1);
    const one = tf.matMul(x, wq).dataSync() as Float32Array;
    // Float32 summation-order bound: |Δ| ≤ 2·K·ε·(|x|·|wq|) element-wise.
    const bound = tf.tidy(() => tf.matMul(x.abs(), wq.abs()).mul(2 * 768 * 2 ** -24).dataSync());
    let worst = 0;
    for (let i = 0; i < one.length; i++) worst = Math.max(worst, Math.abs(one[i]! - two[i]!) / bound[i]!);
    expect(worst, '1 vs 2 threads: largest difference / bound').to.be.at.most(1);
    tf.dispose([x, wq]);
  });
});
