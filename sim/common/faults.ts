import { SimServiceError, type SimFaults } from '../types.js';

const NUMERIC: Record<'latencyMs' | 'errorRate' | 'hangMs' | 'createAnswerDelayMs', { max: number }> = {
  latencyMs: { max: Number.MAX_SAFE_INTEGER },
  errorRate: { max: 1 },
  hangMs: { max: Number.MAX_SAFE_INTEGER },
  createAnswerDelayMs: { max: Number.MAX_SAFE_INTEGER },
};

/** Validates a partial fault setting (from the control endpoint or the command line). */
export function parseFaultPatch(body: unknown): Partial<SimFaults> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SimServiceError(400, 'Fault settings must be a JSON object');
  }
  const out: Partial<SimFaults> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'down') {
      if (typeof value !== 'boolean') throw new SimServiceError(400, "'down' must be a boolean");
      out.down = value;
    } else if (key in NUMERIC) {
      const k = key as keyof typeof NUMERIC;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > NUMERIC[k].max) {
        throw new SimServiceError(400, `'${key}' must be a number between 0 and ${NUMERIC[k].max}`);
      }
      out[k] = value;
    } else {
      throw new SimServiceError(400, `Unknown fault setting '${key}' (expected latencyMs, errorRate, down, hangMs, createAnswerDelayMs)`);
    }
  }
  return out;
}
