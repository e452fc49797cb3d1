#!/usr/bin/env node
import { main } from './program.js';

// `labsmith routes LAB | head` closes our stdout early; that is the reader's choice, not a fault.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
