// Entry point of `pnpm unimem`: runs the CLI with the process arguments.
import { main } from './cli.js';

process.exitCode = main(process.argv.slice(2));
