import { noColor } from './env.js';
import type { LineSink } from './process-group.js';

const colours = [36, 33, 35, 32, 34, 31] as const;
const useColour = process.stdout.isTTY === true && !noColor();
const nameWidth = 9;
const assigned = new Map<string, number>();

const stdout = (text: string) => void process.stdout.write(text);

/** A sink that prints `[name] line`, one colour per name when writing to a terminal. */
export function prefixed(name: string, print: (text: string) => void = stdout): LineSink {
  const colour = colours[assigned.size % colours.length] ?? 36;
  if (!assigned.has(name)) assigned.set(name, colour);
  const label = `[${name}]`.padEnd(nameWidth + 2);
  const prefix = useColour ? `\u001b[${assigned.get(name)}m${label}\u001b[0m` : label;
  return (line) => print(`${prefix} ${line}\n`);
}

/**
 * Postgres and Redis are chatty at start and stop; unless verbose, pass only what needs a human:
 * warnings and errors, and our own install/permission messages (which are not log lines).
 */
export function serverLines(sink: LineSink, verbose: boolean): LineSink {
  if (verbose) return sink;
  return (line) => {
    const isLogLine = /^\d/.test(line);
    // Redis warns about vm.overcommit_memory on most hosts; it matters only for fork-heavy RDB saves, which are off.
    const needsAHuman = /\b(WARNING|ERROR|FATAL|PANIC)\b/.test(line) && !line.includes('overcommit_memory');
    if (!isLogLine || needsAHuman) sink(line);
  };
}
