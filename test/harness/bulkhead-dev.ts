// Runs the CLI from the TypeScript sources in its own process (`node --import tsx test/harness/bulkhead-dev.ts …`),
// for tests that signal the process (watch's SIGTERM handling) and for trying commands without a build.
import { main } from '../../src/cli/main.js';

await main(process.argv);
