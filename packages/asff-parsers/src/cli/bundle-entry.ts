import { setWorkerScript } from './convert-pool';
import { startConvertWorkerIfAsked } from './convert-worker';
import { run } from './main';

/**
 * Entry point of the single-file CLI bundle (dist/cli/asff.js), the same as bin/asff for the package. The
 * bundle is also the script of its own conversion worker threads: it ships as one file.
 */
if (!startConvertWorkerIfAsked()) {
  setWorkerScript(__filename);
  void run(process.argv.slice(2));
}
