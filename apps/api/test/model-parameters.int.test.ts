import { paramNamesFor } from '@frontline/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

const hint = 'see GET /v1/model/parameters or `frontline params`';

describe('GET /v1/model/parameters', () => {
  let harness: Harness;
  let readKey: string;
  beforeAll(async () => {
    harness = await startHarness();
    readKey = await harness.createKey('read');
  });
  afterAll(() => harness?.stop());

  it('lists every parameter of lf-tid@2 with its meaning, unit, default, range and per-patient flag (read key)', async () => {
    const { status, body } = await harness.request('GET', '/v1/model/parameters?model=lf-tid@2', undefined, {
      key: readKey,
    });
    expect(status).toBe(200);
    expect(body.model).toBe('lf-tid@2');
    expect(body.parameters.map((p: { name: string }) => p.name)).toEqual(paramNamesFor('lf-tid@2'));
    expect(body.parameters.find((p: { name: string }) => p.name === 'immuneKill')).toEqual({
      name: 'immuneKill',
      description: 'k_I, kill rate of tumour cells by immune effectors, population median.',
      unit: 'd⁻¹',
      default: 0.035,
      min: 0,
      max: 1_000_000,
      rule: 'must be ≥ 0 and ≤ 1000000',
      integer: false,
      perPatient: true,
      sweepable: true,
    });
  });

  it('defaults to lf-tid@2; lf-tid@1 has cycleDays; an unknown model is a 400 naming the field', async () => {
    const latest = await harness.request('GET', '/v1/model/parameters');
    expect(latest.body.model).toBe('lf-tid@2');
    const v1 = await harness.request('GET', '/v1/model/parameters?model=lf-tid@1');
    expect(v1.body.parameters.map((p: { name: string }) => p.name)).toEqual(paramNamesFor('lf-tid@1'));
    const bad = await harness.request('GET', '/v1/model/parameters?model=lf-tid@9');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details[0].path).toBe('querystring.model');
    const anonymous = await harness.request('GET', '/v1/model/parameters', undefined, { key: null });
    expect(anonymous.status).toBe(401);
  });
});

const yamlSpec = `# a YAML spec posted as written
name: yaml body
design:
  kind: grid
  axes:
    dose: [0, 2]
cohort: { patients: 20, seed: 5 }
referenceArm: { dose: 0 }
`;

async function post(harness: Harness, contentType: string, body: string) {
  const response = await fetch(`${harness.apiUrl}/v1/sweeps`, {
    method: 'POST',
    headers: { ...harness.authHeaders, 'content-type': contentType },
    body,
  });
  // biome-ignore lint/suspicious/noExplicitAny: a JSON answer, checked field by field
  return { status: response.status, body: (await response.json()) as any };
}

describe('POST /v1/sweeps with a YAML body', () => {
  let harness: Harness;
  beforeAll(async () => {
    const { defaultSweepLimits } = await import('@frontline/contracts');
    harness = await startHarness({ limits: { ...defaultSweepLimits, maxBodyBytes: 4096 } });
  });
  afterAll(() => harness?.stop());

  it('accepts application/yaml and text/yaml, storing the same spec as the JSON equivalent', async () => {
    const json = await harness.request('POST', '/v1/sweeps', {
      name: 'yaml body',
      design: { kind: 'grid', axes: { dose: [0, 2] } },
      cohort: { patients: 20, seed: 5 },
      referenceArm: { dose: 0 },
    });
    expect(json.status).toBe(202);
    for (const type of ['application/yaml', 'text/yaml; charset=utf-8']) {
      const yaml = await post(harness, type, yamlSpec);
      expect(yaml.status).toBe(202);
      expect(yaml.body).toMatchObject({ points: 2, patients: 20, simulations: 40 });
      const stored = await harness.request('GET', `/v1/sweeps/${yaml.body.id}`);
      const reference = await harness.request('GET', `/v1/sweeps/${json.body.id}`);
      expect(stored.body.spec).toEqual(reference.body.spec);
    }
  });

  it('rejects invalid YAML (400), a misspelt parameter with a suggestion (400) and a body over the limit (413)', async () => {
    const broken = await post(harness, 'application/yaml', 'name: [unclosed\ndesign: {');
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(/^body is not valid YAML: /);
    expect(broken.body.error.details).toEqual([
      { path: 'body', rule: 'must be valid YAML (or send JSON with content-type: application/json)' },
    ]);

    const typo = await post(
      harness,
      'application/yaml',
      yamlSpec.replace('    dose: [0, 2]', '    dose: [0, 2]\n    imuneKill: [0.01, 0.03]'),
    );
    expect(typo.status).toBe(400);
    expect(typo.body.error.details).toEqual([
      {
        path: 'design.axes.imuneKill',
        rule: `unknown parameter of lf-tid@2 (did you mean \`immuneKill\`?); ${hint}`,
      },
    ]);

    const big = await post(harness, 'application/yaml', `${yamlSpec}# ${'x'.repeat(5000)}\n`);
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
  });

  it('answers another content type with a 415 that says to send JSON or YAML and how', async () => {
    const plain = await post(harness, 'text/plain', yamlSpec);
    expect(plain.status).toBe(415);
    expect(plain.body.error.message).toBe(
      "unsupported content type text/plain: send the spec as JSON (content-type: application/json) or YAML (content-type: application/yaml), e.g. curl --data-binary @spec.yaml -H 'content-type: application/yaml'",
    );
  });
});
