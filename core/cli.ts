#!/usr/bin/env node
/** The `scrollback` executable (package.json `bin`). */
import { runCli } from './cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
