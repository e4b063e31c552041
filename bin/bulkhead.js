#!/usr/bin/env node
// Entry point of the `bulkhead` command: runs the compiled CLI.
import { main } from '../dist/cli/main.js';

await main(process.argv);
