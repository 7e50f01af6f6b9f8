/**
 * The `airlora` command line. Each sub-command lives in src/cli/commands/<name>.ts and exports
 * `register(program)`; this file only wires them and maps errors to exit codes:
 * bad input → 2, numerical trouble or the environment (disk full, ...) → 3, anything else → 1 (with its
 * stack, since it is a bug).
 */
import { Command, CommanderError } from 'commander';
import { EnvironmentError, NumericalError, UserInputError } from '../errors.js';
import { commands } from './commands/index.js';
import { packageVersion } from '../version.js';
import { parseMemorySize, setMemoryLimit } from '../scenario/memory.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('airlora')
    .description('Federated LoRA fine-tuning over MIMO-OFDM wireless networks: simulator CLI')
    .version(packageVersion())
    .showHelpAfterError()
    .option('--max-memory <size>', 'refuse runs estimated to need more memory than this, e.g. 8G (default: the free memory)')
    .exitOverride();
  // global: `airlora --max-memory 8G run ...` or after the sub-command; also handed to worker threads
  program.hook('preAction', () => {
    const v = program.opts<{ maxMemory?: string }>().maxMemory;
    if (v === undefined) return;
    const bytes = parseMemorySize(v);
    setMemoryLimit(bytes);
    process.env['AIRLORA_MAX_MEMORY'] = String(bytes);
  });
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    return reportError(e);
  }
}

export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // commander already printed its message (help, version, unknown option).
    return e.exitCode === 0 ? 0 : 2;
  }
  if (e instanceof UserInputError) {
    process.stderr.write(`error: ${e.message}\n`);
    return 2;
  }
  if (e instanceof NumericalError) {
    process.stderr.write(`numerical error: ${e.message}\n`);
    return 3;
  }
  if (e instanceof EnvironmentError) {
    process.stderr.write(`environment error: ${e.message}\n`);
    return 3;
  }
  if (e instanceof RangeError && /Array buffer allocation failed|Invalid (typed )?array length/.test(e.message)) {
    // an allocation the memory estimate (src/scenario/memory.ts) did not foresee: the machine, not a bug
    process.stderr.write(`environment error: out of memory (${e.message}); lower the scenario's sizes or the sweep's parallel jobs\n`);
    return 3;
  }
  process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}
