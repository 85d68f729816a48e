import type { Command } from '../../src/chat/command';
import { helpCommand } from '../../src/chat/commands/help';
import { rosterCommands } from '../../src/roster/commands';
import { caseCommands } from '../../src/cases/commands';
import { enrollmentCommands } from '../../src/enrollment/commands';
import { reportCommands } from '../../src/chat/commands/reports';
import { retentionCommand } from '../../src/chat/commands/retention';
import { handoffCommands } from '../../src/chat/commands/handoff';
import type { Reporting } from '../../src/reports/reporting';
import type { Handoffs } from '../../src/reports/handoff';

/** The real command table as src/features.ts registers it, without a database. */
export function commandTable(): Command[] {
  const all: Command[] = [];
  all.push(
    helpCommand(() => all),
    ...rosterCommands,
    ...caseCommands,
    ...enrollmentCommands,
    ...reportCommands({} as Reporting),
    retentionCommand,
    ...handoffCommands({} as Handoffs),
  );
  return all;
}
