// `npm install` / `npm ci` build step: compile src/ to dist/ so the `airlora` bin and the
// package's self-reference (used by notebooks) run as plain JavaScript.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
const tsc = new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname;
if (!existsSync(tsc)) {
  // Installed as a dependency without devDependencies: dist/ ships prebuilt.
  process.exit(0);
}
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
