import { z } from 'zod';

/**
 * Environment configuration. WeCom credentials are all-or-nothing: none set means sandbox
 * mode (generated credentials, in-process fake WeCom API); some set is a configuration error.
 */
const WECOM_KEYS = [
  'WECOM_CORP_ID',
  'WECOM_AGENT_ID',
  'WECOM_SECRET',
  'WECOM_TOKEN',
  'WECOM_AES_KEY',
] as const;

const dataKey = z
  .string()
  .regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters (AES-256 key)')
  .optional();

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  MONGODB_URI: z.string().url().optional(),
  WECOM_CORP_ID: z.string().min(1).optional(),
  WECOM_AGENT_ID: z.string().regex(/^\d+$/, 'must be the numeric AgentId').optional(),
  WECOM_SECRET: z.string().min(1).optional(),
  WECOM_TOKEN: z.string().min(1).optional(),
  WECOM_AES_KEY: z.string().length(43, 'must be exactly 43 characters').optional(),
  WECOM_API_BASE: z.string().url().default('https://qyapi.weixin.qq.com'),
  BAOXUE_DATA_KEY: dataKey,
  /** The previous data key while rotating it (`npm run rekey`); read, never written. */
  BAOXUE_DATA_KEY_OLD: dataKey,
  BAOXUE_PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof schema>;

export interface WecomCredentials {
  corpId: string;
  agentId: string;
  secret: string;
  token: string;
  aesKey: string;
}

export class ConfigError extends Error {}

export function parseEnv(source: NodeJS.ProcessEnv): Env & { sandbox: boolean } {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = result.data;
  const present = WECOM_KEYS.filter((k) => env[k] !== undefined);
  if (present.length > 0 && present.length < WECOM_KEYS.length) {
    const missing = WECOM_KEYS.filter((k) => env[k] === undefined);
    throw new ConfigError(
      `Invalid configuration: WeCom credentials are partly set. Missing: ${missing.join(', ')}. ` +
        'Set all of them for production, or none for sandbox mode.',
    );
  }
  if (present.length === WECOM_KEYS.length && !env.BAOXUE_DATA_KEY) {
    throw new ConfigError(
      'Invalid configuration: BAOXUE_DATA_KEY (64 hex characters) is required in production ' +
        'to encrypt personal data at rest.',
    );
  }
  return { ...env, sandbox: present.length === 0 };
}

export function credentialsFrom(env: Env): WecomCredentials | undefined {
  if (!env.WECOM_CORP_ID) return undefined;
  return {
    corpId: env.WECOM_CORP_ID,
    agentId: env.WECOM_AGENT_ID!,
    secret: env.WECOM_SECRET!,
    token: env.WECOM_TOKEN!,
    aesKey: env.WECOM_AES_KEY!,
  };
}
