import type { CliCommand } from '../command';
import { conformanceCommand } from './conformance';
import { convertCommand } from './convert';
import { gateCommand } from './gate';
import { importCommand } from './import';
import { licensesCommand } from './licenses';
import { policyCommand } from './policy';
import { toolsCommand } from './tools';
import { validateCommand } from './validate';

/** Every `asff` command, one line each; `asff --help` lists them in this order. */
export const COMMANDS: readonly CliCommand[] = [
  convertCommand,
  toolsCommand,
  conformanceCommand,
  importCommand,
  gateCommand,
  licensesCommand,
  policyCommand,
  validateCommand,
];
