// Prints the golden digests, one per line: run in a child process under the workers' V8 flags.
import { GOLDEN, goldenDigest } from './v1-golden.js';

for (const [overrides] of GOLDEN) console.log(goldenDigest(overrides));
