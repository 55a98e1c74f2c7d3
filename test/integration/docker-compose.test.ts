import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE = fileURLToPath(new URL('../../docker/compose.yaml', import.meta.url));
const DOCKERFILE = fileURLToPath(new URL('../../docker/Dockerfile', import.meta.url));
const NOT_INSTALLED =
  'docker-compose not found: install it with "apt-get install -y --no-install-recommends docker-compose" ' +
  '(Compose v1, which validates the file without a Docker engine; .ci/run does this on a fresh machine)';
/** The oldest nginx line still maintained when this was written (1.30 stable); older ones get no security fixes. */
const OLDEST_NGINX = [1, 30];

interface Service {
  image?: string;
  build?: unknown;
  pull_policy?: string;
  healthcheck?: { test?: unknown; disable?: boolean };
}

/** `docker-compose config` run on the file: validated, anchors merged, as compose itself reads it. */
function composeConfig(...args: string[]): string {
  const result = spawnSync('docker-compose', ['-f', COMPOSE, 'config', ...args], { encoding: 'utf8', cwd: REPO_ROOT });
  if (result.error !== undefined && (result.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(NOT_INSTALLED);
  assert.equal(result.status, 0, `docker-compose config ${args.join(' ')} rejected docker/compose.yaml:\n${result.stderr}`);
  return result.stdout;
}

describe('docker/compose.yaml', () => {
  it('validates with docker-compose config', () => {
    assert.equal(composeConfig('-q'), '');
  });

  it('builds one image once and runs it in every instance; every service has a healthcheck; nginx is current', () => {
    const services = (parse(composeConfig()) as { services: Record<string, Service> }).services;
    const built = Object.entries(services).filter(([, service]) => service.build !== undefined);
    assert.equal(built.length, 1, `exactly one service builds (found ${built.map(([name]) => name).join(', ') || 'none'})`);
    const [builder, image] = [built[0]?.[0] ?? '', built[0]?.[1].image];
    assert.ok(image !== undefined, `${builder} names the image it builds`);
    const instances = Object.entries(services).filter(([name]) => /^transport-\d+$/.test(name));
    assert.ok(instances.length >= 2, 'several transport instances');
    for (const [name, service] of instances) {
      assert.equal(service.image, image, `${name} runs the one image`);
      if (name !== builder) assert.equal(service.pull_policy, 'never', `${name} never pulls the locally built tag from a registry`);
    }
    for (const [name, service] of Object.entries(services)) {
      assert.ok(service.healthcheck?.test !== undefined && service.healthcheck.disable !== true, `${name} has a healthcheck`);
    }
    const nginx = /^nginx:(\d+)\.(\d+)/.exec(services.nginx?.image ?? '');
    assert.ok(nginx, `nginx is pinned to a version line, got ${services.nginx?.image ?? 'none'}`);
    const [major, minor] = [Number(nginx[1]), Number(nginx[2])];
    assert.ok(major > OLDEST_NGINX[0]! || minor >= OLDEST_NGINX[1]!, `nginx ${major}.${minor} is past its end of life`);
  });

  it('builds with an ignore file every builder reads, and copies every workspace into the image', () => {
    assert.ok(existsSync(`${REPO_ROOT}.dockerignore`), '.dockerignore at the build context root (the legacy builder reads only that one)');
    assert.ok(!existsSync(`${REPO_ROOT}docker/Dockerfile.dockerignore`), 'no docker/Dockerfile.dockerignore: BuildKit would read it instead of the root file');
    const ignored = readFileSync(`${REPO_ROOT}.dockerignore`, 'utf8').split('\n').map((line) => line.trim());
    for (const pattern of ['**/node_modules', '**/dist', '**/*.tsbuildinfo']) assert.ok(ignored.includes(pattern), `.dockerignore has ${pattern}`);
    const dockerfile = readFileSync(DOCKERFILE, 'utf8');
    const workspaces = (JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { workspaces: string[] }).workspaces;
    for (const workspace of workspaces) {
      assert.ok(dockerfile.includes(`COPY ${workspace}/package.json ${workspace}/`), `the Dockerfile copies ${workspace}/package.json before npm ci`);
    }
  });
});
