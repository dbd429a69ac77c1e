// What the verify tool and its probe agents say to each other (one JSON object per line).

/** The first word of the line an agent answers TCP connections with; the host's label follows. */
export const BANNER = 'tricircle-probe';

export interface ProbeRequest {
  id: number;
  op: 'ping' | 'tcp';
  host: string;
  port?: number;
  /** Local address to send from. */
  source?: string;
  timeoutMs?: number;
}

export interface ProbeResult {
  ok: boolean;
  /** "1/1 replies", "connected", "ECONNREFUSED", "timed out", ... */
  detail: string;
  /** TCP: the line the other side answered with. */
  banner?: string;
}
