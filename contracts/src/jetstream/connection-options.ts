/**
 * NATS authentication and TLS from the environment, shared by every Herald process (gateway, each
 * plugin, all-in-one, CLI). The variables are part of each process's env schema (`natsEnvShape`,
 * checked together by `refineNatsEnv`), so they are parsed once at start with the others and a bad
 * one is named in the same error; `natsSecurityFromEnv` turns them into `NatsSecurity`, and
 * `natsConnectionOptions` into the client's connection options.
 *
 * At most one authentication method: user + password, token, NKey seed (inline or file), or a
 * `.creds` file (JWT + seed). TLS is required when a server URL is `tls://…` or any TLS file is
 * set; the CA file replaces the system trust store for the server certificate, and a client
 * certificate needs its key. Files are checked at start (a missing file is named with its variable)
 * and read again on every (re)connect, so rotated credentials and certificates are picked up.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import {
  credsAuthenticator,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
  type Authenticator,
  type ConnectionOptions,
} from '@nats-io/transport-node';
import { z } from 'zod';
import { parseEnv } from '../sdk/parse-env.js';

/** How a process authenticates to NATS. */
export type NatsAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'user_password'; readonly user: string; readonly password: string }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'nkey'; readonly seed: string }
  | { readonly kind: 'nkey_file'; readonly file: string }
  | { readonly kind: 'creds_file'; readonly file: string };

/** TLS towards NATS; file paths are read on every connect. */
export interface NatsTls {
  /** `NATS_TLS_CA_FILE`: PEM CA bundle that signs the server certificate. @default system trust store */
  readonly caFile?: string;
  /** `NATS_TLS_CERT_FILE`: PEM client certificate (with `keyFile`), for servers that verify clients. */
  readonly certFile?: string;
  /** `NATS_TLS_KEY_FILE`: PEM private key of the client certificate. */
  readonly keyFile?: string;
}

/** Authentication and TLS for one NATS connection. */
export interface NatsSecurity {
  readonly auth: NatsAuth;
  /** `undefined`: TLS only when the server requires it. */
  readonly tls: NatsTls | undefined;
}

/** No credentials, no TLS demanded (the default). */
export const NO_NATS_SECURITY: NatsSecurity = { auth: { kind: 'none' }, tls: undefined };

/** Variables whose values never appear in a configuration error (a URL may carry `user:password@`). */
export const NATS_SECRET_VARIABLES = ['NATS_URL', 'NATS_PASSWORD', 'NATS_TOKEN', 'NATS_NKEY_SEED'] as const;

const NATS_SERVER = /^((nats|tls|ws|wss):\/\/)?[^\s,/]+(:\d+)?\/?$/;
/** A user NKey seed: "SU" + 56 base32 characters. */
const USER_SEED = /^SU[A-Z2-7]{56}$/;

function fileProblem(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return `"${path}" is not a file`;
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `no file at "${path}"` : `cannot read "${path}" (${code ?? (error as Error).message})`;
  }
}

/** A path to a readable file; `what` says what the file must hold. */
const readableFile = (what: string) =>
  z.string().superRefine((path, ctx) => {
    const problem = fileProblem(path);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${problem}: it must name ${what}`, input: path });
  });

/** The NATS variables, to spread into a process's env object schema. */
export const natsEnvShape = {
  NATS_URL: z
    .string()
    .refine((value) => value.split(',').every((server) => NATS_SERVER.test(server.trim())), {
      error: 'must be one or more comma-separated NATS server URLs, e.g. "nats://127.0.0.1:4222" or "tls://nats.example:4222"',
    })
    .default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  NATS_TOKEN: z.string().optional(),
  NATS_NKEY_SEED: z
    .string()
    .transform((value) => value.trim())
    .refine((value) => USER_SEED.test(value), {
      error: 'must be a user NKey seed: "SU" followed by 56 base32 characters (`nsc` or `nk -gen user`)',
    })
    .optional(),
  NATS_NKEY_SEED_FILE: readableFile('a file holding a user NKey seed (SU…)')
    .refine((path) => fileProblem(path) !== undefined || USER_SEED.test(readFileSync(path, 'utf8').trim()), {
      error: 'the file must hold a user NKey seed: "SU" followed by 56 base32 characters',
    })
    .optional(),
  NATS_CREDS_FILE: readableFile('a NATS .creds file (user JWT and NKey seed, from `nsc generate creds`)').optional(),
  NATS_TLS_CA_FILE: readableFile('a PEM CA certificate bundle').optional(),
  NATS_TLS_CERT_FILE: readableFile('a PEM client certificate').optional(),
  NATS_TLS_KEY_FILE: readableFile('the PEM private key of NATS_TLS_CERT_FILE').optional(),
};

type NatsEnvFields = {
  readonly NATS_URL: string;
  readonly NATS_USER?: string | undefined;
  readonly NATS_PASSWORD?: string | undefined;
  readonly NATS_TOKEN?: string | undefined;
  readonly NATS_NKEY_SEED?: string | undefined;
  readonly NATS_NKEY_SEED_FILE?: string | undefined;
  readonly NATS_CREDS_FILE?: string | undefined;
  readonly NATS_TLS_CA_FILE?: string | undefined;
  readonly NATS_TLS_CERT_FILE?: string | undefined;
  readonly NATS_TLS_KEY_FILE?: string | undefined;
};

/** Cross-variable checks; pass to `.superRefine` of the object schema that spreads `natsEnvShape`. */
export function refineNatsEnv(e: NatsEnvFields, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string): void => ctx.addIssue({ code: 'custom', path: [path], message });
  if (e.NATS_USER !== undefined && e.NATS_PASSWORD === undefined) issue('NATS_PASSWORD', 'must be set with NATS_USER');
  if (e.NATS_PASSWORD !== undefined && e.NATS_USER === undefined) issue('NATS_USER', 'must be set with NATS_PASSWORD');
  if (e.NATS_NKEY_SEED !== undefined && e.NATS_NKEY_SEED_FILE !== undefined)
    issue('NATS_NKEY_SEED_FILE', 'set either NATS_NKEY_SEED or NATS_NKEY_SEED_FILE, not both');
  const methods: Array<[variable: string, label: string]> = [];
  if (e.NATS_USER !== undefined || e.NATS_PASSWORD !== undefined) methods.push(['NATS_USER', 'NATS_USER/NATS_PASSWORD']);
  if (e.NATS_TOKEN !== undefined) methods.push(['NATS_TOKEN', 'NATS_TOKEN']);
  if (e.NATS_NKEY_SEED !== undefined) methods.push(['NATS_NKEY_SEED', 'NATS_NKEY_SEED']);
  else if (e.NATS_NKEY_SEED_FILE !== undefined) methods.push(['NATS_NKEY_SEED_FILE', 'NATS_NKEY_SEED_FILE']);
  if (e.NATS_CREDS_FILE !== undefined) methods.push(['NATS_CREDS_FILE', 'NATS_CREDS_FILE']);
  for (const [variable] of methods.slice(1))
    issue(variable, `set one NATS authentication method only; got ${methods.map(([, label]) => label).join(', ')}`);
  if (e.NATS_TLS_CERT_FILE !== undefined && e.NATS_TLS_KEY_FILE === undefined)
    issue('NATS_TLS_KEY_FILE', 'must be set with NATS_TLS_CERT_FILE');
  if (e.NATS_TLS_KEY_FILE !== undefined && e.NATS_TLS_CERT_FILE === undefined)
    issue('NATS_TLS_CERT_FILE', 'must be set with NATS_TLS_KEY_FILE');
}

/** `NatsSecurity` from env values already checked by `natsEnvShape` + `refineNatsEnv`. */
export function natsSecurityFromEnv(e: NatsEnvFields): NatsSecurity {
  const auth: NatsAuth =
    e.NATS_USER !== undefined && e.NATS_PASSWORD !== undefined
      ? { kind: 'user_password', user: e.NATS_USER, password: e.NATS_PASSWORD }
      : e.NATS_TOKEN !== undefined
        ? { kind: 'token', token: e.NATS_TOKEN }
        : e.NATS_NKEY_SEED !== undefined
          ? { kind: 'nkey', seed: e.NATS_NKEY_SEED }
          : e.NATS_NKEY_SEED_FILE !== undefined
            ? { kind: 'nkey_file', file: e.NATS_NKEY_SEED_FILE }
            : e.NATS_CREDS_FILE !== undefined
              ? { kind: 'creds_file', file: e.NATS_CREDS_FILE }
              : { kind: 'none' };
  const tlsUrl = e.NATS_URL.split(',').some((server) => server.trim().toLowerCase().startsWith('tls://'));
  const files = e.NATS_TLS_CA_FILE !== undefined || e.NATS_TLS_CERT_FILE !== undefined || e.NATS_TLS_KEY_FILE !== undefined;
  const tls: NatsTls | undefined =
    tlsUrl || files
      ? {
          ...(e.NATS_TLS_CA_FILE === undefined ? {} : { caFile: e.NATS_TLS_CA_FILE }),
          ...(e.NATS_TLS_CERT_FILE === undefined ? {} : { certFile: e.NATS_TLS_CERT_FILE }),
          ...(e.NATS_TLS_KEY_FILE === undefined ? {} : { keyFile: e.NATS_TLS_KEY_FILE }),
        }
      : undefined;
  return { auth, tls };
}

/** The NATS URL and security of a process that reads no other variable (the CLI). */
export function loadNatsEnv(
  env: Readonly<Record<string, string | undefined>>,
  subject: string,
): { readonly url: string; readonly security: NatsSecurity } {
  const e = parseEnv(z.object(natsEnvShape).superRefine(refineNatsEnv), env, { subject, secrets: NATS_SECRET_VARIABLES });
  return { url: e.NATS_URL, security: natsSecurityFromEnv(e) };
}

function readSeed(file: string): Uint8Array {
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}

function authenticator(auth: NatsAuth): Authenticator | undefined {
  switch (auth.kind) {
    case 'none':
      return undefined;
    case 'user_password':
      return usernamePasswordAuthenticator(auth.user, auth.password);
    case 'token':
      return tokenAuthenticator(auth.token);
    case 'nkey':
      return nkeyAuthenticator(new TextEncoder().encode(auth.seed));
    case 'nkey_file':
      return nkeyAuthenticator(() => readSeed(auth.file));
    case 'creds_file':
      return credsAuthenticator(() => readFileSync(auth.file));
  }
}

/** The client options for `security`; `tls` is set (TLS required) when any server URL is `tls://`. */
export function natsConnectionOptions(servers: readonly string[], security: NatsSecurity = NO_NATS_SECURITY): Partial<ConnectionOptions> {
  const tlsUrl = servers.some((server) => server.toLowerCase().startsWith('tls://'));
  const tls = security.tls ?? (tlsUrl ? {} : undefined);
  const auth = authenticator(security.auth);
  return { ...(auth === undefined ? {} : { authenticator: auth }), ...(tls === undefined ? {} : { tls }) };
}
