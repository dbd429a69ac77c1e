import type { BottomClient } from './client.js';
import { BottomError } from './errors.js';
import type { BottomCallContext, CallOptions, JsonObject, Query } from './types.js';

/** The usual OpenStack REST shapes (`{"<key>s": [...]}`, `{"<key>": {...}}`) over one BottomClient. */
export abstract class ServiceApi {
  constructor(readonly http: BottomClient) {}

  protected async listOf<T>(ctx: BottomCallContext, path: string, key: string, query?: Query, opts?: CallOptions): Promise<T[]> {
    const body = await this.http.json<JsonObject>(ctx, 'GET', path, { ...opts, query });
    const items = body?.[key];
    if (!Array.isArray(items)) throw this.unexpected('GET', path, key);
    return items as T[];
  }

  protected async one<T>(ctx: BottomCallContext, method: 'GET' | 'POST' | 'PUT', path: string, key: string, body?: unknown, opts?: CallOptions): Promise<T> {
    const answer = await this.http.json<JsonObject>(ctx, method, path, { ...opts, body });
    const item = answer?.[key];
    if (item === null || typeof item !== 'object') throw this.unexpected(method, path, key);
    return item as T;
  }

  /** A call whose answer is returned as is (undefined when empty). */
  protected call<T>(ctx: BottomCallContext, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, opts?: CallOptions): Promise<T> {
    return this.http.json<T>(ctx, method, path, { ...opts, body });
  }

  protected async remove(ctx: BottomCallContext, path: string, opts?: CallOptions): Promise<void> {
    await this.http.json(ctx, 'DELETE', path, opts);
  }

  private unexpected(method: string, path: string, key: string): BottomError {
    const { regionName } = this.http.pod;
    return new BottomError(regionName, this.http.serviceType, 502, `Pod ${regionName} answered ${method} ${path.split('?', 1)[0]} without "${key}".`, undefined, undefined);
  }
}

/** A path segment from an id or name. */
export const seg = (id: string): string => encodeURIComponent(id);
