/**
 * A small seeded generator for reproducible Monte Carlo (Math.random cannot be seeded): sfc32, seeded
 * through splitmix32 so nearby seeds give unrelated streams. Period ≥ 2^32, passes PractRand to 2^40+.
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

/** Uniform numbers in [0, 1) from a seed (any finite number; its integer part modulo 2^32 is used). */
export function seededUniform(seed: number): () => number {
  const init = splitmix32(Math.trunc(seed) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // sfc32's own warm-up
  return next;
}
