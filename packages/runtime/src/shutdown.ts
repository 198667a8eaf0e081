import type { Logger } from 'pino';

type Handler = () => Promise<void> | void;

/**
 * Runs named shutdown handlers once, in registration order, on SIGINT/SIGTERM; a second signal or
 * the deadline forces exit.
 */
export class ShutdownManager {
  readonly #handlers: { name: string; run: Handler }[] = [];
  #started = false;

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs = 30_000,
  ) {}

  register(name: string, run: Handler): void {
    this.#handlers.push({ name, run });
  }

  listen(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): void {
    for (const signal of signals) {
      process.on(signal, () => {
        if (this.#started) {
          this.logger.warn({ signal }, 'second signal: exiting now');
          process.exit(1);
        }
        void this.shutdown(signal).then((ok) => process.exit(ok ? 0 : 1));
      });
    }
  }

  async shutdown(reason: string): Promise<boolean> {
    if (this.#started) return true;
    this.#started = true;
    this.logger.info({ reason }, 'shutting down');
    const deadline = setTimeout(() => {
      this.logger.error('shutdown deadline passed: exiting');
      process.exit(1);
    }, this.deadlineMs);
    deadline.unref();
    let ok = true;
    for (const { name, run } of this.#handlers) {
      try {
        await run();
        this.logger.info({ handler: name }, 'closed');
      } catch (error) {
        ok = false;
        this.logger.error({ handler: name, err: error }, 'shutdown handler failed');
      }
    }
    clearTimeout(deadline);
    return ok;
  }
}
