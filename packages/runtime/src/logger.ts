import { type Logger, pino } from 'pino';

export type { Logger };

/** Structured JSON logs; child loggers carry sweep and chunk ids. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level, base: { service, pid: process.pid } });
}
