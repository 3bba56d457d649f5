import { createConstructLibraries, createWorkspace } from './projenrc';

const root = createWorkspace();
createConstructLibraries(root);
root.synth();
