import type { Readable } from 'node:stream';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/**
 * Who a pod call is made for. A RequestContext fits; a job worker passes only request ids and calls
 * with `asAdmin`. Without `authToken` the service token is used.
 */
export interface BottomCallContext {
  readonly authToken?: string;
  readonly requestId: string;
  readonly globalRequestId?: string;
  /** Fills `$(project_id)s` in Nova/Cinder endpoint URLs when the call uses the caller's token. */
  readonly projectId?: string;
}

/** Values of a query string; arrays repeat the key (`id=a&id=b`), undefined values are left out. */
export type QueryValue = string | number | boolean | readonly (string | number | boolean)[] | undefined;
export type Query = Record<string, QueryValue> | URLSearchParams;

export interface CallOptions {
  /** Use the `[client]` service account's token instead of the caller's. */
  asAdmin?: boolean;
  /** Deadline for the whole call (connect, retries, body) in ms; default `[client] pod_timeout`. */
  timeoutMs?: number;
  /** Microversion, sent in the service's version headers (Nova, Cinder). */
  microversion?: string;
  /** Project for the endpoint URL, when it differs from the token's. */
  projectId?: string;
  /** Extra request headers (lower-case names). */
  headers?: Record<string, string>;
}

export interface RawRequest extends CallOptions {
  method: HttpMethod;
  /** Path below the service's endpoint URL, starting with `/`; may carry its own query string. */
  path: string;
  query?: Query;
  /** Sent as is; must be replayable, so no streams. */
  body?: Buffer | Uint8Array | string;
}

export interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  /** The pod's body, byte for byte. */
  body: Buffer;
  /** The endpoint URL the call went to (for rewriting links that point at the pod). */
  baseUrl: string;
}

/** A JSON object as the pods send it; wrappers name the fields they rely on. */
export type JsonObject = Record<string, unknown>;

/** A bulk-data call (`BottomClient.stream`): the body may be a stream; it is sent once, never replayed. */
export interface StreamRequest extends Omit<CallOptions, 'microversion'> {
  method: 'GET' | 'PUT';
  path: string;
  body?: Readable | Buffer;
}

export interface StreamResponse {
  status: number;
  headers: ResponseHeaders;
  /** The pod's body, unread: consume or destroy it. */
  body: Readable;
}
