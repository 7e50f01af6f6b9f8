// `npm install` step: build the optional native BLAS addon (native/blas.c → build/Release/airlora_blas.node).
// It needs a C compiler, the Node headers and OpenBLAS (Debian: apt-get install libopenblas-dev).
// Never fails the install: without the addon, matrix products run in wasm (XNNPACK), only slower.
// Set AIRLORA_NATIVE=0 to skip. Tries node-gyp (binding.gyp) first, then a direct `cc` call.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'Release', 'airlora_blas.node');
const say = (m) => process.stderr.write(`airlora: ${m}\n`);

if (process.env.AIRLORA_NATIVE === '0') process.exit(0);
if (!existsSync(join(root, 'native', 'blas.c'))) process.exit(0);

const headerDirs = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
const nodeInclude = headerDirs.find((d) => existsSync(join(d, 'node_api.h')));
const cblas = ['/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/aarch64-linux-gnu/cblas.h', '/usr/include/cblas.h',
  '/usr/include/openblas/cblas.h'].find((f) => existsSync(f));
if (!cblas) {
  say('native BLAS addon not built: no cblas.h (apt-get install libopenblas-dev); matrix products use wasm');
  process.exit(0);
}

function tryRun(cmd, args) {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], timeout: 180_000 });
    return existsSync(out);
  } catch {
    return false;
  }
}

let ok = false;
const gyp = process.env.npm_config_node_gyp;
if (gyp && nodeInclude) {
  // --nodedir points at local headers, so node-gyp does not try to download them.
  ok = tryRun(process.execPath, [gyp, 'rebuild', `--nodedir=${join(nodeInclude, '..', '..')}`]);
}
if (!ok && nodeInclude) {
  mkdirSync(dirname(out), { recursive: true });
  ok = tryRun('cc', ['-O3', '-shared', '-fPIC', '-DNODE_GYP_MODULE_NAME=airlora_blas', `-I${nodeInclude}`,
    `-I${dirname(cblas)}`, 'native/blas.c', '-lopenblas', '-o', out]);
}
say(ok ? `native BLAS addon built (${out})` : 'native BLAS addon could not be built; matrix products use wasm');
