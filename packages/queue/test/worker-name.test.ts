import { describe, expect, it } from 'vitest';
import { parseWorkerName } from '../src/queue-view.js';

describe('worker identity from its Redis client name', () => {
  it('reads host, pid and threads from a Frontline worker name', () => {
    const raw = 'frontline:ZnJvbnRsaW5lLWNodW5rcw==:w:{"host":"node-7","pid":4242,"threads":8}';
    expect(parseWorkerName(raw, '10.0.0.7:51234')).toEqual({ host: 'node-7', pid: 4242, threads: 8 });
  });

  it('falls back to the client address for unnamed or foreign workers', () => {
    expect(parseWorkerName('frontline:ZnJvbnRsaW5lLWNodW5rcw==', '10.0.0.7:51234')).toEqual({
      host: '10.0.0.7',
      pid: null,
      threads: null,
    });
    expect(parseWorkerName('frontline:Zg==:w:not-json', '[::1]:6000')).toEqual({
      host: '[::1]',
      pid: null,
      threads: null,
    });
  });
});
