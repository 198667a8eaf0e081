import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 request over a plain socket, with the request target exactly as given: fetch and
 * undici would resolve dot segments, and an absolute-form target cannot be sent with them at all.
 * Event streams are answered at their headers (they never end).
 */
export function rawRequest(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const lines = [`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (streaming: boolean) => {
      if (settled) return;
      const received = Buffer.concat(chunks);
      const end = received.indexOf('\r\n\r\n');
      const text = received.subarray(0, Math.max(end, 0)).toString('latin1');
      if (end < 0) {
        if (streaming) return;
        settled = true;
        reject(new Error(`no HTTP response to ${method} ${target}: ${received.length} bytes`));
        return;
      }
      const [statusLine, ...headerLines] = text.split('\r\n');
      const parsedHeaders: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        parsedHeaders[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const eventStream = parsedHeaders['content-type']?.startsWith('text/event-stream');
      if (streaming && !eventStream) return;
      settled = true;
      socket.destroy();
      let rawBody: Buffer = received.subarray(end + 4);
      if (parsedHeaders['transfer-encoding'] === 'chunked') rawBody = dechunk(rawBody);
      resolve({
        status: Number(statusLine?.split(' ')[1]),
        headers: parsedHeaders,
        body: rawBody.toString('utf8'),
      });
    };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      finish(true);
    });
    socket.on('end', () => finish(false));
    socket.on('error', (error) => {
      if (!settled) reject(error);
    });
  });
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
