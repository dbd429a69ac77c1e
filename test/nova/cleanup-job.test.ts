import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { http } from '../support/http.js';
import { startNovaEnv, waitForStatus, type NovaEnv } from './support.js';

/** The durable half of a server delete, run by a job worker when the gateway could not finish it. */
describe('server_cleanup job', () => {
  let env: NovaEnv;
  let netId: string;
  const neutron = (method: string, path: string, body?: unknown) => http(method, `${env.tc.urls['neutron-api']}/v2.0${path}`, { token: env.tokens.demo, body });
  const admin = (method: string, path: string, body?: unknown) => http(method, `${env.tc.urls['admin-api']}${path}`, { token: env.tokens.admin, body });

  before(async () => {
    env = await startNovaEnv({ withNeutron: true, services: ['xjob'] });
    netId = (await neutron('POST', '/networks', { network: { name: 'net1' } })).body.network.id;
    await neutron('POST', '/subnets', { subnet: { network_id: netId, cidr: '10.0.9.0/24', ip_version: 4 } });
  });
  after(async () => {
    await env?.close();
  });

  async function waitForJob(jobId: string): Promise<{ status: string; last_error?: string }> {
    for (let i = 0; i < 150; i++) {
      const job = (await admin('GET', `/v1.0/jobs/${jobId}`)).body.job;
      if (job.status === 'SUCCESS' || job.status === 'FAIL') return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  test('removes the ports and the route of a server its pod no longer has', async () => {
    const boot = await env.call('demo', 'POST', '/servers', {
      version: '2.37',
      body: { server: { name: 'orphan', imageRef: env.imageId, flavorRef: '1', networks: [{ uuid: netId }], availability_zone: 'az1' } },
    });
    assert.equal(boot.status, 202, boot.text);
    const id = boot.body.server.id as string;
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    assert.equal((await neutron('GET', `/ports?device_id=${id}`)).body.ports.length, 1);

    // The server goes away behind the gateway's back (as if the gateway died right after the delete).
    assert.equal((await env.pod('Pod1', 'admin', 'DELETE', `/servers/${id}`)).status, 204);
    const created = await admin('POST', '/v1.0/jobs', { job: { type: 'server_cleanup', project_id: env.projects.demo, resource: { id } } });
    assert.ok(created.status < 300, created.text);
    const job = await waitForJob(created.body.job.id);
    assert.equal(job.status, 'SUCCESS', job.last_error);
    assert.deepEqual((await neutron('GET', `/ports?device_id=${id}`)).body.ports, []);
    assert.deepEqual((await admin('GET', `/v1.0/routings?top_id=${id}&resource_type=server`)).body.routings, []);
    assert.equal((await env.call('demo', 'GET', `/servers/${id}`)).status, 404);
  });

  test('retries while the pod still has the server', async () => {
    const boot = await env.call('demo', 'POST', '/servers', {
      version: '2.37',
      body: { server: { name: 'lingering', imageRef: env.imageId, flavorRef: '1', networks: [{ uuid: netId }], availability_zone: 'az1' } },
    });
    const id = boot.body.server.id as string;
    await waitForStatus(env, 'demo', id, ['ACTIVE']);
    const created = await admin('POST', '/v1.0/jobs', { job: { type: 'server_cleanup', project_id: env.projects.demo, resource: { id } } });
    const jobId = created.body.job.id as string;
    let job: { status: string; attempts: number; last_error?: string } = created.body.job;
    for (let i = 0; i < 100 && !(job.attempts >= 1 && job.status === 'NEW'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await admin('GET', `/v1.0/jobs/${jobId}`)).body.job;
    }
    assert.equal(job.status, 'NEW', 'waiting for its next attempt');
    assert.match(String(job.last_error), /still being deleted in pod Pod1/);
    assert.equal((await neutron('GET', `/ports?device_id=${id}`)).body.ports.length, 1, 'nothing removed while the server exists');
    assert.equal((await env.pod('Pod1', 'admin', 'DELETE', `/servers/${id}`)).status, 204);
    assert.equal((await waitForJob(jobId)).status, 'SUCCESS');
    assert.deepEqual((await neutron('GET', `/ports?device_id=${id}`)).body.ports, []);
  });
});
