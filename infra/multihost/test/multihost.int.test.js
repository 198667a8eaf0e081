"use strict";
var __assign = (this && this.__assign) || function () {
    __assign = Object.assign || function(t) {
        for (var s, i = 1, n = arguments.length; i < n; i++) {
            s = arguments[i];
            for (var p in s) if (Object.prototype.hasOwnProperty.call(s, p))
                t[p] = s[p];
        }
        return t;
    };
    return __assign.apply(this, arguments);
};
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
Object.defineProperty(exports, "__esModule", { value: true });
// Workers on several machines, made of network namespaces (test/support/network.ts): a data host
// (Postgres + Redis, password logins), an api host, a proxy host and worker hosts. Every scenario
// compares the sweep's whole exported outcome multiset with a one-host run of the same sweep.
var test_harness_1 = require("@frontline/api/test-harness");
var vitest_1 = require("vitest");
var cluster_js_1 = require("./support/cluster.js");
var outcomes_js_1 = require("./support/outcomes.js");
/** BullMQ's job lock (JOB_LOCK_MS): a lost worker's chunks are retried by another after about this long. */
var jobLockMs = 4000;
/** One-way delay of the proxy host: 25 ms each way, 50 ms added to every round trip. */
var proxyDelayMs = 25;
/** A three-axis grid (8 points); every scenario has its own seed, as outcomes are stored per seed. */
function sweepSpec(seed, patients) {
    return {
        name: "multihost ".concat(seed),
        model: 'lf-tid@1',
        design: { kind: 'grid', axes: { dose: [0, 2], immuneKill: [0.035, 0.1], emtPlasticity: [0.1, 1] } },
        cohort: { patients: patients, seed: seed, chunkSize: 300 },
    };
}
var specs = {
    everyHost: sweepSpec(71001, 1200),
    hostDies: sweepSpec(71002, 1800),
    partition: sweepSpec(71003, 1800),
    latency: sweepSpec(71004, 600),
    joinAndLeave: sweepSpec(71005, 3000),
};
var oneHost;
var cluster;
/** Each scenario's outcomes from the one-host run (API and one worker process on this machine). */
var reference = new Map();
(0, vitest_1.beforeAll)(function () { return __awaiter(void 0, void 0, void 0, function () {
    var _i, _a, scenario;
    return __generator(this, function (_b) {
        switch (_b.label) {
            case 0: return [4 /*yield*/, (0, test_harness_1.startHarness)()];
            case 1:
                oneHost = _b.sent();
                return [4 /*yield*/, oneHost.startWorker(2)];
            case 2:
                _b.sent();
                for (_i = 0, _a = Object.keys(specs); _i < _a.length; _i++) {
                    scenario = _a[_i];
                    reference.set(scenario, runOnOneHost(specs[scenario]));
                }
                return [4 /*yield*/, (0, cluster_js_1.startCluster)({ jobLockMs: jobLockMs, workerHosts: ['w1', 'w2', 'w3'], log: console.log })];
            case 3:
                cluster = _b.sent();
                return [2 /*return*/];
        }
    });
}); });
(0, vitest_1.afterAll)(function () { return __awaiter(void 0, void 0, void 0, function () {
    return __generator(this, function (_a) {
        switch (_a.label) {
            case 0: return [4 /*yield*/, (cluster === null || cluster === void 0 ? void 0 : cluster.stop())];
            case 1:
                _a.sent();
                return [4 /*yield*/, (oneHost === null || oneHost === void 0 ? void 0 : oneHost.stop())];
            case 2:
                _a.sent();
                return [2 /*return*/];
        }
    });
}); });
function runOnOneHost(spec) {
    return __awaiter(this, void 0, void 0, function () {
        var id, response;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0: return [4 /*yield*/, oneHost.submit(spec)];
                case 1:
                    id = (_a.sent()).id;
                    return [4 /*yield*/, oneHost.waitForSweep(id, function (s) { return s.status === 'completed'; }, 600000)];
                case 2:
                    _a.sent();
                    return [4 /*yield*/, fetch("".concat(oneHost.apiUrl, "/v1/sweeps/").concat(id, "/outcomes?format=ndjson"), {
                            headers: oneHost.authHeaders,
                        })];
                case 3:
                    response = _a.sent();
                    return [2 /*return*/, response.text()];
            }
        });
    });
}
/** The sweep's outcomes against the one-host run, and its chunks against the hosts that did them. */
function census(scenario, sweep) {
    return __awaiter(this, void 0, void 0, function () {
        var comparison, _a, _b, rows, byHost, _i, _c, w, host, report;
        var _d, _e, _f, _g, _h;
        return __generator(this, function (_j) {
            switch (_j.label) {
                case 0:
                    _a = outcomes_js_1.compareOutcomes;
                    return [4 /*yield*/, reference.get(scenario)];
                case 1:
                    _b = [(_d = (_j.sent())) !== null && _d !== void 0 ? _d : ''];
                    return [4 /*yield*/, cluster.exportOutcomes(sweep.id)];
                case 2:
                    comparison = _a.apply(void 0, _b.concat([_j.sent()]));
                    return [4 /*yield*/, cluster.ownerPool.query("select count(*)::int as chunks, count(*) filter (where status = 'done')::int as done from chunks where sweep_id = $1", [sweep.id])];
                case 3:
                    rows = (_j.sent()).rows;
                    byHost = {};
                    for (_i = 0, _c = sweep.workers; _i < _c.length; _i++) {
                        w = _c[_i];
                        host = (_e = w.host.split(':')[0]) !== null && _e !== void 0 ? _e : w.host;
                        byHost[host] = ((_f = byHost[host]) !== null && _f !== void 0 ? _f : 0) + w.chunks;
                    }
                    report = __assign(__assign({}, comparison), { chunks: (_g = rows[0]) === null || _g === void 0 ? void 0 : _g.chunks, chunksDone: (_h = rows[0]) === null || _h === void 0 ? void 0 : _h.done, chunksByHost: byHost });
                    console.log("[multihost] ".concat(scenario, ": ").concat(JSON.stringify(report)));
                    return [2 /*return*/, report];
            }
        });
    });
}
var noLoss = function (patients) { return ({
    expected: 8 * patients,
    stored: 8 * patients,
    lost: 0,
    duplicated: 0,
    unexpected: 0,
}); };
/** Until every one of these chunk jobs is finished (BullMQ removes a job once it completes). */
function waitUntilFinished(jobIds) {
    return __awaiter(this, void 0, void 0, function () {
        var pending;
        var _this = this;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    pending = new Set(jobIds);
                    return [4 /*yield*/, (0, cluster_js_1.waitFor)("chunk jobs ".concat(jobIds.join(', '), " to finish"), function () { return __awaiter(_this, void 0, void 0, function () {
                            var _i, pending_1, jobId;
                            return __generator(this, function (_a) {
                                switch (_a.label) {
                                    case 0:
                                        _i = 0, pending_1 = pending;
                                        _a.label = 1;
                                    case 1:
                                        if (!(_i < pending_1.length)) return [3 /*break*/, 4];
                                        jobId = pending_1[_i];
                                        return [4 /*yield*/, cluster.queue.getJob(jobId)];
                                    case 2:
                                        if (!(_a.sent()))
                                            pending.delete(jobId);
                                        _a.label = 3;
                                    case 3:
                                        _i++;
                                        return [3 /*break*/, 1];
                                    case 4: return [2 /*return*/, pending.size === 0];
                                }
                            });
                        }); }, 120000)];
                case 1:
                    _a.sent();
                    return [2 /*return*/];
            }
        });
    });
}
function stopWorkerHost(name) {
    return __awaiter(this, void 0, void 0, function () {
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0: return [4 /*yield*/, Promise.all(cluster.workerProcesses(name).map(function (worker) { return worker.managed.stop('SIGTERM', 60000); }))];
                case 1:
                    _a.sent();
                    return [2 /*return*/];
            }
        });
    });
}
(0, vitest_1.describe)('workers on several hosts', function () {
    (0, vitest_1.it)('a three-axis sweep is done by every worker host, each named in the provenance', function () { return __awaiter(void 0, void 0, void 0, function () {
        var _i, _a, host, id, sweep, report;
        return __generator(this, function (_b) {
            switch (_b.label) {
                case 0:
                    _i = 0, _a = ['w1', 'w2', 'w3'];
                    _b.label = 1;
                case 1:
                    if (!(_i < _a.length)) return [3 /*break*/, 4];
                    host = _a[_i];
                    return [4 /*yield*/, cluster.startWorkerHost(host)];
                case 2:
                    _b.sent();
                    _b.label = 3;
                case 3:
                    _i++;
                    return [3 /*break*/, 1];
                case 4: return [4 /*yield*/, cluster.submit(specs.everyHost)];
                case 5:
                    id = _b.sent();
                    return [4 /*yield*/, cluster.waitForSweep(id, function (s) { return s.status === 'completed'; })];
                case 6:
                    sweep = _b.sent();
                    return [4 /*yield*/, census('everyHost', sweep)];
                case 7:
                    report = _b.sent();
                    (0, vitest_1.expect)(report).toMatchObject(__assign(__assign({}, noLoss(1200)), { chunksDone: report.chunks }));
                    (0, vitest_1.expect)(Object.keys(report.chunksByHost).sort()).toEqual(['w1', 'w2', 'w3']);
                    // Each chunk done exactly once: the hosts' counts add up to the sweep's chunks.
                    (0, vitest_1.expect)(Object.values(report.chunksByHost).reduce(function (a, b) { return a + b; }, 0)).toBe(report.chunks);
                    return [2 /*return*/];
            }
        });
    }); });
    (0, vitest_1.it)('a worker host that dies (every process SIGKILLed) mid-sweep: the others finish its chunks', function () { return __awaiter(void 0, void 0, void 0, function () {
        var id, held, killedAt, recoveryMs, sweep, report;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0: return [4 /*yield*/, cluster.submit(specs.hostDies)];
                case 1:
                    id = _a.sent();
                    held = [];
                    return [4 /*yield*/, (0, cluster_js_1.waitFor)('w3 to hold chunks', function () { return __awaiter(void 0, void 0, void 0, function () {
                            var _a;
                            return __generator(this, function (_b) {
                                switch (_b.label) {
                                    case 0: return [4 /*yield*/, cluster.activeJobsByHost()];
                                    case 1:
                                        held = (_a = (_b.sent()).get('w3')) !== null && _a !== void 0 ? _a : [];
                                        return [2 /*return*/, held.length > 0];
                                }
                            });
                        }); })];
                case 2:
                    _a.sent();
                    killedAt = Date.now();
                    cluster.killHost('w3');
                    // Recovery: until every chunk job w3 held is finished by another host.
                    return [4 /*yield*/, waitUntilFinished(held)];
                case 3:
                    // Recovery: until every chunk job w3 held is finished by another host.
                    _a.sent();
                    recoveryMs = Date.now() - killedAt;
                    return [4 /*yield*/, cluster.waitForSweep(id, function (s) { return s.status === 'completed'; })];
                case 4:
                    sweep = _a.sent();
                    return [4 /*yield*/, census('hostDies', sweep)];
                case 5:
                    report = _a.sent();
                    console.log("[multihost] hostDies: ".concat(held.length, " chunks held by w3, recovered in ").concat(recoveryMs, " ms (JOB_LOCK_MS ").concat(jobLockMs, ")"));
                    (0, vitest_1.expect)(report).toMatchObject(__assign(__assign({}, noLoss(1800)), { chunksDone: report.chunks }));
                    (0, vitest_1.expect)(Object.values(report.chunksByHost).reduce(function (a, b) { return a + b; }, 0)).toBe(report.chunks);
                    (0, vitest_1.expect)(cluster.network.pids('w3')).toEqual([]);
                    return [2 /*return*/];
            }
        });
    }); });
    (0, vitest_1.it)('a worker host cut off longer than the job lock: its late results are not written twice, and it works on', function () { return __awaiter(void 0, void 0, void 0, function () {
        var id, held, cutAt, recoveryMs, sweep, offlineMs, w1, refused, next, nextSweep, report, _a, _b;
        return __generator(this, function (_c) {
            switch (_c.label) {
                case 0: return [4 /*yield*/, cluster.submit(specs.partition)];
                case 1:
                    id = _c.sent();
                    held = [];
                    return [4 /*yield*/, (0, cluster_js_1.waitFor)('w1 to hold chunks', function () { return __awaiter(void 0, void 0, void 0, function () {
                            var _a;
                            return __generator(this, function (_b) {
                                switch (_b.label) {
                                    case 0: return [4 /*yield*/, cluster.activeJobsByHost()];
                                    case 1:
                                        held = (_a = (_b.sent()).get('w1')) !== null && _a !== void 0 ? _a : [];
                                        return [2 /*return*/, held.length > 0];
                                }
                            });
                        }); })];
                case 2:
                    _c.sent();
                    cutAt = Date.now();
                    cluster.network.setLink('w1', false);
                    // w2 finishes the sweep, w1's chunks included once their locks lapse.
                    return [4 /*yield*/, waitUntilFinished(held)];
                case 3:
                    // w2 finishes the sweep, w1's chunks included once their locks lapse.
                    _c.sent();
                    recoveryMs = Date.now() - cutAt;
                    return [4 /*yield*/, cluster.waitForSweep(id, function (s) { return s.status === 'completed'; })];
                case 4:
                    sweep = _c.sent();
                    offlineMs = 3 * jobLockMs - (Date.now() - cutAt);
                    return [4 /*yield*/, new Promise(function (resolve) { return setTimeout(resolve, Math.max(0, offlineMs)); })];
                case 5:
                    _c.sent();
                    cluster.network.setLink('w1', true);
                    console.log("[multihost] partition: w1 offline ".concat(Date.now() - cutAt, " ms; its ").concat(held.length, " chunks finished by w2 ").concat(recoveryMs, " ms after the cut"));
                    w1 = cluster.workerProcesses('w1')[0];
                    return [4 /*yield*/, w1.waitForLog(/[Mm]issing lock|lock.*(lost|renew)/, 60000)];
                case 6:
                    refused = _c.sent();
                    console.log("[multihost] partition: w1 back online logged: ".concat(refused.slice(0, 160)));
                    // Without a restart, w1 takes new work: the only worker left, it runs a whole sweep. By its end
                    // w1 has long since finished (and tried to write) the chunks it held while cut off.
                    return [4 /*yield*/, stopWorkerHost('w2')];
                case 7:
                    // Without a restart, w1 takes new work: the only worker left, it runs a whole sweep. By its end
                    // w1 has long since finished (and tried to write) the chunks it held while cut off.
                    _c.sent();
                    return [4 /*yield*/, cluster.submit(__assign(__assign({}, specs.partition), { cohort: __assign(__assign({}, specs.partition.cohort), { seed: 71013, patients: 300 }) }))];
                case 8:
                    next = _c.sent();
                    return [4 /*yield*/, cluster.waitForSweep(next, function (s) { return s.status === 'completed'; })];
                case 9:
                    nextSweep = _c.sent();
                    (0, vitest_1.expect)(nextSweep.workers.map(function (w) { return w.host.split(':')[0]; })).toEqual(['w1']);
                    (0, vitest_1.expect)(w1.managed.isRunning).toBe(true);
                    _a = census;
                    _b = ['partition'];
                    return [4 /*yield*/, cluster.sweep(sweep.id)];
                case 10: return [4 /*yield*/, _a.apply(void 0, _b.concat([_c.sent()]))];
                case 11:
                    report = _c.sent();
                    (0, vitest_1.expect)(report).toMatchObject(__assign(__assign({}, noLoss(1800)), { chunksDone: report.chunks }));
                    (0, vitest_1.expect)(Object.values(report.chunksByHost).reduce(function (a, b) { return a + b; }, 0)).toBe(report.chunks);
                    return [2 /*return*/];
            }
        });
    }); });
    (0, vitest_1.it)('with 50 ms added between the worker hosts and the data host, nothing is lost', function () { return __awaiter(void 0, void 0, void 0, function () {
        var _i, _a, host, id, sweep, report;
        return __generator(this, function (_b) {
            switch (_b.label) {
                case 0: return [4 /*yield*/, stopWorkerHost('w1')];
                case 1:
                    _b.sent();
                    return [4 /*yield*/, cluster.startProxy(proxyDelayMs)];
                case 2:
                    _b.sent();
                    _i = 0, _a = ['w4', 'w5'];
                    _b.label = 3;
                case 3:
                    if (!(_i < _a.length)) return [3 /*break*/, 6];
                    host = _a[_i];
                    return [4 /*yield*/, cluster.startWorkerHost(host, { viaProxy: true })];
                case 4:
                    _b.sent();
                    _b.label = 5;
                case 5:
                    _i++;
                    return [3 /*break*/, 3];
                case 6: return [4 /*yield*/, cluster.submit(specs.latency)];
                case 7:
                    id = _b.sent();
                    return [4 /*yield*/, cluster.waitForSweep(id, function (s) { return s.status === 'completed'; })];
                case 8:
                    sweep = _b.sent();
                    return [4 /*yield*/, census('latency', sweep)];
                case 9:
                    report = _b.sent();
                    (0, vitest_1.expect)(report).toMatchObject(__assign(__assign({}, noLoss(600)), { chunksDone: report.chunks }));
                    return [4 /*yield*/, stopWorkerHost('w4')];
                case 10:
                    _b.sent();
                    return [4 /*yield*/, stopWorkerHost('w5')];
                case 11:
                    _b.sent();
                    return [2 /*return*/];
            }
        });
    }); });
    (0, vitest_1.it)('a worker host that joins mid-sweep takes work; one sent SIGTERM finishes its chunks and leaves', function () { return __awaiter(void 0, void 0, void 0, function () {
        var id, readyAt, firstChunkMs, w6, exit, sweep, report;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0: return [4 /*yield*/, cluster.startWorkerHost('w6')];
                case 1:
                    _a.sent();
                    return [4 /*yield*/, cluster.submit(specs.joinAndLeave)];
                case 2:
                    id = _a.sent();
                    return [4 /*yield*/, cluster.waitForSweep(id, function (s) { return s.progress.done > 0; })];
                case 3:
                    _a.sent();
                    return [4 /*yield*/, cluster.startWorkerHost('w7')];
                case 4:
                    _a.sent();
                    readyAt = Date.now();
                    return [4 /*yield*/, (0, cluster_js_1.waitFor)('w7 to take a chunk', function () { return __awaiter(void 0, void 0, void 0, function () { var _a; return __generator(this, function (_b) {
                            switch (_b.label) {
                                case 0: return [4 /*yield*/, cluster.activeJobsByHost()];
                                case 1: return [2 /*return*/, ((_a = (_b.sent()).get('w7')) !== null && _a !== void 0 ? _a : []).length > 0];
                            }
                        }); }); })];
                case 5:
                    _a.sent();
                    firstChunkMs = Date.now() - readyAt;
                    // w6 leaves while it holds chunks: SIGTERM lets them finish, then it exits cleanly.
                    return [4 /*yield*/, (0, cluster_js_1.waitFor)('w6 to hold chunks', function () { return __awaiter(void 0, void 0, void 0, function () { var _a; return __generator(this, function (_b) {
                            switch (_b.label) {
                                case 0: return [4 /*yield*/, cluster.activeJobsByHost()];
                                case 1: return [2 /*return*/, ((_a = (_b.sent()).get('w6')) !== null && _a !== void 0 ? _a : []).length > 0];
                            }
                        }); }); })];
                case 6:
                    // w6 leaves while it holds chunks: SIGTERM lets them finish, then it exits cleanly.
                    _a.sent();
                    w6 = cluster.workerProcesses('w6')[0];
                    return [4 /*yield*/, w6.managed.stop('SIGTERM', 60000)];
                case 7:
                    exit = _a.sent();
                    return [4 /*yield*/, cluster.waitForSweep(id, function (s) { return s.status === 'completed'; })];
                case 8:
                    sweep = _a.sent();
                    return [4 /*yield*/, census('joinAndLeave', sweep)];
                case 9:
                    report = _a.sent();
                    console.log("[multihost] joinAndLeave: w7 took its first chunk ".concat(firstChunkMs, " ms after it was ready; w6 exit ").concat(JSON.stringify(exit)));
                    (0, vitest_1.expect)(exit).toEqual({ code: 0, signal: null });
                    (0, vitest_1.expect)(report).toMatchObject(__assign(__assign({}, noLoss(3000)), { chunksDone: report.chunks }));
                    (0, vitest_1.expect)(report.chunksByHost.w7).toBeGreaterThan(0);
                    (0, vitest_1.expect)(report.chunksByHost.w6).toBeGreaterThan(0);
                    return [2 /*return*/];
            }
        });
    }); });
});
