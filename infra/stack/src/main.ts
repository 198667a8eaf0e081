// `pnpm stack` (foreground local stack) and `pnpm demo` (`--demo`: bring it up, run the demo, stop).
import { parseArgs } from 'node:util';
import { runDemo } from './demo.js';
import { defaultAppLogLevel } from './env.js';
import { runStack } from './stack.js';

const usage = `usage: pnpm stack [--workers N] [--verbose]
       pnpm demo
  --demo       bring the stack up, run the demo against it, then stop it (exit 0 on success)
  --workers N  worker processes to run (default 1)
  --verbose    print every Postgres and Redis log line
Uses DATABASE_URL (the owner's) / REDIS_URL when set instead of starting Postgres / Redis;
APP_DATABASE_URL (the frontline_app role's) alone runs apps on a database migrated elsewhere.`;

const { values } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const workers = Number(values.workers);
if (values.help || !Number.isInteger(workers) || workers < 1) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}

// The demo's own output is the point: keep the apps to warnings unless asked otherwise.
if (values.demo) defaultAppLogLevel('warn');

const exitCode = await runStack({
  workers,
  verbose: values.verbose,
  task: values.demo
    ? async ({ apiUrl, adminKey }) => {
        if (!adminKey) throw new Error('the demo needs DATABASE_URL (the owner) to make its admin key');
        await runDemo({ apiUrl, adminKey });
      }
    : undefined,
});
process.exit(exitCode);
