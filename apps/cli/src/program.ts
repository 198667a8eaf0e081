import { Command } from 'commander';
import { defaultApiUrl } from './api-client.js';
import { cancelCommand } from './commands/cancel.js';
import { curvesCommand } from './commands/curves.js';
import { exportCommand } from './commands/export.js';
import { keysCommand } from './commands/keys.js';
import { listCommand } from './commands/list.js';
import { queueCommand } from './commands/queue.js';
import { statusCommand } from './commands/status.js';
import { submitCommand } from './commands/submit.js';
import { upCommand } from './commands/up.js';
import { watchCommand } from './commands/watch.js';

/** The `frontline` command line: global --api and --json, one subcommand per file. */
export function buildProgram(): Command {
  const program = new Command('frontline')
    .description(
      'Frontline: parameter sweeps of the LF-TID therapy-response model, and their survival curves',
    )
    .option(
      '--api <url>',
      `API base URL (default: the running local stack's, from .frontline/stack.json, else ${defaultApiUrl})`,
    )
    .option('--api-key <key>', "API key (default: $FRONTLINE_API_KEY, else the local stack's admin key)")
    .option('--json', 'print machine-readable JSON instead of tables')
    .showHelpAfterError()
    .showSuggestionAfterError();
  for (const command of [
    upCommand(),
    submitCommand(),
    statusCommand(),
    watchCommand(),
    listCommand(),
    curvesCommand(),
    exportCommand(),
    cancelCommand(),
    queueCommand(),
    keysCommand(),
  ])
    program.addCommand(command);
  return program;
}
