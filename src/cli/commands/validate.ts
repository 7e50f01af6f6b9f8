/**
 * `airlora validate FILE [--print]`: check a scenario file the way `airlora run` checks it at start-up,
 * so that whatever `run` would refuse before writing anything, `validate` refuses too: the schema, the
 * run kind's own resolve() (e.g. a training run takes one SNR and one server antenna count), the sweep's
 * jobs (each grid point resolved as its job would be), and the memory the run needs (`--max-memory`).
 * Bad input exits 2 with the field, value and allowed values.
 */
import type { Command } from 'commander';
import { parseScenarioText } from '../../scenario/load.js';
import { collectSet, scenarioWithSets } from './flags.js';
import { startupChecks } from '../../scenario/startup.js';
import type { MemoryEstimate } from '../../scenario/memory.js';
import { resolveRun } from '../../runs/lifecycle.js';
import { expandSweep } from '../../sweep/grid.js';
import { UserInputError } from '../../errors.js';

export interface ValidationReport {
  kind: string;
  name: string;
  seed: number;
  /** the scenario as validated (defaults filled in) */
  scenario: unknown;
  memory: MemoryEstimate;
  /** grid points resolved (sweep scenarios) */
  sweepPoints: number;
  /** sections a run of this kind ignores */
  warnings: string[];
}

/** Every start-up check of `run` on a raw scenario (UserInputError naming the field otherwise). */
export async function validateScenario(raw: Record<string, unknown>, source: string, opts: { limitBytes?: number } = {}): Promise<ValidationReport> {
  // sizes first, on the scenario as written: a kind's resolve() may already allocate per device
  startupChecks(raw, opts);
  const { runner, resolved, warnings } = await resolveRun(raw, { source });
  const memory = startupChecks(resolved.scenario, opts);
  let sweepPoints = 0;
  if (raw['sweep'] !== undefined) {
    // each grid point as its job will run it (trials differ only in the seed)
    const plan = expandSweep(raw, { reference: resolved.scenario as Record<string, unknown> });
    for (const job of plan.jobs) {
      if (job.trial !== 0) continue;
      const point = Object.entries(job.point).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
      const where = `${source}: sweep job ${job.id} (${point})`;
      try {
        startupChecks(job.scenario, opts);
        const r = await resolveRun(job.scenario, { source: where });
        startupChecks(r.resolved.scenario, opts);
      } catch (e) {
        // name the job when the message does not (the kind's own checks name only the field)
        if (e instanceof UserInputError && !e.message.startsWith(where)) throw new UserInputError(`${where}: ${e.message}`, e.field);
        throw e;
      }
      sweepPoints++;
    }
  }
  return { kind: runner.kind, name: resolved.name, seed: resolved.seed, scenario: resolved.scenario, memory, sweepPoints, warnings };
}

/** `validateScenario` on YAML text (tests, notebooks). */
export function validateScenarioText(text: string, source = 'scenario', opts: { limitBytes?: number } = {}): Promise<ValidationReport> {
  return validateScenario(parseScenarioText(text, source), source, opts);
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a scenario file as `run` does at start-up (schema, run kind, sweep points, memory)')
    .argument('<file>', 'scenario YAML file')
    .option('--print', 'print the resolved scenario (defaults filled in) as JSON')
    .option('--set <path=value>', 'override a scenario key (YAML value; repeatable)', collectSet, [])
    .action(async (file: string, opts: { print?: boolean; set?: string[] }) => {
      const r = await validateScenario(scenarioWithSets(file, opts.set), file);
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      if (opts.print) { process.stdout.write(JSON.stringify(r.scenario, null, 2) + '\n'); return; }
      const s = r.scenario as { trials?: number };
      const sweep = r.sweepPoints ? `, ${r.sweepPoints} sweep points` : '';
      process.stdout.write(`${file}: valid scenario '${r.name}' (${r.kind} run, seed ${r.seed}${r.kind === 'phy' && s.trials !== undefined ? `, ${s.trials} trials` : ''}${sweep}; needs about ${formatMiB(r.memory.bytes)} of memory)\n`);
    });
}

function formatMiB(b: number): string {
  return b >= 2 ** 30 ? `${(b / 2 ** 30).toPrecision(3)} GiB` : `${Math.max(1, Math.round(b / 2 ** 20))} MiB`;
}
