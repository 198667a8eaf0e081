#!/usr/bin/env node
import { ApiResponseError, ApiTimeoutError, ApiUnreachableError } from './api-client.js';
import { buildProgram } from './program.js';

const json = process.argv.includes('--json');

function report(error: unknown): void {
  if (error instanceof ApiResponseError) {
    if (json) {
      const { code, message, details, requestId } = error;
      process.stderr.write(`${JSON.stringify({ error: { code, message, requestId, details } })}\n`);
      return;
    }
    process.stderr.write(`error: ${error.message}\n`);
    for (const detail of error.details) process.stderr.write(`  - ${detail.path}: ${detail.rule}\n`);
    if (error.status === 401)
      process.stderr.write('Pass an API key with --api-key <key> or set FRONTLINE_KEY.\n');
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    json ? `${JSON.stringify({ error: { code: 'cli_error', message } })}\n` : `error: ${message}\n`,
  );
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  report(error);
  process.exitCode = error instanceof ApiUnreachableError || error instanceof ApiTimeoutError ? 3 : 1;
}
