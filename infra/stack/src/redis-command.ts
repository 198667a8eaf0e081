import { connect } from 'node:net';

/** A RESP reply: simple/bulk strings, integers, nil, errors (thrown) and arrays of those. */
export type RedisReply = string | number | null | RedisReply[];

export class RedisReplyError extends Error {
  override name = 'RedisReplyError';
}

/**
 * Send one command to the Redis at `url` and return its reply. Just enough RESP for the stack's
 * readiness probe and its tests (PING, CONFIG GET); the apps use ioredis.
 */
export function redisCommand(url: string, args: readonly string[], timeoutMs = 2_000): Promise<RedisReply> {
  const { hostname, port, password } = new URL(url);
  const commands = password ? [['AUTH', decodeURIComponent(password)], args] : [args];
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`redis ${url}: no reply in ${timeoutMs} ms`)),
    );
    let buffered = Buffer.alloc(0);
    const replies: RedisReply[] = [];
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      try {
        for (;;) {
          const parsed = parseReply(buffered, 0);
          if (!parsed) break;
          buffered = buffered.subarray(parsed.end);
          replies.push(parsed.reply);
        }
      } catch (error) {
        socket.destroy();
        reject(error);
        return;
      }
      if (replies.length === commands.length) {
        socket.end();
        resolvePromise(replies[replies.length - 1] ?? null);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`redis ${url}: connection closed before a reply`)));
    socket.write(commands.map(encodeCommand).join(''));
  });
}

function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/** Parse one reply starting at `start`; undefined when more bytes are needed. */
function parseReply(buffer: Buffer, start: number): { reply: RedisReply; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[start] ?? 0);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: line, end: next };
    case '-':
      throw new RedisReplyError(line);
    case ':':
      return { reply: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: RedisReply[] = [];
      let offset = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, offset);
        if (!item) return undefined;
        items.push(item.reply);
        offset = item.end;
      }
      return { reply: items, end: offset };
    }
    default:
      throw new RedisReplyError(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}
