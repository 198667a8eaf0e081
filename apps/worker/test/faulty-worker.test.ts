import { pointHash, resolveParams } from '@frontline/sim';
import { describe, expect, it } from 'vitest';
import { chunkTask } from '../src/simulate-task.js';
import { faultAt, faultsVariable, faultyWorker, workerFaultsJson } from './support/faults.js';

// Test support of the fault tests (apps/api/test/faults.int.test.ts): the production worker has no fault branch.
describe('faulty worker (test support)', () => {
  it('parses point hash prefixes from JSON', () => {
    expect(workerFaultsJson.parse('{"throwAtPoint":"52b513aef483","hangAtPoint":"c49045585547"}')).toEqual({
      throwAtPoint: '52b513aef483',
      hangAtPoint: 'c49045585547',
    });
  });

  it('rejects text that is not JSON, unknown keys and prefixes too short to name one point', () => {
    const issues = (value: string) => workerFaultsJson.safeParse(value).error?.issues.map((i) => i.message);
    expect(issues('throwAtPoint=52b5')).toEqual([
      'must be JSON, e.g. {"throwAtPoint":"<point hash prefix>"}',
    ]);
    expect(issues('{"crashAtPoint":"52b513aef483"}')?.length).toBe(1);
    expect(issues('{"throwAtPoint":"52"}')).toEqual(['must be a point hash prefix of 6+ characters']);
  });

  it('picks the fault of the point whose hash starts with the prefix, and no other', () => {
    const faults = { throwAtPoint: '52b513aef483', hangAtPoint: 'c49045585547' };
    const tail = '0'.repeat(52);
    expect(faultAt(faults, `52b513aef483${tail}`)).toBe('throw');
    expect(faultAt(faults, `c49045585547${tail}`)).toBe('hang');
    expect(faultAt(faults, `6c268eade77d${tail}`)).toBeUndefined();
    expect(faultAt(undefined, `52b513aef483${tail}`)).toBeUndefined();
  });

  it('starts the worker with the preload and the faults in its environment', () => {
    const { nodeArgs, env } = faultyWorker({ throwAtPoint: '52b513aef483' });
    expect(nodeArgs[0]).toBe('--import');
    expect(nodeArgs[1]).toMatch(/apps\/worker\/test\/support\/fault-preload\.mjs$/);
    expect(env).toEqual({ [faultsVariable]: '{"throwAtPoint":"52b513aef483"}' });
  });

  it('makes the chunk task throw at the chosen point instead of running the model', async () => {
    const params = resolveParams({});
    process.env[faultsVariable] = JSON.stringify({ throwAtPoint: pointHash(params).slice(0, 12) });
    const { default: faultySimulateChunk } = await import('./support/faulty-simulate-task.js');
    const segment = { modelId: 'lf-tid@1' as const, params, patientStart: 0, patientEnd: 2 };
    const other = { ...segment, params: resolveParams({ growthRate: 0.03 }) };
    const recording = (pointIds: number[]) => ({
      sweepId: 'faults',
      retention: 'summary' as const,
      segments: pointIds.map((pointId) => ({ pointId, stepDays: params.stepDays })),
      fields: [],
    });
    // A chunk spanning points fails if any of its points is the faulty one.
    expect(() => faultySimulateChunk(chunkTask(1, [other, segment], recording([2, 1])))).toThrow(
      'injected fault: the model threw at this point',
    );
    const recorded = faultySimulateChunk(
      chunkTask(1, [other, { ...other, patientEnd: 3 }], recording([2, 2])),
    );
    expect(recorded.simulated).toBe(5);
    expect(recorded.tallies?.columns.patients).toBe('{5}');
    expect(recorded.rows).toBeUndefined();
  });
});
