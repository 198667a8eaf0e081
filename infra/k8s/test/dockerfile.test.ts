// No Docker engine here: the Dockerfile is checked by reading it against the repository (stages,
// users, COPY sources, the packages `pnpm deploy` names, the entry points the images run) and
// against the compose file and the Kubernetes manifests that use its images.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '@frontline/stack/paths';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderKustomization } from './support/kustomize.js';

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages, with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ base: match?.[1] ?? '', name: match?.[2] ?? String(stages.length), instructions: [] });
    } else stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync(join(projectRoot, 'infra', 'Dockerfile'), 'utf8'));
const stage = (name: string) => {
  const found = dockerfile.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
/** A stage's instructions, its base stages' first (FROM runtime AS api inherits runtime's USER). */
const effective = (name: string): Instruction[] => {
  const s = stage(name);
  const parent = dockerfile.find((p) => p.name === s.base);
  return [...(parent ? effective(parent.name) : []), ...s.instructions];
};
const workspacePackages = new Map(
  ['apps/api', 'apps/worker', 'apps/web', 'infra/stack'].map((dir) => [
    (JSON.parse(readFileSync(join(projectRoot, dir, 'package.json'), 'utf8')) as { name: string }).name,
    dir,
  ]),
);
const targets = { api: 'apps/api', worker: 'apps/worker', migrate: 'infra/stack' } as const;

describe('infra/Dockerfile', () => {
  test('multi-stage: a build stage, a shared runtime, one image per app', () => {
    expect(dockerfile.map((s) => `${s.name} ← ${s.base}`)).toEqual([
      'build ← node:20-bookworm-slim',
      'runtime ← node:20-bookworm-slim',
      'api ← runtime',
      'worker ← runtime',
      'migrate ← runtime',
    ]);
  });

  test.each(Object.keys(targets))('the %s image runs as the unprivileged node user', (target) => {
    const users = effective(target).filter((i) => i.keyword === 'USER');
    expect(users.at(-1)?.args).toBe('node');
  });

  test('every COPY from the build context names a file of the repository', () => {
    const sources = dockerfile
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))
      .flatMap((i) =>
        i.args
          .split(/\s+/)
          .filter((a) => !a.startsWith('--'))
          .slice(0, -1),
      );
    expect(sources).toEqual(['pnpm-lock.yaml', 'pnpm-workspace.yaml', '.']);
    for (const source of sources) expect(existsSync(join(projectRoot, source))).toBe(true);
  });

  test('`pnpm deploy` names workspace packages, and each image copies its deployment', () => {
    const build = stage('build')
      .instructions.map((i) => i.args)
      .join(' ');
    const deploys = [...build.matchAll(/--filter (\S+) deploy --prod --legacy (\S+)/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(deploys).toEqual([
      ['@frontline/api', '/out/api'],
      ['@frontline/worker', '/out/worker'],
      ['@frontline/stack', '/out/migrate'],
    ]);
    for (const [name] of deploys) expect(workspacePackages.has(name as string)).toBe(true);
    for (const target of Object.keys(targets)) {
      const copies = stage(target)
        .instructions.filter((i) => i.keyword === 'COPY')
        .map((i) => i.args);
      expect(copies[0]).toBe(`--from=build --chown=node:node /out/${target} /app`);
    }
  });

  test("each image's CMD is the built form of its package's entry point", () => {
    for (const [target, dir] of Object.entries(targets)) {
      const cmd = JSON.parse(
        stage(target).instructions.find((i) => i.keyword === 'CMD')?.args ?? '[]',
      ) as string[];
      expect(cmd[0]).toBe('node');
      // The entry follows node's flags (the worker's kernel V8 flags).
      const entry = cmd.find((arg) => !arg.startsWith('-') && arg !== 'node') as string;
      const source = entry.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
      expect(existsSync(join(projectRoot, dir, source))).toBe(true);
    }
    // The dashboard the API serves is apps/web's vite output (vite's default outDir).
    const dashboard = stage('api').instructions.find((i) => i.args.includes('/repo/apps/web/dist'));
    expect(dashboard?.args).toBe('--from=build --chown=node:node /repo/apps/web/dist /app/dashboard');
  });

  test('compose and the Kubernetes manifests use its targets and entry points', () => {
    const compose = parseYaml(readFileSync(join(projectRoot, 'infra', 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { build?: { dockerfile: string; target: string } }>;
    };
    const built = Object.entries(compose.services).filter(([, s]) => s.build);
    expect(built.map(([name, s]) => [name, s.build?.dockerfile, s.build?.target])).toEqual([
      ['migrate', 'infra/Dockerfile', 'migrate'],
      ['api', 'infra/Dockerfile', 'api'],
      ['worker', 'infra/Dockerfile', 'worker'],
    ]);
    const objects = renderKustomization(fileURLToPath(new URL('../base', import.meta.url)));
    const commands = Object.fromEntries(
      objects.flatMap((o) => {
        const pod = (
          o as { spec?: { template?: { spec?: { containers: { image: string; command: string[] }[] } } } }
        ).spec?.template?.spec;
        return (pod?.containers ?? []).map((c) => [c.image, c.command]);
      }),
    );
    for (const target of Object.keys(targets)) {
      const cmd = JSON.parse(stage(target).instructions.find((i) => i.keyword === 'CMD')?.args ?? '[]');
      expect(commands[`frontline-${target}:0.1.0`]).toEqual(cmd);
    }
  });
});
