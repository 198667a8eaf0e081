"use strict";
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
exports.compareOutcomes = compareOutcomes;
function rowCounts(ndjson) {
    var _a;
    var counts = new Map();
    var _loop_1 = function (line) {
        if (!line.trim())
            return "continue";
        var row = JSON.parse(line);
        // Columns in a fixed order, so equal rows give equal strings whatever the key order.
        var canonical = JSON.stringify(Object.keys(row)
            .sort()
            .map(function (name) { return [name, row[name]]; }));
        counts.set(canonical, ((_a = counts.get(canonical)) !== null && _a !== void 0 ? _a : 0) + 1);
    };
    for (var _i = 0, _b = ndjson.split('\n'); _i < _b.length; _i++) {
        var line = _b[_i];
        _loop_1(line);
    }
    return counts;
}
function compareOutcomes(referenceNdjson, actualNdjson) {
    var _a, _b;
    var reference = rowCounts(referenceNdjson);
    var actual = rowCounts(actualNdjson);
    var total = function (counts) { return __spreadArray([], counts.values(), true).reduce(function (sum, n) { return sum + n; }, 0); };
    var comparison = {
        expected: total(reference),
        stored: total(actual),
        lost: 0,
        duplicated: 0,
        unexpected: 0,
    };
    for (var _i = 0, reference_1 = reference; _i < reference_1.length; _i++) {
        var _c = reference_1[_i], row = _c[0], expected = _c[1];
        comparison.lost += Math.max(0, expected - ((_a = actual.get(row)) !== null && _a !== void 0 ? _a : 0));
    }
    for (var _d = 0, actual_1 = actual; _d < actual_1.length; _d++) {
        var _e = actual_1[_d], row = _e[0], stored = _e[1];
        var expected = (_b = reference.get(row)) !== null && _b !== void 0 ? _b : 0;
        if (expected === 0)
            comparison.unexpected += stored;
        else
            comparison.duplicated += Math.max(0, stored - expected);
    }
    return comparison;
}
