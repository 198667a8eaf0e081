import { describe, expect, it } from 'vitest';
import { readProgressEvents } from '../src/progress-stream.js';

async function* bytes(...parts: string[]) {
  const encoder = new TextEncoder();
  for (const part of parts) yield encoder.encode(part);
}

const event = (done: number, status = 'running') =>
  JSON.stringify({
    id: 's',
    status,
    progress: { done, total: 10, failed: 0, reused: 0 },
    ratePerSecond: 1,
    etaSeconds: 1,
  });

describe('readProgressEvents', () => {
  it('yields each event once, across arbitrary chunk boundaries, skipping comments and retry lines', async () => {
    const text = `retry: 3000\n\nid: 1\nevent: progress\ndata: ${event(3)}\n\n: keep-alive\n\nid: 2\nevent: end\ndata: ${event(10, 'completed')}\n\n`;
    const cut = [5, 23, 40, 41, 90, text.length];
    const parts = cut.map((end, i) => text.slice(i === 0 ? 0 : cut[i - 1], end));
    const seen = [];
    for await (const e of readProgressEvents(bytes(...parts)))
      seen.push([e.event, e.data.progress.done, e.data.status]);
    expect(seen).toEqual([
      ['progress', 3, 'running'],
      ['end', 10, 'completed'],
    ]);
  });

  it('accepts CRLF line endings', async () => {
    const seen = [];
    for await (const e of readProgressEvents(bytes(`event: progress\r\ndata: ${event(7)}\r\n\r\n`)))
      seen.push(e.data.progress.done);
    expect(seen).toEqual([7]);
  });
});
