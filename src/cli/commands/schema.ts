/**
 * `airlora schema [--markdown]`: the scenario format as JSON Schema (for editors: point the YAML
 * language server at it), or as the markdown reference (docs/scenario-reference.md).
 */
import type { Command } from 'commander';
import { scenarioJsonSchema, scenarioReferenceMarkdown } from '../../scenario/json-schema.js';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the scenario format as JSON Schema (descriptions and units on every key), or --markdown')
    .option('--markdown', 'print docs/scenario-reference.md instead')
    .action((o: { markdown?: boolean }) => {
      process.stdout.write(o.markdown ? scenarioReferenceMarkdown() : JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
    });
}
