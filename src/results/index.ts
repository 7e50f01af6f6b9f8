// Results folders: atomic writes, tidy CSV, manifests.
export * from './run-folder.js';
export * from './csv.js';
export * from './canonical.js';
export { writeFileAtomic, appendFileFlushed } from './atomic.js';
export { buildManifest, gitInfo, dependencyVersions } from './manifest.js';
