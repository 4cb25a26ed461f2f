/**
 * A form generated from a JSON Schema object (a channel's registered configuration schema): one
 * labelled control per property — text, number, checkbox, or a select for `enum` — with the
 * schema's `title`/`description` as label and hint. Secret fields (`writeOnly: true` or listed in
 * `secretFields`) are password inputs that never show the stored value: left empty they are not
 * sent, so the stored secret is kept.
 */
import { useState } from 'preact/hooks';

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly title?: string;
  readonly description?: string;
  readonly properties?: Record<string, JsonSchema>;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly writeOnly?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface SchemaFormProps {
  readonly id: string;
  readonly schema: JsonSchema;
  /** Current values; a secret shows as `{ configured: boolean }`. */
  readonly values: Record<string, unknown>;
  readonly secretFields?: readonly string[];
  readonly submitLabel: string;
  /** Saves the values; `true` once saved, and the secret fields empty again (their values are never shown). */
  readonly onSubmit: (values: Record<string, unknown>) => Promise<boolean>;
}

function kindOf(schema: JsonSchema): string {
  const types: readonly string[] = typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []);
  const type = types.find((t) => t !== 'null');
  if (schema.enum) return 'enum';
  return typeof type === 'string' ? type : 'string';
}

/** A control's text for a value: scalars as they print, anything else as JSON. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

export function SchemaForm(props: SchemaFormProps) {
  const properties = Object.entries(props.schema.properties ?? {});
  const secrets = new Set(props.secretFields ?? []);
  const isSecret = (name: string, schema: JsonSchema) => schema.writeOnly === true || secrets.has(name);
  const initial: Record<string, unknown> = {};
  for (const [name, schema] of properties) {
    if (isSecret(name, schema)) initial[name] = '';
    else initial[name] = props.values[name] ?? schema.default ?? (kindOf(schema) === 'boolean' ? false : '');
  }
  const [values, setValues] = useState(initial);
  const set = (name: string, value: unknown) => setValues((v) => ({ ...v, [name]: value }));

  const submit = async (event: Event) => {
    event.preventDefault();
    const out: Record<string, unknown> = {};
    for (const [name, schema] of properties) {
      const value = values[name];
      if (isSecret(name, schema) && value === '') continue;
      const kind = kindOf(schema);
      if ((kind === 'number' || kind === 'integer') && value !== '') out[name] = Number(value);
      else if (value === '' && !(props.schema.required ?? []).includes(name)) continue;
      else out[name] = value;
    }
    if (!(await props.onSubmit(out))) return;
    // a saved secret is not kept in the page: its field empties (left empty, the stored value stays)
    setValues((current) => {
      const next = { ...current };
      for (const [name, schema] of properties) if (isSecret(name, schema)) next[name] = '';
      return next;
    });
  };

  return (
    <form class="schema-form" onSubmit={(event) => void submit(event)}>
      {properties.map(([name, schema]) => {
        const id = `${props.id}-${name}`;
        const label = schema.title ?? name;
        const hintId = schema.description === undefined ? undefined : `${id}-hint`;
        const kind = kindOf(schema);
        const secret = isSecret(name, schema);
        const configured = secret && (props.values[name] as { configured?: boolean } | undefined)?.configured === true;
        const hint =
          hintId === undefined ? null : (
            <span class="hint" id={hintId}>
              {schema.description}
            </span>
          );
        if (kind === 'boolean') {
          return (
            <div class="field check" key={name}>
              <input
                type="checkbox"
                id={id}
                checked={values[name] === true}
                aria-describedby={hintId}
                onChange={(e) => set(name, e.currentTarget.checked)}
              />
              <label for={id}>{label}</label>
              {hint}
            </div>
          );
        }
        return (
          <div class="field" key={name}>
            <label for={id}>
              {label}
              {secret ? (
                <span class="hint"> (secret, write-only{configured ? ': a value is stored; leave empty to keep it' : ''})</span>
              ) : null}
            </label>
            {kind === 'enum' ? (
              <select id={id} value={text(values[name])} aria-describedby={hintId} onChange={(e) => set(name, e.currentTarget.value)}>
                {(schema.enum ?? []).map((option) => (
                  <option key={String(option)} value={String(option)}>
                    {String(option)}
                  </option>
                ))}
              </select>
            ) : secret ? (
              <input
                type="password"
                id={id}
                autoComplete={secret ? 'new-password' : 'off'}
                value={text(values[name])}
                min={schema.minimum}
                max={schema.maximum}
                aria-describedby={hintId}
                required={(props.schema.required ?? []).includes(name) && !secret}
                onInput={(e) => set(name, e.currentTarget.value)}
              />
            ) : kind === 'number' || kind === 'integer' ? (
              <input
                type="number"
                id={id}
                autoComplete={secret ? 'new-password' : 'off'}
                value={text(values[name])}
                min={schema.minimum}
                max={schema.maximum}
                aria-describedby={hintId}
                required={(props.schema.required ?? []).includes(name) && !secret}
                onInput={(e) => set(name, e.currentTarget.value)}
              />
            ) : (
              <input
                type="text"
                id={id}
                autoComplete={secret ? 'new-password' : 'off'}
                value={text(values[name])}
                min={schema.minimum}
                max={schema.maximum}
                aria-describedby={hintId}
                required={(props.schema.required ?? []).includes(name) && !secret}
                onInput={(e) => set(name, e.currentTarget.value)}
              />
            )}
            {hint}
          </div>
        );
      })}
      <button type="submit">{props.submitLabel}</button>
    </form>
  );
}

/**
 * A schema describing the settings a channel's configuration view shows, for channels that
 * registered no schema: each field's type is taken from its current value, and a field shown as
 * `{ configured }` is a write-only secret.
 */
export function schemaFromSettings(settings: Record<string, unknown>): { schema: JsonSchema; secretFields: string[] } {
  const properties: Record<string, JsonSchema> = {};
  const secretFields: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value === 'object' && value !== null && 'configured' in value) {
      properties[name] = { type: 'string', writeOnly: true };
      secretFields.push(name);
    } else if (typeof value === 'number') properties[name] = { type: 'number' };
    else if (typeof value === 'boolean') properties[name] = { type: 'boolean' };
    else properties[name] = { type: 'string' };
  }
  return { schema: { type: 'object', properties }, secretFields };
}
