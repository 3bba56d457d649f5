import { startConvertWorkerIfAsked } from './convert-worker';

// The file the compiled package's conversion workers start on (see convert-pool.ts).
startConvertWorkerIfAsked();
