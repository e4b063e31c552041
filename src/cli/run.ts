// Source entry point for running the CLI without a build: `node --import tsx src/cli/run.ts ARGS`.
import { main } from './main.js';

await main(process.argv);
