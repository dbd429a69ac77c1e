/** What every module shares: API errors and fault bodies, the service app, logging, metrics, request ids, small JSON helpers. */
export { ApiError, badRequest, conflict, faultBody, forbidden, notFound, serviceUnavailable, unprocessable, type FaultStyle } from './errors.js';
export { createServiceApp, sendFault, type ServiceAppOptions } from './http.js';
export { isJsonObject, objectsIn, parseJsonObject } from './jsonTypes.js';
export { createLogger, silentLogger, type Logger } from './logging.js';
export { ExpiringLru } from './lru.js';
export { Metrics } from './metrics.js';
export { acceptGlobalRequestId, newRequestId } from './requestIds.js';
export { optionalQueryInt, type Json } from './validate.js';
