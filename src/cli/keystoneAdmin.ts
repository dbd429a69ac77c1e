import { request } from 'undici';

/** The few Keystone admin calls the demo needs to register the top region's endpoints. */
export class KeystoneAdmin {
  constructor(
    private readonly v3Url: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await request(`${this.v3Url}${path}`, {
      method,
      headers: { 'x-auth-token': this.token, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`Keystone ${method} ${path}: HTTP ${res.statusCode} ${text}`);
    return JSON.parse(text) as T;
  }

  /** Adds a public endpoint of `type` in `region`, creating the service when it does not exist yet. */
  async addPublicEndpoint(region: string, type: string, name: string, url: string): Promise<void> {
    const { services } = await this.call<{ services: { id: string; type: string }[] }>('GET', `/services?type=${encodeURIComponent(type)}`);
    const serviceId =
      services.find((s) => s.type === type)?.id ?? (await this.call<{ service: { id: string } }>('POST', '/services', { service: { type, name, enabled: true } })).service.id;
    await this.call('POST', '/endpoints', { endpoint: { service_id: serviceId, interface: 'public', region_id: region, region, url, enabled: true } });
  }
}
