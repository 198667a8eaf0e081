import { Command, InvalidArgumentError } from 'commander';
import { defaultApiUrl, defaultTimeoutSeconds } from './api-client.js';
import { cancelCommand } from './commands/cancel.js';
import { curvesCommand } from './commands/curves.js';
import { exportCommand } from './commands/export.js';
import { hazardRatiosCommand } from './commands/hazard-ratios.js';
import { keysCommand } from './commands/keys.js';
import { listCommand } from './commands/list.js';
import { paramsCommand } from './commands/params.js';
import { pointsCommand } from './commands/points.js';
import { powerCommand } from './commands/power.js';
import { queueCommand } from './commands/queue.js';
import { sensitivityCommand } from './commands/sensitivity.js';
import { statusCommand } from './commands/status.js';
import { submitCommand } from './commands/submit.js';
import { upCommand } from './commands/up.js';
import { watchCommand } from './commands/watch.js';

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number of seconds > 0');
  return n;
}

/** The `frontline` command line: global --api, --api-key, --timeout and --json, one subcommand per file. */
export function buildProgram(): Command {
  const program = new Command('frontline')
    .description(
      'Frontline: parameter sweeps of the LF-TID therapy-response model, and their survival curves',
    )
    .option(
      '--api <url>',
      `API base URL (default: $FRONTLINE_API, else the running local stack's from the nearest .frontline/stack.json, else ${defaultApiUrl})`,
    )
    .option('--api-key <key>', "API key (default: $FRONTLINE_KEY, else that local stack's admin key)")
    .option('--timeout <seconds>', 'how long to wait for the API to answer', seconds, defaultTimeoutSeconds)
    .option('--json', 'print machine-readable JSON instead of tables')
    .showHelpAfterError()
    .showSuggestionAfterError();
  for (const command of [
    upCommand(),
    submitCommand(),
    statusCommand(),
    watchCommand(),
    listCommand(),
    pointsCommand(),
    curvesCommand(),
    sensitivityCommand(),
    hazardRatiosCommand(),
    powerCommand(),
    exportCommand(),
    cancelCommand(),
    paramsCommand(),
    queueCommand(),
    keysCommand(),
  ])
    program.addCommand(command);
  return program;
}
