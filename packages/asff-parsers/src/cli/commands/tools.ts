import { severitySummary } from '../../parsers/parser-docs';
import { PARSERS } from '../../parsers/registry';
import { parseArgs } from '../args';
import type { CliCommand, CliIo } from '../command';
import { write } from '../output';

export const toolsCommand: CliCommand = {
  name: 'tools',
  summary: 'list the tool ids convert accepts',
  usage: 'asff tools [--details]\n\n  --details      also show each tool\'s name, report formats, counting unit and severity table (tab-separated)',
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { options } = parseArgs(argv, [{ name: 'details', kind: 'boolean', description: 'show details' }]);
    for (const parser of PARSERS) {
      const line = options.details === true
        ? [parser.id, parser.displayName, parser.formats.join('; '), parser.countingUnit, severitySummary(parser.severityTable)].join('\t')
        : parser.id;
      await write(io.stdout, `${line}\n`);
    }
    return 0;
  },
};
