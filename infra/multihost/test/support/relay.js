"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * A TCP relay, run inside a host's namespace: `relay.ts <listen> <target host:port> [delay ms]`.
 * `<listen>` is `host:port`, or a Unix socket path (how the test, in the root namespace, reaches
 * a host without any IP traffic of its own: filesystem sockets are not bound to a namespace).
 * With a delay, every byte is held that long in each direction, in order: added latency without
 * `tc netem`, which this kernel lacks.
 */
var node_net_1 = require("node:net");
var _a = process.argv.slice(2), listen = _a[0], target = _a[1], delayArg = _a[2];
if (!listen || !target)
    throw new Error('usage: relay.ts <host:port | socket path> <host:port> [delay ms]');
var delayMs = Number(delayArg !== null && delayArg !== void 0 ? delayArg : 0);
var _b = target.split(':'), targetHost = _b[0], targetPort = _b[1];
/**
 * Round trips: a client that sends after the server last spoke on its connection has waited for an
 * answer (one turn). Counted over all connections, printed on SIGUSR2 (benchmarks read it).
 */
var turns = 0;
process.on('SIGUSR2', function () { return console.log("relay turns ".concat(turns)); });
/** Forward `from` to `to`, each piece after `delayMs` (timers of one duration fire in order). */
function pipeDelayed(from, to, onData) {
    var later = function (action) { return (delayMs > 0 ? setTimeout(action, delayMs) : action()); };
    from.on('data', function (piece) {
        onData();
        later(function () { return to.write(piece); });
    });
    from.on('end', function () { return later(function () { return to.end(); }); });
    from.on('close', function () { return later(function () { return to.destroy(); }); });
}
var server = (0, node_net_1.createServer)(function (client) {
    var upstream = (0, node_net_1.createConnection)({ host: targetHost, port: Number(targetPort) });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('error', function () { return upstream.destroy(); });
    upstream.on('error', function () { return client.destroy(); });
    var serverSpokeLast = true; // the first request is a turn too
    pipeDelayed(client, upstream, function () {
        if (serverSpokeLast)
            turns++;
        serverSpokeLast = false;
    });
    pipeDelayed(upstream, client, function () {
        serverSpokeLast = true;
    });
});
var colon = listen.lastIndexOf(':');
if (listen.startsWith('/'))
    server.listen(listen, ready);
else
    server.listen(Number(listen.slice(colon + 1)), listen.slice(0, colon), ready);
function ready() {
    console.log("relay ready ".concat(listen, " -> ").concat(target, " delay ").concat(delayMs, " ms"));
}
