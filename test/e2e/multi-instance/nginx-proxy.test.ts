import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '@notification-transport/contract';
import { Flags, FrameTypes, type Frame } from 'rsocket-core';
import { Cluster } from '../../support/cluster.js';
import { postNotification, postWithRetry } from '../../support/initiator.js';
import { NGINX_CONF, NginxProcess, renderNginxSite, type NginxOptions } from '../../support/nginx-process.js';
import { RawRSocket, routeMetadata } from '../../support/raw-rsocket.js';
import { ResilientClient } from '../../support/resilient-client.js';
import { connectModern } from '../../support/rsocket-clients.js';
import type { ServiceProcess } from '../../support/service-process.js';
import { waitFor } from '../../support/wait-for.js';

const COMPOSE = fileURLToPath(new URL('../../../docker/compose.yaml', import.meta.url));

/** Redis, two instances and docker/nginx.conf in front of them, as docker/compose.yaml runs it (with three). */
async function proxiedCluster(nginx: Partial<NginxOptions> = {}): Promise<{ cluster: Cluster; nginx: NginxProcess }> {
  const cluster = await Cluster.start(2);
  const upstreams = cluster.instances.map((instance) => `127.0.0.1:${instance.port}`);
  return { cluster, nginx: await NginxProcess.start({ upstreams, ...nginx }) };
}

/** The instance's `transport_connections` gauge, read from its own /metrics (not through nginx). */
async function connectionsOn(instance: ServiceProcess): Promise<number> {
  const text = await (await fetch(`${instance.baseUrl}/metrics`)).text();
  return Number(/^transport_connections\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? NaN);
}

describe('nginx (docker/nginx.conf) in front of two instances', () => {
  it('a client connected through nginx receives a notification POSTed through nginx', async () => {
    const { cluster, nginx } = await proxiedCluster();
    const client = new ResilientClient('alice', () => [nginx.wsUrl]);
    await client.start();
    const probe = await connectModern(nginx.wsUrl, { userId: 'probe', openStream: false });
    const ids = cluster.instances.map((instance) => instance.instanceId);
    assert.ok(ids.includes((await probe.session()).instance), 'the session answer names an instance behind nginx');

    const outcome = await postNotification(nginx.baseUrl, { userId: 'alice', type: 'via.nginx', payload: { n: 1 } });
    assert.equal(outcome.status, 202);
    assert.equal(outcome.body.notifications[0]?.online, true);
    await waitFor(() => client.notifications.length === 1, 'the notification through nginx');
    assert.equal(client.notifications[0]?.id, outcome.body.notifications[0]?.id);
    assert.deepEqual(client.notifications[0]?.payload, { n: 1 });
    assert.equal((await fetch(`${nginx.baseUrl}/healthz`)).status, 200);
    client.stop();
  });

  it('SIGKILL of the client\'s instance: it reconnects through nginx to the other and gets every notification once, in order', async () => {
    const { cluster, nginx } = await proxiedCluster();
    const client = new ResilientClient('carol', () => [nginx.wsUrl]);
    await client.start();
    const send = (k: number) => postWithRetry(() => [nginx.baseUrl], { userId: 'carol', type: 'crash', payload: { k } }, `carol-${k}`);
    assert.equal((await send(0)).status, 202);
    await waitFor(() => client.notifications.length === 1, 'the first notification');
    const counts = await Promise.all(cluster.instances.map(connectionsOn));
    const victim = cluster.instances[counts.indexOf(1)];
    const survivor = cluster.instances[counts.indexOf(0)];
    assert.ok(victim !== undefined && survivor !== undefined, `one instance holds the client (connections: ${counts.join(', ')})`);

    await victim.kill('SIGKILL');
    const COUNT = 30;
    for (let k = 1; k <= COUNT; k += 1) assert.equal((await send(k)).status, 202);
    await waitFor(() => client.notifications.length >= COUNT + 1, 'every notification after the crash', 10_000);

    assert.deepEqual(client.notifications.map((n) => (n.payload as { k: number }).k), Array.from({ length: COUNT + 1 }, (_, k) => k));
    assert.equal(new Set(client.notifications.map((n) => n.id)).size, COUNT + 1, 'no id twice');
    assert.equal(client.connections, 2, 'one reconnect, through nginx');
    assert.equal(await connectionsOn(survivor), 1, `the client is now on ${survivor.instanceId}`);
    client.stop();
  });

  it('keepalive trap: nginx cuts a silent WebSocket at proxy_read_timeout (1006, no close frame); a 1 s keepalive stays up', async () => {
    const { nginx } = await proxiedCluster({ readTimeoutSeconds: 2 });
    const kept = await connectModern(nginx.wsUrl, { userId: 'dave', keepAlive: 1_000, lifetime: 10_000 });
    const session = await kept.session();
    const keptSince = Date.now();
    assert.equal(session.keepAlive, 1_000);

    const silent = await RawRSocket.open(nginx.wsUrl);
    silent.setup('erin', { keepAlive: 30_000, lifetime: 120_000 });
    silent.send({ type: FrameTypes.REQUEST_RESPONSE, streamId: 1, flags: Flags.METADATA, data: Buffer.alloc(0), metadata: routeMetadata(ROUTES.session) } as Frame);
    await waitFor(() => silent.ofType(FrameTypes.PAYLOAD).length === 1, 'the silent client\'s session answer');
    const quietSince = Date.now();
    const { code } = await silent.serverClosed(6_000);
    const idleMs = Date.now() - quietSince;
    assert.equal(code, 1006, 'closed without a close frame');
    assert.ok(idleMs > 1_500 && idleMs < 3_500, `cut after ${idleMs} ms of silence, at the 2 s proxy_read_timeout`);
    assert.deepEqual(silent.ofType(FrameTypes.ERROR), [], 'the server did not end it: nginx did');

    await waitFor(() => Date.now() - keptSince > 4_000 || kept.error !== undefined, 'the keepalive client to live past 4 s', 6_000);
    assert.equal(kept.error, undefined, 'KEEPALIVE frames every 1 s reset nginx\'s timer');
    assert.equal((await kept.session()).connectionId, session.connectionId, 'still the same connection');
    kept.close();
  });
});

describe('docker/nginx.conf drift check', () => {
  const options = { upstreams: ['127.0.0.1:1001', '127.0.0.1:1002'], port: 9, readTimeoutSeconds: 2 };

  it('rewrites only the upstream servers, the listen port and the read timeout of the real file', async () => {
    const source = await readFile(NGINX_CONF, 'utf8');
    const site = renderNginxSite(source, options);
    assert.match(site, /upstream transport \{\n {4}least_conn;\n {4}server 127\.0\.0\.1:1001;\n {4}server 127\.0\.0\.1:1002;\n {4}keepalive 16;\n\}/);
    assert.doesNotMatch(site, /server transport-\d/);
    assert.match(site, /^ {4}listen 127\.0\.0\.1:9;$/m);
    assert.match(site, /^ {8}proxy_read_timeout 2s;$/m);
    assert.equal(site.split('\n').length, source.split('\n').length - 1, 'three servers became two; nothing else moved');
  });

  it('fails loudly when the upstream block, the listen line or the read timeout changed shape', async () => {
    const source = await readFile(NGINX_CONF, 'utf8');
    const drifted = [
      source.replace('upstream transport {', 'upstream backends {'),
      source.replace(/^( *)listen 80;$/m, '$1listen 80;\n$1listen 443;'),
      source.replace(/^( *)proxy_read_timeout 60s;$/m, '$1proxy_read_timeout 1m;'),
    ];
    for (const text of drifted) assert.throws(() => renderNginxSite(text, options), /^Error: docker\/nginx\.conf drifted: expected exactly one /);
  });

  it('balances exactly the transport instances docker/compose.yaml defines, and compose mounts this file', async () => {
    const [conf, compose] = await Promise.all([readFile(NGINX_CONF, 'utf8'), readFile(COMPOSE, 'utf8')]);
    const upstreams = [...conf.matchAll(/^ +server (transport-\d+):8080;$/gm)].map((m) => m[1]);
    const services = [...compose.matchAll(/^ {2}(transport-\d+):$/gm)].map((m) => m[1]);
    assert.deepEqual(upstreams, ['transport-1', 'transport-2', 'transport-3']);
    assert.deepEqual(services, upstreams);
    assert.match(compose, /- \.\/nginx\.conf:\/etc\/nginx\/conf\.d\/default\.conf:ro/);
    assert.match(compose, /"127\.0\.0\.1:8080:80"/);
    assert.match(conf, /^ {4}listen 80;$/m);
  });

  it('names the missing package when nginx is not installed', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(NginxProcess.start({ upstreams: ['127.0.0.1:1'] }), {
        message: 'nginx not found: install it with "apt-get install -y nginx" (.ci/run does this on a fresh machine)',
      });
    } finally {
      process.env.PATH = path;
    }
  });
});
