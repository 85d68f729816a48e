import pino from 'pino';

/**
 * One pino logger. Redaction is the last line of defence: code must not log secrets or a
 * minor's personal data in the first place (see README, "Logging").
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'silent' : 'info'),
  base: { app: 'baoxue' },
  redact: {
    paths: [
      'secret',
      'token',
      'aesKey',
      'access_token',
      '*.secret',
      '*.token',
      '*.aesKey',
      '*.phone',
      '*.address',
      'phone',
      'address',
    ],
    censor: '[redacted]',
  },
});

export type Logger = typeof logger;
