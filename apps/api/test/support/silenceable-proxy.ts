import net from 'node:net';

/** A connection through the proxy: the app's socket and the server's. */
interface Link {
  app: net.Socket;
  server: net.Socket;
  silent: boolean;
  /** The server's bytes are dropped; the app's still reach it (deafen). */
  deaf: boolean;
}

/**
 * A TCP proxy in front of a server that can make the connections it carries go silent, as a
 * partition or a proxy that lost its upstream does: each server-side socket is closed (the server
 * ends the session), while the app's socket stays open and never hears another byte, nor a FIN.
 * Connections made afterwards are carried normally.
 */
export async function startSilenceableProxy(target: { host: string; port: number }) {
  const links = new Set<Link>();
  const counts = { accepted: 0, bytesIntoSilence: 0 };
  const proxy = net.createServer((app) => {
    counts.accepted++;
    const server = net.connect(target.port, target.host);
    const link: Link = { app, server, silent: false, deaf: false };
    links.add(link);
    app.on('data', (data) => {
      if (link.silent) counts.bytesIntoSilence += data.length;
      else server.write(data);
    });
    server.on('data', (data) => {
      if (!link.silent && !link.deaf) app.write(data);
    });
    app.on('error', () => {});
    server.on('error', () => {});
    app.on('close', () => {
      server.destroy();
      links.delete(link);
    });
    server.on('close', () => {
      if (!link.silent) app.destroy();
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address() as net.AddressInfo;
  return {
    port: address.port,
    /** Connections accepted so far. */
    get accepted() {
      return counts.accepted;
    },
    /** Bytes the app sent into silenced connections: statements that will never be answered. */
    get bytesIntoSilence() {
      return counts.bytesIntoSilence;
    },
    /** Silence every connection open now, or only the `latest` ones accepted; returns how many. */
    silence(latest = Number.POSITIVE_INFINITY): number {
      const open = [...links].filter((link) => !link.silent);
      const chosen = open.slice(Math.max(0, open.length - latest));
      for (const link of chosen) {
        link.silent = true;
        link.server.destroy();
      }
      return chosen.length;
    },
    /**
     * Make every connection open now deaf: the server's answers are dropped, the app's statements still
     * reach it, and both stay open. A server that answered is then waiting for the app's next statement
     * while the app waits for the answer. Returns how many.
     */
    deafen(): number {
      const open = [...links].filter((link) => !link.silent && !link.deaf);
      for (const link of open) link.deaf = true;
      return open.length;
    },
    async stop() {
      for (const link of links) {
        link.app.destroy();
        link.server.destroy();
      }
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
