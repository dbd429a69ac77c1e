import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stderr (stdout belongs to CLI output); credentials are redacted wherever they appear. */
export function createLogger(level = 'info', name = 'tricircle'): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: ['*.authToken', '*.token', '*.password', 'headers["x-auth-token"]', 'headers["x-subject-token"]', '*.headers["x-auth-token"]'],
        censor: '***',
      },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
