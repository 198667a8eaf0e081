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
var __spreadArray = (this && this.__spreadArray) || function (to, from, pack) {
    if (pack || arguments.length === 2) for (var i = 0, l = from.length, ar; i < l; i++) {
        if (ar || !(i in from)) {
            if (!ar) ar = Array.prototype.slice.call(from, 0, i);
            ar[i] = from[i];
        }
    }
    return to.concat(ar || Array.prototype.slice.call(from));
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.HostProcess = void 0;
exports.startCluster = startCluster;
exports.waitFor = waitFor;
var node_child_process_1 = require("node:child_process");
var node_crypto_1 = require("node:crypto");
var node_fs_1 = require("node:fs");
var node_http_1 = require("node:http");
var node_path_1 = require("node:path");
var node_util_1 = require("node:util");
var db_1 = require("@frontline/db");
var queue_1 = require("@frontline/queue");
var stack_1 = require("@frontline/stack");
var bullmq_1 = require("bullmq");
var ioredis_1 = require("ioredis");
var pg_1 = require("pg");
var network_js_1 = require("./network.js");
var execFileAsync = (0, node_util_1.promisify)(node_child_process_1.execFile);
var relayScript = (0, node_path_1.join)(stack_1.projectRoot, 'infra', 'multihost', 'test', 'support', 'relay.ts');
var postgresPort = 5432;
var redisPort = 6379;
var apiPort = 8080;
/** A process running on one of the hosts, with its output kept for waiting on and for failures. */
var HostProcess = /** @class */ (function () {
    function HostProcess(host, managed) {
        this.host = host;
        this.managed = managed;
        this.output = '';
        this.waiters = [];
    }
    HostProcess.start = function (host, ns, command, env) {
        return __awaiter(this, void 0, void 0, function () {
            var process, pending, managed, _i, pending_1, line;
            return __generator(this, function (_a) {
                switch (_a.label) {
                    case 0:
                        pending = [];
                        return [4 /*yield*/, stack_1.ManagedProcess.spawn(host, 'ip', __spreadArray(['netns', 'exec', ns], command, true), {
                                cwd: stack_1.projectRoot,
                                env: env,
                                onLine: function (line) { return (process ? process.take(line) : pending.push(line)); },
                            })];
                    case 1:
                        managed = _a.sent();
                        process = new HostProcess(host, managed);
                        for (_i = 0, pending_1 = pending; _i < pending_1.length; _i++) {
                            line = pending_1[_i];
                            process.take(line);
                        }
                        return [2 /*return*/, process];
                }
            });
        });
    };
    HostProcess.prototype.take = function (line) {
        this.output += "".concat(line, "\n");
        for (var _i = 0, _a = __spreadArray([], this.waiters, true); _i < _a.length; _i++) {
            var waiter = _a[_i];
            if (!waiter.pattern.test(line))
                continue;
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve(line);
        }
    };
    Object.defineProperty(HostProcess.prototype, "log", {
        get: function () {
            return this.output;
        },
        enumerable: false,
        configurable: true
    });
    /** Resolves with the first output line matching `pattern`. */
    HostProcess.prototype.waitForLog = function (pattern, timeoutMs) {
        var _this = this;
        if (timeoutMs === void 0) { timeoutMs = 60000; }
        var seen = this.output.split('\n').find(function (line) { return pattern.test(line); });
        if (seen !== undefined)
            return Promise.resolve(seen);
        return new Promise(function (resolve, reject) {
            var timer = setTimeout(function () {
                return reject(new Error("".concat(_this.host, " logged no ").concat(pattern, " in ").concat(timeoutMs, " ms:\n").concat(_this.output.slice(-3000))));
            }, timeoutMs);
            void _this.managed.exited.then(function (status) {
                return reject(new Error("".concat(_this.host, " exited (").concat(JSON.stringify(status), "):\n").concat(_this.output.slice(-3000))));
            });
            _this.waiters.push({
                pattern: pattern,
                resolve: function (line) {
                    clearTimeout(timer);
                    resolve(line);
                },
            });
        });
    };
    return HostProcess;
}());
exports.HostProcess = HostProcess;
/**
 * A data host (Postgres with password logins on its address, Redis with a password), an api host,
 * a proxy host and worker hosts, each a namespace of `createNetwork`. Apps get only their own
 * environment. The test reaches Postgres, Redis and the API through Unix sockets in a scratch
 * folder, so the root namespace sends no IP traffic of its own.
 */
function startCluster(options) {
    return __awaiter(this, void 0, void 0, function () {
        var log, network, scratch, processes, closers, stop, data_1, postgres_1, redisPassword_1, redisSocket, ownerPool_1, redis_1, queuePrefix_1, queue_2, appUrlAt_1, redisUrlAt_1, appEnv_1, api, apiProcess, apiSocket_1, _a, _b, apiKey_1, callApi_1, proxyProcesses_1, workerHosts_1, cluster_1, error_1;
        var _this = this;
        var _c;
        return __generator(this, function (_d) {
            switch (_d.label) {
                case 0:
                    log = (_c = options.log) !== null && _c !== void 0 ? _c : (function () { });
                    network = (0, network_js_1.createNetwork)(__spreadArray(['data', 'api', 'proxy'], options.workerHosts, true));
                    scratch = (0, stack_1.makeScratchDir)();
                    processes = [];
                    closers = [];
                    stop = function () { return __awaiter(_this, void 0, void 0, function () {
                        var _i, _a, close_1, _b, _c, process_1;
                        return __generator(this, function (_d) {
                            switch (_d.label) {
                                case 0:
                                    _i = 0, _a = closers.splice(0).reverse();
                                    _d.label = 1;
                                case 1:
                                    if (!(_i < _a.length)) return [3 /*break*/, 4];
                                    close_1 = _a[_i];
                                    return [4 /*yield*/, close_1().catch(function () { })];
                                case 2:
                                    _d.sent();
                                    _d.label = 3;
                                case 3:
                                    _i++;
                                    return [3 /*break*/, 1];
                                case 4:
                                    _b = 0, _c = processes.splice(0).reverse();
                                    _d.label = 5;
                                case 5:
                                    if (!(_b < _c.length)) return [3 /*break*/, 8];
                                    process_1 = _c[_b];
                                    return [4 /*yield*/, process_1.managed.kill9().catch(function () { })];
                                case 6:
                                    _d.sent();
                                    _d.label = 7;
                                case 7:
                                    _b++;
                                    return [3 /*break*/, 5];
                                case 8:
                                    network.remove();
                                    (0, node_fs_1.rmSync)(scratch, { recursive: true, force: true });
                                    return [2 /*return*/];
                            }
                        });
                    }); };
                    _d.label = 1;
                case 1:
                    _d.trys.push([1, 8, , 10]);
                    data_1 = network.host('data');
                    return [4 /*yield*/, startDataPostgres(network, scratch, processes, log)];
                case 2:
                    postgres_1 = _d.sent();
                    redisPassword_1 = (0, node_crypto_1.randomBytes)(18).toString('base64url');
                    return [4 /*yield*/, startDataRedis(network, scratch, redisPassword_1, processes)];
                case 3:
                    redisSocket = _d.sent();
                    ownerPool_1 = new pg_1.default.Pool(__assign(__assign({}, postgres_1.ownerLogin), { max: 4 }));
                    closers.push(function () { return ownerPool_1.end(); });
                    redis_1 = new ioredis_1.Redis({ path: redisSocket, password: redisPassword_1, maxRetriesPerRequest: null });
                    closers.push(function () { return __awaiter(_this, void 0, void 0, function () { return __generator(this, function (_a) {
                        return [2 /*return*/, redis_1.disconnect()];
                    }); }); });
                    queuePrefix_1 = "mh".concat((0, node_crypto_1.randomBytes)(3).toString('hex'));
                    queue_2 = new bullmq_1.Queue(queue_1.chunkQueueName, { connection: redis_1, prefix: queuePrefix_1 });
                    closers.push(function () { return queue_2.close(); });
                    appUrlAt_1 = function (address) {
                        return (0, stack_1.appDatabaseUrl)("postgres://x@".concat(address, ":").concat(postgresPort, "/frontline"), postgres_1.appPassword);
                    };
                    redisUrlAt_1 = function (address) { return "redis://:".concat(redisPassword_1, "@").concat(address, ":").concat(redisPort); };
                    appEnv_1 = function (vars) { return (__assign({ PATH: process.env.PATH, LOG_LEVEL: 'info', QUEUE_PREFIX: queuePrefix_1 }, vars)); };
                    api = network.host('api');
                    return [4 /*yield*/, HostProcess.start('api', api.ns, __spreadArray(__spreadArray([process.execPath], stack_1.sourceNodeFlags, true), [stack_1.apiEntry], false), appEnv_1({
                            DATABASE_URL: appUrlAt_1(data_1.address),
                            REDIS_URL: redisUrlAt_1(data_1.address),
                            API_HOST: api.address,
                            API_PORT: String(apiPort),
                            RECONCILE_INTERVAL_MS: '2000',
                        }))];
                case 4:
                    apiProcess = _d.sent();
                    processes.push(apiProcess);
                    apiSocket_1 = (0, node_path_1.join)(scratch, 'api.sock');
                    _b = (_a = processes).push;
                    return [4 /*yield*/, startRelay(network, 'api', apiSocket_1, "".concat(api.address, ":").concat(apiPort), 0)];
                case 5:
                    _b.apply(_a, [_d.sent()]);
                    return [4 /*yield*/, (0, db_1.createApiKey)(ownerPool_1, { tenantId: 'multihost', role: 'operator', name: 'multihost test' })];
                case 6:
                    apiKey_1 = (_d.sent()).token;
                    callApi_1 = function (method, path, body) {
                        return unixHttp(apiSocket_1, method, path, apiKey_1, body === undefined ? undefined : JSON.stringify(body));
                    };
                    return [4 /*yield*/, waitFor('the api host to be ready', function () { return __awaiter(_this, void 0, void 0, function () { var _a; return __generator(this, function (_b) {
                            switch (_b.label) {
                                case 0: return [4 /*yield*/, callApi_1('GET', '/readyz').catch(function () { return undefined; })];
                                case 1: return [2 /*return*/, ((_a = (_b.sent())) === null || _a === void 0 ? void 0 : _a.status) === 200];
                            }
                        }); }); })];
                case 7:
                    _d.sent();
                    proxyProcesses_1 = [];
                    workerHosts_1 = new Map();
                    cluster_1 = {
                        network: network,
                        ownerPool: ownerPool_1,
                        redis: redis_1,
                        queue: queue_2,
                        queuePrefix: queuePrefix_1,
                        apiProcess: apiProcess,
                        /** An API request as the operator key; the body parsed when it is JSON. */
                        request: function (method, path, body) {
                            return __awaiter(this, void 0, void 0, function () {
                                var _a, status, text, parsed;
                                return __generator(this, function (_b) {
                                    switch (_b.label) {
                                        case 0: return [4 /*yield*/, callApi_1(method, path, body)];
                                        case 1:
                                            _a = _b.sent(), status = _a.status, text = _a.text;
                                            parsed = text;
                                            try {
                                                parsed = text ? JSON.parse(text) : undefined;
                                            }
                                            catch (_c) {
                                                // not JSON (an export)
                                            }
                                            return [2 /*return*/, { status: status, body: parsed, text: text }];
                                    }
                                });
                            });
                        },
                        submit: function (spec) {
                            return __awaiter(this, void 0, void 0, function () {
                                var _a, status, body;
                                return __generator(this, function (_b) {
                                    switch (_b.label) {
                                        case 0: return [4 /*yield*/, cluster_1.request('POST', '/v1/sweeps', spec)];
                                        case 1:
                                            _a = _b.sent(), status = _a.status, body = _a.body;
                                            if (status !== 202)
                                                throw new Error("submit failed: ".concat(status, " ").concat(JSON.stringify(body)));
                                            return [2 /*return*/, String(body.id)];
                                    }
                                });
                            });
                        },
                        sweep: function (id) {
                            return __awaiter(this, void 0, void 0, function () {
                                var body;
                                return __generator(this, function (_a) {
                                    switch (_a.label) {
                                        case 0: return [4 /*yield*/, cluster_1.request('GET', "/v1/sweeps/".concat(id))];
                                        case 1:
                                            body = (_a.sent()).body;
                                            return [2 /*return*/, body];
                                    }
                                });
                            });
                        },
                        waitForSweep: function (id_1, until_1) {
                            return __awaiter(this, arguments, void 0, function (id, until, timeoutMs) {
                                var last;
                                var _this = this;
                                if (timeoutMs === void 0) { timeoutMs = 240000; }
                                return __generator(this, function (_a) {
                                    switch (_a.label) {
                                        case 0: return [4 /*yield*/, waitFor("sweep ".concat(id), function () { return __awaiter(_this, void 0, void 0, function () {
                                                return __generator(this, function (_a) {
                                                    switch (_a.label) {
                                                        case 0: return [4 /*yield*/, cluster_1.sweep(id)];
                                                        case 1:
                                                            last = _a.sent();
                                                            return [2 /*return*/, until(last)];
                                                    }
                                                });
                                            }); }, timeoutMs, function () { return JSON.stringify(last); })];
                                        case 1:
                                            _a.sent();
                                            return [2 /*return*/, last];
                                    }
                                });
                            });
                        },
                        /** The sweep's outcomes exported by the API (NDJSON), as the public contract shows them. */
                        exportOutcomes: function (id) {
                            return __awaiter(this, void 0, void 0, function () {
                                var _a, status, text;
                                return __generator(this, function (_b) {
                                    switch (_b.label) {
                                        case 0: return [4 /*yield*/, callApi_1('GET', "/v1/sweeps/".concat(id, "/outcomes?format=ndjson"))];
                                        case 1:
                                            _a = _b.sent(), status = _a.status, text = _a.text;
                                            if (status !== 200)
                                                throw new Error("export failed: ".concat(status, " ").concat(text.slice(0, 500)));
                                            return [2 /*return*/, text];
                                    }
                                });
                            });
                        },
                        /** (Re)start the proxy host's relays to the data host, holding each byte `delayMs` per direction. */
                        startProxy: function (delayMs) {
                            return __awaiter(this, void 0, void 0, function () {
                                var _i, proxyProcesses_2, relay, proxy, _a;
                                return __generator(this, function (_b) {
                                    switch (_b.label) {
                                        case 0:
                                            _i = 0, proxyProcesses_2 = proxyProcesses_1;
                                            _b.label = 1;
                                        case 1:
                                            if (!(_i < proxyProcesses_2.length)) return [3 /*break*/, 4];
                                            relay = proxyProcesses_2[_i];
                                            return [4 /*yield*/, relay.managed.stop('SIGTERM', 5000)];
                                        case 2:
                                            _b.sent();
                                            _b.label = 3;
                                        case 3:
                                            _i++;
                                            return [3 /*break*/, 1];
                                        case 4:
                                            proxy = network.host('proxy');
                                            return [4 /*yield*/, startRelay(network, 'proxy', "".concat(proxy.address, ":").concat(postgresPort), "".concat(data_1.address, ":").concat(postgresPort), delayMs)];
                                        case 5:
                                            _a = [
                                                _b.sent()
                                            ];
                                            return [4 /*yield*/, startRelay(network, 'proxy', "".concat(proxy.address, ":").concat(redisPort), "".concat(data_1.address, ":").concat(redisPort), delayMs)];
                                        case 6:
                                            proxyProcesses_1 = _a.concat([
                                                _b.sent()
                                            ]);
                                            processes.push.apply(processes, proxyProcesses_1);
                                            return [2 /*return*/];
                                    }
                                });
                            });
                        },
                        /** Round trips the proxy host has relayed so far, to Postgres and to Redis (its relays' turn counters). */
                        proxyTurns: function () {
                            return __awaiter(this, void 0, void 0, function () {
                                var counts, _loop_1, _i, proxyProcesses_3, relay, _a, postgres, _b, redis;
                                var _this = this;
                                var _c;
                                return __generator(this, function (_d) {
                                    switch (_d.label) {
                                        case 0:
                                            counts = [];
                                            _loop_1 = function (relay) {
                                                var before;
                                                return __generator(this, function (_e) {
                                                    switch (_e.label) {
                                                        case 0:
                                                            before = relay.log.length;
                                                            process.kill(relay.managed.pid, 'SIGUSR2');
                                                            return [4 /*yield*/, waitFor('relay turns', function () { return __awaiter(_this, void 0, void 0, function () { return __generator(this, function (_a) {
                                                                    return [2 /*return*/, /relay turns \d+/.test(relay.log.slice(before))];
                                                                }); }); })];
                                                        case 1:
                                                            _e.sent();
                                                            counts.push(Number((_c = /relay turns (\d+)/.exec(relay.log.slice(before))) === null || _c === void 0 ? void 0 : _c[1]));
                                                            return [2 /*return*/];
                                                    }
                                                });
                                            };
                                            _i = 0, proxyProcesses_3 = proxyProcesses_1;
                                            _d.label = 1;
                                        case 1:
                                            if (!(_i < proxyProcesses_3.length)) return [3 /*break*/, 4];
                                            relay = proxyProcesses_3[_i];
                                            return [5 /*yield**/, _loop_1(relay)];
                                        case 2:
                                            _d.sent();
                                            _d.label = 3;
                                        case 3:
                                            _i++;
                                            return [3 /*break*/, 1];
                                        case 4:
                                            _a = counts[0], postgres = _a === void 0 ? 0 : _a, _b = counts[1], redis = _b === void 0 ? 0 : _b;
                                            return [2 /*return*/, { postgres: postgres, redis: redis }];
                                    }
                                });
                            });
                        },
                        /** Start worker processes on a host (made now if new); each sees the host's name as its hostname. */
                        startWorkerHost: function (name_1) {
                            return __awaiter(this, arguments, void 0, function (name, hostOptions) {
                                var host, target, started, i, worker;
                                var _a, _b, _c, _d;
                                if (hostOptions === void 0) { hostOptions = {}; }
                                return __generator(this, function (_e) {
                                    switch (_e.label) {
                                        case 0:
                                            host = (_a = network.hosts.get(name)) !== null && _a !== void 0 ? _a : network.addHost(name);
                                            target = hostOptions.viaProxy ? network.host('proxy').address : data_1.address;
                                            started = [];
                                            i = 0;
                                            _e.label = 1;
                                        case 1:
                                            if (!(i < ((_b = hostOptions.processes) !== null && _b !== void 0 ? _b : 1))) return [3 /*break*/, 4];
                                            return [4 /*yield*/, HostProcess.start(name, host.ns, __spreadArray(__spreadArray([
                                                    'unshare',
                                                    '--uts',
                                                    'sh',
                                                    '-c',
                                                    'hostname "$0" && exec "$@"',
                                                    name,
                                                    process.execPath
                                                ], stack_1.sourceNodeFlags, true), [
                                                    stack_1.workerEntry,
                                                ], false), appEnv_1({
                                                    DATABASE_URL: appUrlAt_1(target),
                                                    REDIS_URL: redisUrlAt_1(target),
                                                    WORKER_THREADS: String((_c = hostOptions.threads) !== null && _c !== void 0 ? _c : 1),
                                                    WORKER_PORT: '-1',
                                                    JOB_LOCK_MS: String(options.jobLockMs),
                                                    SHUTDOWN_GRACE_MS: '60000',
                                                }))];
                                        case 2:
                                            worker = _e.sent();
                                            processes.push(worker);
                                            started.push(worker);
                                            _e.label = 3;
                                        case 3:
                                            i++;
                                            return [3 /*break*/, 1];
                                        case 4: return [4 /*yield*/, Promise.all(started.map(function (worker) { return worker.waitForLog(/worker ready/); }))];
                                        case 5:
                                            _e.sent();
                                            workerHosts_1.set(name, __spreadArray(__spreadArray([], ((_d = workerHosts_1.get(name)) !== null && _d !== void 0 ? _d : []), true), started, true));
                                            return [2 /*return*/, started];
                                    }
                                });
                            });
                        },
                        workerProcesses: function (name) { var _a; return (_a = workerHosts_1.get(name)) !== null && _a !== void 0 ? _a : []; },
                        /** The whole host dies: SIGKILL every process in its namespace at once. */
                        killHost: function (name) {
                            for (var _i = 0, _a = network.pids(name); _i < _a.length; _i++) {
                                var pid = _a[_i];
                                process.kill(pid, 'SIGKILL');
                            }
                        },
                        /** Chunk jobs running now on each host (BullMQ records the worker's name, which holds its hostname). */
                        activeJobsByHost: function () {
                            return __awaiter(this, void 0, void 0, function () {
                                var byHost, _i, _a, job, host;
                                var _b;
                                return __generator(this, function (_c) {
                                    switch (_c.label) {
                                        case 0:
                                            byHost = new Map();
                                            _i = 0;
                                            return [4 /*yield*/, queue_2.getActive()];
                                        case 1:
                                            _a = _c.sent();
                                            _c.label = 2;
                                        case 2:
                                            if (!(_i < _a.length)) return [3 /*break*/, 4];
                                            job = _a[_i];
                                            if (!job.processedBy || !job.id)
                                                return [3 /*break*/, 3];
                                            host = JSON.parse(job.processedBy).host;
                                            byHost.set(host, __spreadArray(__spreadArray([], ((_b = byHost.get(host)) !== null && _b !== void 0 ? _b : []), true), [job.id], false));
                                            _c.label = 3;
                                        case 3:
                                            _i++;
                                            return [3 /*break*/, 2];
                                        case 4: return [2 /*return*/, byHost];
                                    }
                                });
                            });
                        },
                        stop: stop,
                    };
                    return [2 /*return*/, cluster_1];
                case 8:
                    error_1 = _d.sent();
                    return [4 /*yield*/, stop()];
                case 9:
                    _d.sent();
                    throw error_1;
                case 10: return [2 /*return*/];
            }
        });
    });
}
/** Postgres on the data host: scram logins from the subnet, plus a Unix socket for the test's owner login. */
function startDataPostgres(network, scratch, processes, log) {
    return __awaiter(this, void 0, void 0, function () {
        var binaries, user, dataDir, socketDir, password, passwordFile, data, settings, args, _i, _a, _b, name_1, value, _c, _d, login, appPassword, ownerUrl;
        var _this = this;
        return __generator(this, function (_e) {
            switch (_e.label) {
                case 0: return [4 /*yield*/, (0, stack_1.postgresBinaries)()];
                case 1:
                    binaries = _e.sent();
                    user = (0, stack_1.postgresServerUser)(log);
                    if (!user)
                        throw new Error('the multi-host test runs as root (ip netns)');
                    dataDir = (0, node_path_1.join)(scratch, 'postgres');
                    socketDir = (0, node_path_1.join)(scratch, 'postgres-socket');
                    (0, node_fs_1.mkdirSync)(dataDir, { mode: 448 });
                    (0, node_fs_1.mkdirSync)(socketDir, { mode: 448 });
                    (0, node_fs_1.chownSync)(dataDir, user.uid, user.gid);
                    (0, node_fs_1.chownSync)(socketDir, user.uid, user.gid);
                    (0, stack_1.ensureReachable)(binaries.postgres, user, log);
                    password = (0, stack_1.newPassword)();
                    passwordFile = (0, node_path_1.join)(scratch, 'postgres-password');
                    (0, node_fs_1.writeFileSync)(passwordFile, "".concat(password, "\n"), { mode: 384 });
                    (0, node_fs_1.chownSync)(passwordFile, user.uid, user.gid);
                    return [4 /*yield*/, execFileAsync(binaries.initdb, [
                            "--pgdata=".concat(dataDir),
                            '--username=postgres',
                            "--pwfile=".concat(passwordFile),
                            '--auth=scram-sha-256',
                            '--encoding=UTF8',
                            '--locale=C',
                            '--no-instructions',
                            '--no-sync',
                        ], __assign({ cwd: dataDir, env: { PATH: process.env.PATH, LC_ALL: 'C' } }, user))];
                case 2:
                    _e.sent();
                    (0, node_fs_1.rmSync)(passwordFile);
                    // Password logins only: the test's owner over the socket, the apps from the hosts' subnet.
                    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dataDir, 'pg_hba.conf'), "local all all scram-sha-256\nhost all all ".concat(network.subnet, " scram-sha-256\n"));
                    data = network.host('data');
                    settings = {
                        listen_addresses: data.address,
                        unix_socket_directories: socketDir,
                        // A throwaway cluster (as the test stack's): commits reach the OS, no fsync.
                        fsync: 'off',
                        full_page_writes: 'off',
                        max_connections: '300',
                    };
                    args = ['-D', dataDir, '-p', String(postgresPort)];
                    for (_i = 0, _a = Object.entries(settings); _i < _a.length; _i++) {
                        _b = _a[_i], name_1 = _b[0], value = _b[1];
                        args.push('-c', "".concat(name_1, "=").concat(value));
                    }
                    _d = (_c = processes).push;
                    return [4 /*yield*/, HostProcess.start('postgres', data.ns, __spreadArray(['setpriv', "--reuid=".concat(user.uid), "--regid=".concat(user.gid), '--clear-groups', binaries.postgres], args, true), { PATH: process.env.PATH, LC_ALL: 'C' })];
                case 3:
                    _d.apply(_c, [_e.sent()]);
                    login = function (database) { return ({
                        host: socketDir,
                        port: postgresPort,
                        user: 'postgres',
                        password: password,
                        database: database,
                    }); };
                    return [4 /*yield*/, waitFor('postgres on the data host', function () { return __awaiter(_this, void 0, void 0, function () {
                            var client, _a;
                            return __generator(this, function (_b) {
                                switch (_b.label) {
                                    case 0:
                                        client = new pg_1.default.Client(login('postgres'));
                                        client.on('error', function () { });
                                        _b.label = 1;
                                    case 1:
                                        _b.trys.push([1, 4, 5, 7]);
                                        return [4 /*yield*/, client.connect()];
                                    case 2:
                                        _b.sent();
                                        return [4 /*yield*/, client.query('create database frontline')];
                                    case 3:
                                        _b.sent();
                                        return [2 /*return*/, true];
                                    case 4:
                                        _a = _b.sent();
                                        return [2 /*return*/, false];
                                    case 5: return [4 /*yield*/, client.end().catch(function () { })];
                                    case 6:
                                        _b.sent();
                                        return [7 /*endfinally*/];
                                    case 7: return [2 /*return*/];
                                }
                            });
                        }); })];
                case 4:
                    _e.sent();
                    appPassword = (0, stack_1.newPassword)();
                    ownerUrl = "postgres://postgres:".concat(password, "@localhost:").concat(postgresPort, "/frontline?host=").concat(encodeURIComponent(socketDir));
                    return [4 /*yield*/, execFileAsync(process.execPath, __spreadArray(__spreadArray([], stack_1.sourceNodeFlags, true), [(0, node_path_1.join)(stack_1.projectRoot, 'infra', 'stack', 'src', 'migrate-cli.ts')], false), {
                            cwd: stack_1.projectRoot,
                            env: {
                                PATH: process.env.PATH,
                                DATABASE_URL: ownerUrl,
                                APP_DATABASE_URL: (0, stack_1.appDatabaseUrl)(ownerUrl, appPassword),
                            },
                        })];
                case 5:
                    _e.sent();
                    return [2 /*return*/, { ownerLogin: login('frontline'), appPassword: appPassword }];
            }
        });
    });
}
/** Redis on the data host: its address with a password, and a Unix socket for the test. */
function startDataRedis(network, scratch, password, processes) {
    return __awaiter(this, void 0, void 0, function () {
        var dir, socket, config, configFile, server;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    dir = (0, node_path_1.join)(scratch, 'redis');
                    (0, node_fs_1.mkdirSync)(dir, { mode: 448 });
                    socket = (0, node_path_1.join)(dir, 'redis.sock');
                    config = [
                        "port ".concat(redisPort),
                        "bind ".concat(network.host('data').address),
                        'protected-mode yes',
                        "requirepass ".concat(password),
                        "unixsocket ".concat(socket),
                        'unixsocketperm 700',
                        'maxmemory-policy noeviction',
                        'appendonly no',
                        'save ""',
                        "dir ".concat(dir),
                    ].join('\n');
                    configFile = (0, node_path_1.join)(dir, 'redis.conf');
                    (0, node_fs_1.writeFileSync)(configFile, "".concat(config, "\n"), { mode: 384 });
                    return [4 /*yield*/, HostProcess.start('redis', network.host('data').ns, ['redis-server', configFile], {
                            PATH: process.env.PATH,
                        })];
                case 1:
                    server = _a.sent();
                    processes.push(server);
                    return [4 /*yield*/, server.waitForLog(/Ready to accept connections/, 30000)];
                case 2:
                    _a.sent();
                    return [2 /*return*/, socket];
            }
        });
    });
}
function startRelay(network, hostName, listen, target, delayMs) {
    return __awaiter(this, void 0, void 0, function () {
        var relay;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0: return [4 /*yield*/, HostProcess.start("".concat(hostName, " relay"), network.host(hostName).ns, [process.execPath, '--import', 'tsx', relayScript, listen, target, String(delayMs)], { PATH: process.env.PATH })];
                case 1:
                    relay = _a.sent();
                    return [4 /*yield*/, relay.waitForLog(/relay ready/, 30000)];
                case 2:
                    _a.sent();
                    return [2 /*return*/, relay];
            }
        });
    });
}
function unixHttp(socketPath, method, path, key, body) {
    return new Promise(function (resolve, reject) {
        var request = (0, node_http_1.request)({
            socketPath: socketPath,
            method: method,
            path: path,
            headers: __assign({ authorization: "Bearer ".concat(key) }, (body === undefined ? {} : { 'content-type': 'application/json' })),
        }, function (response) {
            var pieces = [];
            response.on('data', function (piece) { return pieces.push(piece); });
            response.on('end', function () { var _a; return resolve({ status: (_a = response.statusCode) !== null && _a !== void 0 ? _a : 0, text: Buffer.concat(pieces).toString() }); });
            response.on('error', reject);
        });
        request.on('error', reject);
        request.end(body);
    });
}
function waitFor(what_1, check_1) {
    return __awaiter(this, arguments, void 0, function (what, check, timeoutMs, detail) {
        var deadline;
        if (timeoutMs === void 0) { timeoutMs = 60000; }
        if (detail === void 0) { detail = function () { return ''; }; }
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    deadline = Date.now() + timeoutMs;
                    _a.label = 1;
                case 1: return [4 /*yield*/, check()];
                case 2:
                    if (!!(_a.sent())) return [3 /*break*/, 4];
                    if (Date.now() > deadline)
                        throw new Error("timed out waiting for ".concat(what, " ").concat(detail()));
                    return [4 /*yield*/, new Promise(function (resolve) { return setTimeout(resolve, 100); })];
                case 3:
                    _a.sent();
                    return [3 /*break*/, 1];
                case 4: return [2 /*return*/];
            }
        });
    });
}
