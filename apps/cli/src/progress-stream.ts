import type { SweepProgressEvent } from '@frontline/contracts';

/** A progress event of GET /v1/sweeps/{id}/events. */
export type ProgressEvent = SweepProgressEvent;

/**
 * Read a Server-Sent Events body and yield each event's name and JSON data, until the server
 * closes the stream (it does after the `end` event).
 */
export async function* readProgressEvents(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<{ event: string; data: ProgressEvent }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true }).replace(/\r\n/g, '\n');
    for (let boundary = buffer.indexOf('\n\n'); boundary >= 0; boundary = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) yield { event, data: JSON.parse(data.join('\n')) as ProgressEvent };
    }
  }
}
