// Entry point of `pnpm unimem`: runs the CLI with the process arguments.
import { main } from './cli.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
