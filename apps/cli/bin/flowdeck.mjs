#!/usr/bin/env node
// Runs the TypeScript sources through tsx, the workspace packages' too (their `source` export
// condition), so the CLI needs no build step.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
registerHooks('./source-condition.mjs', import.meta.url);
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
