import { run } from './main';

/** Entry point of the single-file CLI bundle (dist/cli/asff.js), the same as bin/asff for the package. */
void run(process.argv.slice(2));
