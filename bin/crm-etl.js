#!/usr/bin/env -S node --max-semi-space-size=24
// --max-semi-space-size: V8's young generation at 24 MB a semi-space instead of 16 (the main
// thread's; worker threads keep the default, src/core/worker-script.ts). A run makes millions of short-lived strings and arrays (rows,
// values, CSV); with the default, many survived two scavenges and were promoted, and collecting
// them cost 6-12 % of a million-record run's CPU (BENCHMARKS.md, issue #10). `npm start` passes it too.
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`crm-etl: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
