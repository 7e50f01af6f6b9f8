/**
 * report.html in a real browser: a small PHY run (the quick start with 3 trials) through the CLI,
 * then headless Chromium opens its report.html offline and a script injected before anything else
 * checks that every figure image decodes (naturalWidth > 0) and that nothing logs an error.
 * Needs Debian's `chromium` (.ci/run installs it): under CI=true its absence fails the test,
 * elsewhere the test is skipped with a message.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';

function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

/** Runs first in <head>: records errors (script errors, failed loads, console.error) and, after load, the images' state. */
const PROBE = `<script>
window.__errors = [];
window.addEventListener('error', (e) => { const t = e.target; window.__errors.push(t && t !== window && t.tagName ? 'failed to load <' + t.tagName.toLowerCase() + '>' : String(e.message)); }, true);
window.addEventListener('unhandledrejection', (e) => window.__errors.push('unhandled rejection: ' + e.reason));
const __ce = console.error.bind(console);
console.error = (...a) => { window.__errors.push('console.error: ' + a.join(' ')); __ce(...a); };
window.addEventListener('load', () => {
  // data: images are decoded by the load event; naturalWidth > 0 means the bytes decoded as an image
  const imgs = [...document.images];
  const out = document.createElement('pre');
  out.id = '__probe';
  out.textContent = JSON.stringify({ images: imgs.map((i) => ({ alt: i.alt, complete: i.complete, w: i.naturalWidth, h: i.naturalHeight })), errors: window.__errors, title: document.title });
  document.body.appendChild(out);
});
</script>`;

describe('report: report.html and COLUMNS.md of a real run', function () {
  this.timeout(240000);
  let tmp: string;
  let out: string;
  before(async function () {
    tmp = mkdtempSync(join(tmpdir(), 'airlora-report-'));
    // the PHY quick start with 3 trials instead of 20 (same schemes, SNRs and figures)
    const yaml = readFileSync('scenarios/phy-quickstart.yaml', 'utf8').replace(/^trials:\s*\d+/m, 'trials: 3');
    expect(yaml).to.match(/^trials: 3/m);
    const file = join(tmp, 'phy-quickstart.yaml');
    writeFileSync(file, yaml);
    out = join(tmp, 'run');
    const code = await main(['node', 'airlora', 'run', file, '--out', out]);
    expect(code).to.equal(0);
  });
  after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  it('every column of every CSV is documented with its meaning; the report is self-contained', () => {
    const cols = readFileSync(join(out, 'COLUMNS.md'), 'utf8');
    for (const f of readdirSync(out).filter((x) => x.endsWith('.csv'))) {
      expect(cols).to.contain(`## ${f}`);
      const header = readFileSync(join(out, f), 'utf8').split('\n')[0]!.split(',');
      for (const c of header) expect(cols, `${f}:${c}`).to.match(new RegExp('\\| `' + c + '` \\|'));
    }
    expect(cols).to.not.contain('Not in the catalogue');
    expect(cols).to.match(/\| `snr_db` \| dB \|/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    // no scripts, stylesheets or frames; every src is inline data
    expect(html).to.not.match(/<(script|link|iframe)\b/i);
    expect(html).to.not.match(/src="(?!data:)/);
    for (const id of ['scenario', 'summary', 'figures', 'log', 'columns', 'manifest']) expect(html).to.contain(`id="${id}"`);
    expect(html).to.contain('phy-summary.csv').and.to.contain('trials: 3');
  });

  it('opens offline in headless Chromium: every figure decodes, nothing logs an error', function () {
    const chromium = findChromium();
    if (!chromium) {
      if (process.env['CI'] === 'true') throw new Error('chromium is not installed: .ci/run installs Debian\'s chromium (apt-get install chromium); the report browser test cannot run');
      // eslint-disable-next-line no-console
      console.log('    (skipped: no chromium on PATH; `apt-get install chromium` to run the report browser test)');
      this.skip();
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const pngs = readdirSync(join(out, 'figures')).filter((f) => f.endsWith('.png') && !f.endsWith('.wide.png'));
    expect(pngs.length).to.be.greaterThan(0);
    const { res, stderr } = probe(chromium!, html, 'probed');
    expect(res.title).to.contain('phy-quickstart');
    expect(res.images.length, 'one image per figure').to.equal(pngs.length);
    for (const i of res.images) {
      expect(i.complete, `${i.alt} loaded`).to.equal(true);
      expect(i.w, `${i.alt} decoded`).to.be.greaterThan(0);
      expect(i.h).to.be.greaterThan(0);
    }
    expect(res.errors).to.deep.equal([]);
    // and the browser's own log has no page (console) errors either
    const consoleErrors = stderr.split('\n').filter((l) => /CONSOLE/.test(l) && /error/i.test(l));
    expect(consoleErrors).to.deep.equal([]);
    // the probe itself fails on a broken figure (corrupted image bytes)
    const broken = probe(chromium!, html.replace('data:image/png;base64,iVBOR', 'data:image/png;base64,AAAAA'), 'broken').res;
    expect(broken.images[0]!.w).to.equal(0);
    expect(broken.errors.length).to.be.greaterThan(0);
  });

  type ProbeResult = { images: { alt: string; complete: boolean; w: number; h: number }[]; errors: string[]; title: string };
  /** Open the page (with the probe injected first in <head>) in headless Chromium and read the probe's result from the DOM. */
  function probe(chromium: string, html: string, name: string): { res: ProbeResult; stderr: string } {
    const probed = join(tmp, `${name}.html`);
    writeFileSync(probed, html.replace('<head>', `<head>${PROBE}`));
    const r = spawnSync(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage',
      '--no-first-run', '--disable-extensions', `--user-data-dir=${join(tmp, `profile-${name}`)}`,
      '--enable-logging=stderr', '--v=0', '--virtual-time-budget=15000', '--dump-dom', `file://${probed}`,
    ], { encoding: 'utf8', timeout: 120000, maxBuffer: 256 * 1024 * 1024 });
    expect(r.error, String(r.error)).to.equal(undefined);
    const m = /<pre id="__probe">([^<]*)<\/pre>/.exec(r.stdout);
    expect(m, `no probe result in the dumped DOM; chromium stderr:\n${r.stderr.slice(-3000)}`).to.not.equal(null);
    const res = JSON.parse(m![1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as ProbeResult;
    return { res, stderr: r.stderr };
  }
});
