import type { Command } from 'commander';
import { ApiClient, resolveApiKey, resolveApiUrl } from './api-client.js';

/** What every command gets: the API client and the output mode chosen by the global options. */
export interface CommandContext {
  client: ApiClient;
  json: boolean;
  /** A line (or block) on stdout. */
  print(text: string): void;
  /** One JSON document on stdout. */
  printJson(value: unknown): void;
}

export function commandContext(command: Command): CommandContext {
  const options = command.optsWithGlobals<{
    api?: string;
    apiKey?: string;
    json?: boolean;
    timeout: number;
  }>();
  const apiUrl = resolveApiUrl(options.api);
  return {
    client: new ApiClient(apiUrl, resolveApiKey(options.apiKey, apiUrl), options.timeout),
    json: options.json === true,
    print: (text) => process.stdout.write(`${text}\n`),
    printJson: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/** Sweep ids in paths: URL-encoded so a typo cannot address another route. */
export const sweepPath = (id: string) => `/v1/sweeps/${encodeURIComponent(id)}`;
