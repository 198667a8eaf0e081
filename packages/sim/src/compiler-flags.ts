/**
 * V8 flags the simulation workers run with. A larger TurboFan inlining budget lets V8 inline the
 * Poisson sampler and the stochastic site update into the step loop: ~7 % fewer instructions per
 * patient, TS v1 / C from ~1.27 to ~1.2 (docs/benchmarks.md). V8 freezes its flags once it starts,
 * so they go on the worker's command line (v8.setFlagsFromString at run time has no effect). They
 * change how V8 compiles, never what the kernel computes: test/compiler-flags.test.ts reproduces
 * the lf-tid@1 golden digests under them.
 */
export const kernelNodeFlags = [
  '--max-inlined-bytecode-size=2000',
  '--max-inlined-bytecode-size-cumulative=4000',
] as const;

/** The kernel flags this process was not started with (empty when it runs as tuned). */
export function missingKernelNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return kernelNodeFlags.filter((flag) => !execArgv.includes(flag));
}
