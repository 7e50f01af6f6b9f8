// Development entry: `npx tsx src/cli/dev.ts <command> ...` runs the CLI from source.
import { main } from './main.js';
main(process.argv).then((code) => { process.exitCode = code; });
