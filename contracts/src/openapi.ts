/**
 * The OpenAPI 3.1 document of every HTTP API served on the gateway's port (the gateway's own
 * routes and the plugins' APIs mounted beside them), built from the zod schemas the routes
 * validate with (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is): no shape
 * is written twice.
 *
 * Invariant: every operation answers errors in one shape (`errorBodySchema`); the statuses an
 * operation can fail with are derived from what it takes (input → 400, a token → 401 and 403, a
 * path id → 404, a body → 413 and 415) plus the ones it names in `errors`.
 */
import { z } from 'zod';
import { MAX_EVENT_ID_LENGTH } from './envelope.js';
import { MAX_PATH_ID_LENGTH, PATH_ID_PATTERN } from './request-limits.js';

/** One problem with a request, as every error body lists them in `details`. */
export const validationIssueSchema = z
  .object({
    path: z.string().describe('Dotted path of the offending field, e.g. `data.recipients[1]`; "" for the whole input'),
    message: z.string().describe('What is wrong'),
    expected: z.string().optional().describe('The expected form, when one can be stated'),
  })
  .describe('One problem with the request');

/** Body of every 4xx and 5xx answer of every Herald HTTP API (SPEC §7). */
export const errorBodySchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().describe('Stable code to branch on: validation_failed, unauthorized, forbidden, not_found, conflict, …'),
      message: z.string().describe('What went wrong and how to fix it'),
      details: z.array(validationIssueSchema).describe('One entry per problem (empty when there is nothing more to say)'),
    }),
  })
  .describe('The one error shape of every Herald HTTP API');

/** A path id: what every `{id}` path parameter accepts (the gateway's `PathIdPipe`, the plugins' checks). */
export const pathIdSchema = z.string().min(1).max(MAX_PATH_ID_LENGTH).regex(PATH_ID_PATTERN);

/** An event id in a path (`{eventId}`): 1 to `MAX_EVENT_ID_LENGTH` characters, no control characters. */
export const eventIdPathSchema = z
  .string()
  .min(1)
  .max(MAX_EVENT_ID_LENGTH)
  .regex(/^[^\u0000-\u001f\u007f]+$/);

/** `{ items, next_cursor }`: one page of a list; `next_cursor` is `null` on the last page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.strictObject({
    items: z.array(item),
    next_cursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page'),
  });
}

/** Who may call an operation. `user`: an admin token, or a user token acting on its own user. */
export type ApiAccess = 'public' | 'admin' | 'user';

export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** A response: its schema (JSON), or a described body of another media type; `null` for no body. */
export type ApiResponseDoc =
  | z.ZodType
  | null
  | { readonly description: string; readonly schema?: z.ZodType; readonly contentType?: string; readonly example?: string };

/** What a route says about itself; the method, path and access come from where it is registered. */
export interface ApiRouteDoc {
  readonly summary: string;
  readonly description?: string;
  /** The query the route validates with (each property a parameter). */
  readonly query?: z.ZodObject;
  /** Path parameter schemas; a parameter not named here is a path id (`pathIdSchema`). */
  readonly params?: Readonly<Record<string, z.ZodType>>;
  /** The request body the route validates with (JSON unless `bodyContentType` says otherwise). */
  readonly body?: z.ZodType;
  /** The body's media type. @default "application/json" */
  readonly bodyContentType?: string;
  /** Success statuses and their bodies. */
  readonly responses: Readonly<Partial<Record<number, ApiResponseDoc>>>;
  /** Error statuses besides those derived from what the route takes (e.g. 409, 422, 503). */
  readonly errors?: readonly number[];
}

/** A documented operation. `path` is Express style (`/api/v1/users/:id`). */
export interface ApiOperation extends ApiRouteDoc {
  readonly method: HttpMethod;
  readonly path: string;
  readonly access: ApiAccess;
  readonly tag: string;
}

export interface OpenApiOptions {
  readonly title: string;
  readonly version: string;
  readonly description: string;
  readonly operations: readonly ApiOperation[];
  /** Tag descriptions, in the order they should be shown. */
  readonly tags?: readonly { readonly name: string; readonly description: string }[];
}

type Json = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
  400: 'Invalid input: `details` names every bad field',
  401: 'Missing, unknown or revoked bearer token',
  403: 'The token may not do this (a user token acting on another user, or on an admin-only operation)',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Request body too large',
  415: 'Request body is not JSON',
  422: 'The request was understood but cannot be carried out',
  503: 'A dependency is unavailable; retry later',
};

/** Express `:name` segments → OpenAPI `{name}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function pathParameterNames(expressPath: string): string[] {
  return [...expressPath.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
}

/** JSON Schema 2020-12 of a zod schema, as an OpenAPI 3.1 Schema Object. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return rest;
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };

type SchemaOf = (schema: z.ZodType, io: 'input' | 'output') => Json;

/**
 * `jsonSchemaOf` for one document: the `$defs` zod emits (recursive or shared parts, e.g. JSON
 * values) move to `components.schemas`, since `#` in an OpenAPI document is the document's root.
 */
function componentCollector(): { schemaOf: SchemaOf; schemas: Record<string, Json> } {
  const schemas: Record<string, Json> = {};
  const names = new Map<string, string>();
  const schemaOf: SchemaOf = (schema, io) => {
    const { $defs, ...rest } = jsonSchemaOf(schema, io);
    const definitions = Object.entries(($defs ?? {}) as Record<string, Json>);
    const renames = definitions.map(([local, definition]) => {
      const key = JSON.stringify(definition);
      const name = names.get(key) ?? `Shared${names.size + 1}`;
      const added = !names.has(key);
      names.set(key, name);
      return { local, name, definition, added };
    });
    const rewrite = (value: Json): Json => {
      let text = JSON.stringify(value);
      for (const { local, name } of renames) text = text.replaceAll(`"#/$defs/${local}"`, `"#/components/schemas/${name}"`);
      return JSON.parse(text) as Json;
    };
    for (const { name, definition, added } of renames) if (added) schemas[name] = rewrite(definition);
    return rewrite(rest);
  };
  return { schemaOf, schemas };
}

function responseObject(status: number, doc: ApiResponseDoc | undefined, schemaOf: SchemaOf): Json {
  const description = STATUS_TEXT[status] ?? `Status ${status}`;
  if (doc === null || doc === undefined) return { description };
  if (doc instanceof z.ZodType) return { description, content: { 'application/json': { schema: schemaOf(doc, 'output') } } };
  const contentType = doc.contentType ?? 'application/json';
  const schema = doc.schema ? schemaOf(doc.schema, 'output') : { type: 'string' };
  return { description: doc.description, content: { [contentType]: { schema, ...(doc.example ? { example: doc.example } : {}) } } };
}

function errorStatuses(operation: ApiOperation): number[] {
  const statuses = new Set<number>(operation.errors ?? []);
  const hasPathParams = pathParameterNames(operation.path).length > 0;
  if (operation.query || operation.body || hasPathParams) statuses.add(400);
  if (operation.access !== 'public') {
    statuses.add(401);
    statuses.add(403);
  }
  if (hasPathParams) statuses.add(404);
  if (operation.body) {
    statuses.add(413);
    statuses.add(415);
  }
  return [...statuses].sort((a, b) => a - b);
}

const ACCESS_TEXT: Record<ApiAccess, string> = {
  public: 'No token needed.',
  admin: 'Needs an admin token.',
  user: 'An admin token, or a user token acting on its own user.',
};

function operationObject(operation: ApiOperation, schemaOf: SchemaOf): Json {
  const parameters: Json[] = pathParameterNames(operation.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: schemaOf(operation.params?.[name] ?? pathIdSchema, 'input'),
  }));
  if (operation.query) {
    const shape = operation.query.shape as Record<string, z.ZodType>;
    const required = new Set((schemaOf(operation.query, 'input')['required'] as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries(shape)) {
      const { description, ...rest } = schemaOf(schema, 'input');
      parameters.push({
        name,
        in: 'query',
        required: required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  const responses: Json = {};
  for (const [status, doc] of Object.entries(operation.responses)) responses[status] = responseObject(Number(status), doc, schemaOf);
  for (const status of errorStatuses(operation)) {
    responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
  }
  responses['default'] = { $ref: '#/components/responses/Error' };
  return {
    operationId: `${operation.method}${openApiPath(operation.path)
      .replace(/^\/api\/v1/, '')
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((part) => part[0]!.toUpperCase() + part.slice(1))
      .join('')}`,
    summary: operation.summary,
    description: [operation.description, ACCESS_TEXT[operation.access]].filter(Boolean).join('\n\n'),
    tags: [operation.tag],
    'x-herald-access': operation.access,
    security: operation.access === 'public' ? [] : [{ bearer: [] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { [operation.bodyContentType ?? 'application/json']: { schema: schemaOf(operation.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of `operations`. Throws when two operations share a method and path. */
export function openApiDocument(options: OpenApiOptions): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const { schemaOf, schemas } = componentCollector();
  const errorStatusesUsed = new Set<number>();
  for (const operation of options.operations) {
    const path = openApiPath(operation.path);
    const item = (paths[path] ??= {});
    if (item[operation.method]) throw new Error(`OpenAPI: ${operation.method.toUpperCase()} ${path} is documented twice`);
    item[operation.method] = operationObject(operation, schemaOf);
    for (const status of errorStatuses(operation)) errorStatusesUsed.add(status);
  }
  const responses: Json = {
    Error: { description: 'Unexpected error (500)', content: { 'application/json': { schema: ERROR_REF } } },
  };
  for (const status of [...errorStatusesUsed].sort((a, b) => a - b)) {
    responses[`Error${status}`] = {
      description: STATUS_TEXT[status] ?? `Status ${status}`,
      content: { 'application/json': { schema: ERROR_REF } },
    };
  }
  const tagNames = [...new Set(options.operations.map((o) => o.tag))];
  const described = new Map((options.tags ?? []).map((t) => [t.name, t.description]));
  return {
    openapi: '3.1.1',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: { title: options.title, version: options.version, description: options.description },
    tags: tagNames.map((name) => ({ name, ...(described.has(name) ? { description: described.get(name) } : {}) })),
    paths,
    components: {
      schemas: { Error: schemaOf(errorBodySchema, 'output'), ValidationIssue: schemaOf(validationIssueSchema, 'output'), ...schemas },
      responses,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token: `Authorization: Bearer <token>`. Admin tokens (`npx herald token create`, or the value of ' +
            '`HERALD_ADMIN_TOKEN`) may call every operation. A user token (`npx herald token create --user <id>`) may ' +
            'call only the operations marked `x-herald-access: user`, acting on its own user; anything else answers 403.',
        },
      },
    },
  };
}
