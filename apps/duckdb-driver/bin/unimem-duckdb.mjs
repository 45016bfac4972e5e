#!/usr/bin/env node
// The `unimem-duckdb` executable: registers the tsx loader (this package runs from TypeScript
// source inside the workspace) and runs the CLI, from any working directory.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
