import type { CliCommand } from '../command';
import { conformanceCommand } from './conformance';
import { convertCommand } from './convert';
import { toolsCommand } from './tools';

/** Every `asff` command, one line each; `asff --help` lists them in this order. */
export const COMMANDS: readonly CliCommand[] = [
  convertCommand,
  toolsCommand,
  conformanceCommand,
];
