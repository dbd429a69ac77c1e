/**
 * Job handlers of the whole project. Each module below registers its types with
 * registerJobHandler() at top level; add one import line per module. The services import this file
 * (through ./module.ts), so every process knows every type: workers to run them, the admin API to list
 * and create them.
 */
import '../network/reconcile/job.js';
import '../network/l3/jobs.js';
import '../nova/servers/cleanupJob.js';

export {};
