// The process entry of the `bpfwasm` command (bin/bpfwasm.js loads this).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
