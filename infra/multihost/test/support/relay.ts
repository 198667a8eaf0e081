/**
 * A TCP relay, run inside a host's namespace: `relay.ts <listen> <target host:port> [delay ms]`.
 * `<listen>` is `host:port`, or a Unix socket path (how the test, in the root namespace, reaches
 * a host without any IP traffic of its own: filesystem sockets are not bound to a namespace).
 * With a delay, every byte is held that long in each direction, in order: added latency without
 * `tc netem`, which this kernel lacks.
 */
import { createConnection, createServer, type Socket } from 'node:net';

const [listen, target, delayArg] = process.argv.slice(2);
if (!listen || !target) throw new Error('usage: relay.ts <host:port | socket path> <host:port> [delay ms]');
const delayMs = Number(delayArg ?? 0);
const [targetHost, targetPort] = target.split(':');

/**
 * Round trips: a client that sends after the server last spoke on its connection has waited for an
 * answer (one turn). Counted over all connections, printed on SIGUSR2 (benchmarks read it).
 */
let turns = 0;
process.on('SIGUSR2', () => console.log(`relay turns ${turns}`));

/** Forward `from` to `to`, each piece after `delayMs` (timers of one duration fire in order). */
function pipeDelayed(from: Socket, to: Socket, onData: () => void): void {
  const later = (action: () => void) => (delayMs > 0 ? setTimeout(action, delayMs) : action());
  from.on('data', (piece) => {
    onData();
    later(() => to.write(piece));
  });
  from.on('end', () => later(() => to.end()));
  from.on('close', () => later(() => to.destroy()));
}

const server = createServer((client) => {
  const upstream = createConnection({ host: targetHost, port: Number(targetPort) });
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  let serverSpokeLast = true; // the first request is a turn too
  pipeDelayed(client, upstream, () => {
    if (serverSpokeLast) turns++;
    serverSpokeLast = false;
  });
  pipeDelayed(upstream, client, () => {
    serverSpokeLast = true;
  });
});
const colon = listen.lastIndexOf(':');
if (listen.startsWith('/')) server.listen(listen, ready);
else server.listen(Number(listen.slice(colon + 1)), listen.slice(0, colon), ready);

function ready() {
  console.log(`relay ready ${listen} -> ${target} delay ${delayMs} ms`);
}
