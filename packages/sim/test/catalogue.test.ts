import { describe, expect, it } from 'vitest';
import { parameterCatalogue } from '../src/catalogue.js';
import {
  defaultModelId,
  modelIds,
  paramDomainsFor,
  paramNamesFor,
  resolveModelParams,
} from '../src/models.js';

describe('parameterCatalogue', () => {
  it.each(modelIds)(
    '%s: one entry per parameter, in order, with the defaults and domains of the definitions',
    (model) => {
      const catalogue = parameterCatalogue(model);
      expect(catalogue.map((p) => p.name)).toEqual(paramNamesFor(model));
      const defaults = resolveModelParams(model) as unknown as Record<string, unknown>;
      const domains = paramDomainsFor(model);
      for (const p of catalogue) {
        expect(p.default).toEqual(defaults[p.name]);
        expect(p.description.length).toBeGreaterThan(10);
        if (p.name !== 'doseDays') expect(p.rule).toBe(domains[p.name]);
      }
    },
  );

  it('states ranges, units and per-patient variation', () => {
    const byName = new Map(parameterCatalogue(defaultModelId).map((p) => [p.name, p]));
    expect(byName.get('immuneKill')).toMatchObject({
      unit: 'd⁻¹',
      default: 0.035,
      min: 0,
      max: 1e6,
      perPatient: true,
      sweepable: true,
    });
    expect(byName.get('immuneKillSigma')).toMatchObject({ perPatient: false, min: 0, max: 5 });
    expect(byName.get('cellLossFactor')).toMatchObject({ min: 0, max: 1, rule: 'must be ≥ 0 and < 1' });
    expect(byName.get('cycles')).toMatchObject({
      integer: true,
      rule: 'must be an integer; must be ≥ 0 and ≤ 1000000',
    });
    expect(byName.get('doseDays')).toMatchObject({ default: [], sweepable: false });
    expect(byName.get('baselineNeutrophils')).toMatchObject({ unit: '10⁹/L', perPatient: true });
    expect(byName.has('cycleDays')).toBe(false);
    expect(parameterCatalogue('lf-tid@1').some((p) => p.name === 'cycleDays')).toBe(true);
  });
});
