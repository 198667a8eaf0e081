"use strict";
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __generator = (this && this.__generator) || function (thisArg, body) {
    var _ = { label: 0, sent: function() { if (t[0] & 1) throw t[1]; return t[1]; }, trys: [], ops: [] }, f, y, t, g = Object.create((typeof Iterator === "function" ? Iterator : Object).prototype);
    return g.next = verb(0), g["throw"] = verb(1), g["return"] = verb(2), typeof Symbol === "function" && (g[Symbol.iterator] = function() { return this; }), g;
    function verb(n) { return function (v) { return step([n, v]); }; }
    function step(op) {
        if (f) throw new TypeError("Generator is already executing.");
        while (g && (g = 0, op[0] && (_ = 0)), _) try {
            if (f = 1, y && (t = op[0] & 2 ? y["return"] : op[0] ? y["throw"] || ((t = y["return"]) && t.call(y), 0) : y.next) && !(t = t.call(y, op[1])).done) return t;
            if (y = 0, t) op = [op[0] & 2, t.value];
            switch (op[0]) {
                case 0: case 1: t = op; break;
                case 4: _.label++; return { value: op[1], done: false };
                case 5: _.label++; y = op[1]; op = [0]; continue;
                case 7: op = _.ops.pop(); _.trys.pop(); continue;
                default:
                    if (!(t = _.trys, t = t.length > 0 && t[t.length - 1]) && (op[0] === 6 || op[0] === 2)) { _ = 0; continue; }
                    if (op[0] === 3 && (!t || (op[1] > t[0] && op[1] < t[3]))) { _.label = op[1]; break; }
                    if (op[0] === 6 && _.label < t[1]) { _.label = t[1]; t = op; break; }
                    if (t && _.label < t[2]) { _.label = t[2]; _.ops.push(op); break; }
                    if (t[2]) _.ops.pop();
                    _.trys.pop(); continue;
            }
            op = body.call(thisArg, _);
        } catch (e) { op = [6, e]; y = 0; } finally { f = t = 0; }
        if (op[0] & 5) throw op[1]; return { value: op[0] ? op[1] : void 0, done: true };
    }
};
var __spreadArray = (this && this.__spreadArray) || function (to, from, pack) {
    if (pack || arguments.length === 2) for (var i = 0, l = from.length, ar; i < l; i++) {
        if (ar || !(i in from)) {
            if (!ar) ar = Array.prototype.slice.call(from, 0, i);
            ar[i] = from[i];
        }
    }
    return to.concat(ar || Array.prototype.slice.call(from));
};
var _a, _b;
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Workers on several hosts (network namespaces, as infra/multihost/test): throughput of
 *   1. one worker process × 1 thread, then two (on two hosts) × 1 thread: scaling efficiency;
 *   2. two worker hosts reaching Postgres and Redis through the proxy host, first with no delay
 *      (the relay's own cost), then with BENCH_DELAY_MS each way (default 25: +50 ms per round trip);
 * and the Postgres and Redis connections each worker process holds (pg_stat_activity, CLIENT LIST),
 * counted while the two-process sweep runs. Every figure is simulations/s from the POST until the
 * API says `completed`, each worker warmed by a small sweep first. Needs root (ip netns).
 *
 *   pnpm --filter @frontline/multihost bench      (or: pnpm bench)
 */
var node_os_1 = require("node:os");
var cluster_js_1 = require("../test/support/cluster.js");
var patients = Number((_a = process.env.BENCH_PATIENTS) !== null && _a !== void 0 ? _a : 6000);
var delayMs = Number((_b = process.env.BENCH_DELAY_MS) !== null && _b !== void 0 ? _b : 25);
var seed = 20261202;
/** The benchmark sweep: 8 points of a three-axis grid, the default chunk size (production's). */
function sweepSpec(cohortPatients) {
    seed += 1; // a new seed each run: stored outcomes are reused per seed
    return {
        name: "multihost bench ".concat(seed),
        model: 'lf-tid@1',
        design: { kind: 'grid', axes: { dose: [0, 2], immuneKill: [0.035, 0.1], emtPlasticity: [0.1, 1] } },
        cohort: { patients: cohortPatients, seed: seed },
    };
}
function runSweep(cluster, cohortPatients, during) {
    return __awaiter(this, void 0, void 0, function () {
        var started, id, seconds;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    started = performance.now();
                    return [4 /*yield*/, cluster.submit(sweepSpec(cohortPatients))];
                case 1:
                    id = _a.sent();
                    if (!during) return [3 /*break*/, 4];
                    return [4 /*yield*/, cluster.waitForSweep(id, function (s) { return s.progress.done > 0; })];
                case 2:
                    _a.sent();
                    return [4 /*yield*/, during()];
                case 3:
                    _a.sent();
                    _a.label = 4;
                case 4: return [4 /*yield*/, cluster.waitForSweep(id, function (s) { return s.status === 'completed'; }, 1200000)];
                case 5:
                    _a.sent();
                    seconds = (performance.now() - started) / 1000;
                    return [2 /*return*/, { seconds: seconds, rate: (8 * cohortPatients) / seconds }];
            }
        });
    });
}
/** Connections per worker process: Postgres backends by client address, Redis clients by address. */
function countConnections(cluster, hosts) {
    return __awaiter(this, void 0, void 0, function () {
        var rows, clientList, _a, counts, _loop_1, _i, hosts_1, host;
        var _b, _c;
        return __generator(this, function (_d) {
            switch (_d.label) {
                case 0: return [4 /*yield*/, cluster.ownerPool.query("select host(client_addr) as addr, count(*)::int as connections from pg_stat_activity\n     where application_name = 'frontline-worker' group by 1")];
                case 1:
                    rows = (_d.sent()).rows;
                    _a = String;
                    return [4 /*yield*/, cluster.redis.call('CLIENT', 'LIST')];
                case 2:
                    clientList = _a.apply(void 0, [_d.sent()]);
                    counts = {};
                    _loop_1 = function (host) {
                        var address = cluster.network.host(host).address;
                        counts[host] = {
                            postgres: (_c = (_b = rows.find(function (row) { return row.addr === address; })) === null || _b === void 0 ? void 0 : _b.connections) !== null && _c !== void 0 ? _c : 0,
                            redis: clientList.split('\n').filter(function (line) { return line.includes(" addr=".concat(address, ":")); }).length,
                        };
                    };
                    for (_i = 0, hosts_1 = hosts; _i < hosts_1.length; _i++) {
                        host = hosts_1[_i];
                        _loop_1(host);
                    }
                    return [2 /*return*/, counts];
            }
        });
    });
}
/**
 * How many worker backends are busy (state other than idle) at once, sampled every 20 ms: what a
 * transaction-pooling pgbouncer would need as server connections per worker process.
 */
function sampleBusyConnections(cluster) {
    var _this = this;
    var running = true;
    var counts = [];
    var loop = (function () { return __awaiter(_this, void 0, void 0, function () {
        var rows;
        var _a, _b;
        return __generator(this, function (_c) {
            switch (_c.label) {
                case 0:
                    if (!running) return [3 /*break*/, 3];
                    return [4 /*yield*/, cluster.ownerPool.query("select count(*)::int as busy from pg_stat_activity\n         where application_name = 'frontline-worker' and state <> 'idle'")];
                case 1:
                    rows = (_c.sent()).rows;
                    counts.push((_b = (_a = rows[0]) === null || _a === void 0 ? void 0 : _a.busy) !== null && _b !== void 0 ? _b : 0);
                    return [4 /*yield*/, new Promise(function (resolve) { return setTimeout(resolve, 20); })];
                case 2:
                    _c.sent();
                    return [3 /*break*/, 0];
                case 3: return [2 /*return*/];
            }
        });
    }); })();
    return {
        stop: function () {
            return __awaiter(this, void 0, void 0, function () {
                return __generator(this, function (_a) {
                    switch (_a.label) {
                        case 0:
                            running = false;
                            return [4 /*yield*/, loop];
                        case 1:
                            _a.sent();
                            return [2 /*return*/, {
                                    samples: counts.length,
                                    mean: counts.reduce(function (a, b) { return a + b; }, 0) / Math.max(1, counts.length),
                                    max: Math.max.apply(Math, __spreadArray([0], counts, false)),
                                }];
                    }
                });
            });
        },
    };
}
function main() {
    return __awaiter(this, void 0, void 0, function () {
        var cluster, stopHost, warm, line, one, connections_1, sampling, two, busy, relayed, turnsBefore, delayed, turnsAfter, rows, chunks;
        var _this = this;
        var _a, _b, _c, _d, _e;
        return __generator(this, function (_f) {
            switch (_f.label) {
                case 0:
                    console.log("machine: ".concat((_b = (_a = (0, node_os_1.cpus)()[0]) === null || _a === void 0 ? void 0 : _a.model) !== null && _b !== void 0 ? _b : 'unknown', ", ").concat((0, node_os_1.availableParallelism)(), " cores, load ").concat((_c = (0, node_os_1.loadavg)()[0]) === null || _c === void 0 ? void 0 : _c.toFixed(2), ", node ").concat(process.version));
                    return [4 /*yield*/, (0, cluster_js_1.startCluster)({ jobLockMs: 30000, workerHosts: ['w1', 'w2', 'w3', 'w4'] })];
                case 1:
                    cluster = _f.sent();
                    stopHost = function (name) {
                        return Promise.all(cluster.workerProcesses(name).map(function (worker) { return worker.managed.stop('SIGTERM', 60000); }));
                    };
                    _f.label = 2;
                case 2:
                    _f.trys.push([2, , 28, 30]);
                    warm = function () { return runSweep(cluster, 200); };
                    line = function (what, run) {
                        return console.log("".concat(what, ": ").concat(run.rate.toFixed(0), " sims/s (").concat(run.seconds.toFixed(2), " s)"));
                    };
                    return [4 /*yield*/, cluster.startWorkerHost('w1')];
                case 3:
                    _f.sent();
                    return [4 /*yield*/, warm()];
                case 4:
                    _f.sent();
                    return [4 /*yield*/, runSweep(cluster, patients)];
                case 5:
                    one = _f.sent();
                    line('1 process × 1 thread', one);
                    return [4 /*yield*/, cluster.startWorkerHost('w2')];
                case 6:
                    _f.sent();
                    return [4 /*yield*/, warm()];
                case 7:
                    _f.sent();
                    connections_1 = {};
                    sampling = sampleBusyConnections(cluster);
                    return [4 /*yield*/, runSweep(cluster, patients, function () { return __awaiter(_this, void 0, void 0, function () {
                            return __generator(this, function (_a) {
                                switch (_a.label) {
                                    case 0: return [4 /*yield*/, countConnections(cluster, ['w1', 'w2'])];
                                    case 1:
                                        connections_1 = _a.sent();
                                        return [2 /*return*/];
                                }
                            });
                        }); })];
                case 8:
                    two = _f.sent();
                    return [4 /*yield*/, sampling.stop()];
                case 9:
                    busy = _f.sent();
                    line('2 processes × 1 thread', two);
                    console.log("scaling efficiency (2 \u00D7 1 vs 1 \u00D7 1): ".concat((two.rate / (2 * one.rate)).toFixed(3)));
                    console.log("connections per worker process while running: ".concat(JSON.stringify(connections_1)));
                    console.log("worker backends not idle (in a statement or a transaction), per process: mean ".concat((busy.mean / 2).toFixed(3), ", max of both ").concat(busy.max, " (").concat(busy.samples, " samples)"));
                    return [4 /*yield*/, stopHost('w1')];
                case 10:
                    _f.sent();
                    return [4 /*yield*/, stopHost('w2')];
                case 11:
                    _f.sent();
                    return [4 /*yield*/, cluster.startProxy(0)];
                case 12:
                    _f.sent();
                    return [4 /*yield*/, cluster.startWorkerHost('w3', { viaProxy: true })];
                case 13:
                    _f.sent();
                    return [4 /*yield*/, cluster.startWorkerHost('w4', { viaProxy: true })];
                case 14:
                    _f.sent();
                    return [4 /*yield*/, warm()];
                case 15:
                    _f.sent();
                    return [4 /*yield*/, runSweep(cluster, patients)];
                case 16:
                    relayed = _f.sent();
                    line('2 × 1 through the proxy, no delay', relayed);
                    return [4 /*yield*/, stopHost('w3')];
                case 17:
                    _f.sent();
                    return [4 /*yield*/, stopHost('w4')];
                case 18:
                    _f.sent();
                    return [4 /*yield*/, cluster.startProxy(delayMs)];
                case 19:
                    _f.sent();
                    // Fresh processes: their connections open through the delaying relays.
                    return [4 /*yield*/, cluster.startWorkerHost('w3', { viaProxy: true })];
                case 20:
                    // Fresh processes: their connections open through the delaying relays.
                    _f.sent();
                    return [4 /*yield*/, cluster.startWorkerHost('w4', { viaProxy: true })];
                case 21:
                    _f.sent();
                    return [4 /*yield*/, warm()];
                case 22:
                    _f.sent();
                    return [4 /*yield*/, cluster.proxyTurns()];
                case 23:
                    turnsBefore = _f.sent();
                    return [4 /*yield*/, runSweep(cluster, patients)];
                case 24:
                    delayed = _f.sent();
                    return [4 /*yield*/, cluster.proxyTurns()];
                case 25:
                    turnsAfter = _f.sent();
                    line("2 \u00D7 1 through the proxy, ".concat(delayMs, " ms each way"), delayed);
                    return [4 /*yield*/, cluster.ownerPool.query('select count(*)::int as chunks from chunks where sweep_id = (select id from sweeps order by created_at desc limit 1)')];
                case 26:
                    rows = (_f.sent()).rows;
                    chunks = (_e = (_d = rows[0]) === null || _d === void 0 ? void 0 : _d.chunks) !== null && _e !== void 0 ? _e : 1;
                    console.log("round trips per chunk (".concat(chunks, " chunks): Postgres ").concat(((turnsAfter.postgres - turnsBefore.postgres) / chunks).toFixed(1), ", Redis ").concat(((turnsAfter.redis - turnsBefore.redis) / chunks).toFixed(1), " (the API's progress polling not included: it does not pass the proxy)"));
                    console.log("latency ratio (+".concat(2 * delayMs, " ms round trip): ").concat((delayed.rate / relayed.rate).toFixed(3), " vs the relay with no delay, ").concat((delayed.rate / two.rate).toFixed(3), " vs direct"));
                    return [4 /*yield*/, (0, cluster_js_1.waitFor)('nothing running', function () { return __awaiter(_this, void 0, void 0, function () { return __generator(this, function (_a) {
                            switch (_a.label) {
                                case 0: return [4 /*yield*/, cluster.queue.getActiveCount()];
                                case 1: return [2 /*return*/, (_a.sent()) === 0];
                            }
                        }); }); })];
                case 27:
                    _f.sent();
                    return [3 /*break*/, 30];
                case 28: return [4 /*yield*/, cluster.stop()];
                case 29:
                    _f.sent();
                    return [7 /*endfinally*/];
                case 30: return [2 /*return*/];
            }
        });
    });
}
await main();
