"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createNetwork = createNetwork;
var node_child_process_1 = require("node:child_process");
var node_crypto_1 = require("node:crypto");
var ip = function () {
    var args = [];
    for (var _i = 0; _i < arguments.length; _i++) {
        args[_i] = arguments[_i];
    }
    return (0, node_child_process_1.execFileSync)('ip', args, { encoding: 'utf8', stdio: 'pipe' });
};
/** A 10.213.N.0/24 that no interface of the root namespace or any existing namespace uses. */
function unusedSubnet() {
    var seen = ip('-o', 'addr') + ip('route');
    var inNamespaces = '';
    for (var _i = 0, _a = ip('netns', 'list').split('\n'); _i < _a.length; _i++) {
        var line = _a[_i];
        var ns = line.split(' ')[0];
        if (!ns)
            continue;
        try {
            inNamespaces += ip('-n', ns, '-o', 'addr');
        }
        catch (_b) {
            // a namespace removed meanwhile
        }
    }
    for (var attempt = 0; attempt < 50; attempt++) {
        var third = 1 + Math.floor(Math.random() * 250);
        var subnet = "10.213.".concat(third);
        if (!seen.includes("".concat(subnet, ".")) && !inNamespaces.includes("".concat(subnet, ".")))
            return subnet;
    }
    throw new Error('no unused 10.213.N.0/24 subnet found');
}
function createNetwork(hostNames) {
    var tag = "fm".concat((0, node_crypto_1.randomBytes)(2).toString('hex')); // namespace and link names: ≤ 15 characters
    var subnet = unusedSubnet();
    var switchNs = "".concat(tag, "-switch");
    var hosts = new Map();
    var namespaces = [];
    var nextAddress = 2;
    var remove = function () {
        for (var _i = 0, _a = namespaces.splice(0).reverse(); _i < _a.length; _i++) {
            var ns = _a[_i];
            try {
                // Whatever still runs in it (a killed test) would keep the namespace alive: end it first.
                for (var _b = 0, _c = nsPids(ns); _b < _c.length; _b++) {
                    var pid = _c[_b];
                    process.kill(pid, 'SIGKILL');
                }
                ip('netns', 'del', ns);
            }
            catch (_d) {
                // already gone
            }
        }
    };
    var addNamespace = function (ns) {
        ip('netns', 'add', ns);
        namespaces.push(ns);
        ip('-n', ns, 'link', 'set', 'lo', 'up');
    };
    var addHost = function (name) {
        var index = nextAddress++;
        var host = { name: name, ns: "".concat(tag, "-").concat(name), address: "".concat(subnet, ".").concat(index), link: "".concat(tag, "h").concat(index) };
        var switchEnd = "".concat(tag, "s").concat(index);
        addNamespace(host.ns);
        // Created in the host's namespace, the switch end moved out: the root namespace never holds either.
        ip('-n', host.ns, 'link', 'add', host.link, 'type', 'veth', 'peer', 'name', switchEnd, 'netns', switchNs);
        ip('-n', switchNs, 'link', 'set', switchEnd, 'master', 'br0', 'up');
        ip('-n', host.ns, 'addr', 'add', "".concat(host.address, "/24"), 'dev', host.link);
        ip('-n', host.ns, 'link', 'set', host.link, 'up');
        hosts.set(name, host);
        return host;
    };
    try {
        addNamespace(switchNs);
        ip('-n', switchNs, 'link', 'add', 'br0', 'type', 'bridge');
        ip('-n', switchNs, 'link', 'set', 'br0', 'up');
        for (var _i = 0, hostNames_1 = hostNames; _i < hostNames_1.length; _i++) {
            var name_1 = hostNames_1[_i];
            addHost(name_1);
        }
    }
    catch (error) {
        remove();
        throw error;
    }
    var host = function (name) {
        var found = hosts.get(name);
        if (!found)
            throw new Error("no host ".concat(name));
        return found;
    };
    return {
        subnet: "".concat(subnet, ".0/24"),
        hosts: hosts,
        host: host,
        addHost: addHost,
        setLink: function (name, up) {
            var _a = host(name), ns = _a.ns, link = _a.link;
            ip('-n', ns, 'link', 'set', link, up ? 'up' : 'down');
        },
        pids: function (name) { return nsPids(host(name).ns); },
        remove: remove,
    };
}
function nsPids(ns) {
    return ip('netns', 'pids', ns).split('\n').filter(Boolean).map(Number);
}
