#!/usr/bin/env node
/** The `scrollback` executable (package.json `bin`): the command line in ./cli/main.ts. */
import './cli/main.js';
