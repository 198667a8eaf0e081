// Someone else's server on a port the stack might want: it must be skipped and left untouched.
import { connect, createServer, type Server } from 'node:net';

/** A server on `port` answering every connection with a banner that is not ours. */
export async function listenWithBanner(port: number): Promise<Server> {
  const server = createServer((socket) => socket.end('not frontline\n'));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

export function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** What a server on `port` says: still the foreign banner if the stack left it alone. */
export function bannerAt(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}
