import { describe, expect, it } from 'vitest';
import { parseSweepSpec } from '../src/index.js';
import { closestName, editDistance, unknownParameterRule } from '../src/suggest.js';

describe('did-you-mean for parameter names', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('immuneKill', 'immuneKill')).toBe(0);
    expect(editDistance('imuneKill', 'immuneKill')).toBe(1);
    expect(editDistance('immuenKill', 'immuneKill')).toBe(1); // swap
    expect(editDistance('doze', 'dose')).toBe(1);
    expect(editDistance('ca', 'abc')).toBe(3); // optimal string alignment, not unrestricted DL
    expect(editDistance('IMMUNEKILL', 'immuneKill')).toBe(0);
  });

  it('suggests the closest name only when it is close', () => {
    const known = ['dose', 'immuneKill', 'immuneKillSigma', 'growthRate'];
    expect(closestName('immunekil', known)).toBe('immuneKill');
    expect(closestName('doze', known)).toBe('dose');
    expect(closestName('tumourSize', known)).toBeUndefined();
  });

  it('names the suggestion and the catalogue in the rule', () => {
    expect(unknownParameterRule('imuneKill', ['immuneKill'])).toBe(
      'unknown parameter (did you mean `immuneKill`?); see GET /v1/model/parameters or `frontline params`',
    );
    expect(unknownParameterRule('zzz', ['immuneKill'])).toBe(
      'unknown parameter; see GET /v1/model/parameters or `frontline params`',
    );
  });

  it('a spec with misspelt axis and override names gets one detail per name with its suggestion', () => {
    const result = parseSweepSpec({
      name: 'typos',
      design: { kind: 'grid', axes: { doze: [0, 1], imuneKill: [0.01, 0.03] } },
      cohort: { patients: 10, seed: 1 },
      params: { horizonDay: 365 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const hint = 'see GET /v1/model/parameters or `frontline params`';
    expect(result.error.details).toEqual([
      { path: 'design.axes.doze', rule: `unknown parameter of lf-tid@2 (did you mean \`dose\`?); ${hint}` },
      {
        path: 'design.axes.imuneKill',
        rule: `unknown parameter of lf-tid@2 (did you mean \`immuneKill\`?); ${hint}`,
      },
      {
        path: 'params.horizonDay',
        rule: `unknown parameter of lf-tid@2 (did you mean \`horizonDays\`?); ${hint}`,
      },
    ]);
    expect(JSON.stringify(result.error)).not.toContain('MODEL.md');
  });
});
