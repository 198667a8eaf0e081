import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { faultInjectionEnv, injectedFaultAt } from '../src/fault-injection.js';
import simulateChunk from '../src/simulate-task.js';

const env = z.object({ FRONTLINE_FAULT_INJECTION: faultInjectionEnv.optional() });

describe('FRONTLINE_FAULT_INJECTION (test only)', () => {
  it('is off unless set', () => {
    expect(env.parse({})).toEqual({});
    expect(injectedFaultAt(undefined, '52b513aef483aa')).toBeUndefined();
  });

  it('parses point hash prefixes from JSON', () => {
    const parsed = env.parse({
      FRONTLINE_FAULT_INJECTION: '{"throwAtPoint":"52b513aef483","hangAtPoint":"c49045585547"}',
    });
    expect(parsed.FRONTLINE_FAULT_INJECTION).toEqual({
      throwAtPoint: '52b513aef483',
      hangAtPoint: 'c49045585547',
    });
  });

  it('rejects text that is not JSON, unknown keys and prefixes too short to name one point', () => {
    const issues = (value: string) =>
      env.safeParse({ FRONTLINE_FAULT_INJECTION: value }).error?.issues.map((i) => i.message);
    expect(issues('throwAtPoint=52b5')).toEqual([
      'must be JSON, e.g. {"throwAtPoint":"<point hash prefix>"}',
    ]);
    expect(issues('{"crashAtPoint":"52b513aef483"}')?.length).toBe(1);
    expect(issues('{"throwAtPoint":"52"}')).toEqual(['must be a point hash prefix of 6+ characters']);
  });

  it('picks the fault of the point whose hash starts with the prefix, and no other', () => {
    const injection = { throwAtPoint: '52b513aef483', hangAtPoint: 'c49045585547' };
    const tail = '0'.repeat(52);
    expect(injectedFaultAt(injection, `52b513aef483${tail}`)).toBe('throw');
    expect(injectedFaultAt(injection, `c49045585547${tail}`)).toBe('hang');
    expect(injectedFaultAt(injection, `6c268eade77d${tail}`)).toBeUndefined();
  });

  it('makes the chunk task throw instead of running the model', () => {
    expect(() =>
      simulateChunk({
        params: {} as never,
        cohortSeed: 1,
        patientStart: 0,
        patientEnd: 10,
        fault: 'throw',
      }),
    ).toThrow('injected fault: the model threw at this point');
  });
});
