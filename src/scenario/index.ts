/** Scenario files: schema, loading, and the mapping of a scenario onto the PHY experiment. */
export { scenarioSchema, type Scenario } from './schema.js';
export { loadScenario, parseScenario, resolveScenario } from './load.js';
export { readScenarioFile, parseScenarioText } from './load.js';
export * from './resolve/index.js';
