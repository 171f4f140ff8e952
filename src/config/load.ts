import { readFileSync } from 'node:fs';
import { type Config, ConfigError, type ConfigKey, configSchema } from './schema.js';

export interface ConfigSources {
  /** Path of a JSON file whose keys are the schema's key names. */
  file?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags, as typed. */
  flags?: Partial<Record<ConfigKey, string | undefined>>;
}

const keys = Object.keys(configSchema) as ConfigKey[];

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`config file ${path} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  const unknownKeys = Object.keys(parsed).filter((k) => !(keys as string[]).includes(k));
  if (unknownKeys.length > 0) throw new ConfigError(`config file ${path} has unknown keys: ${unknownKeys.join(', ')}`);
  return parsed as Record<string, unknown>;
}

/** Builds the configuration: defaults <- config file <- environment <- flags. Validated once, frozen. */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const fromFile = sources.file ? readFile(sources.file) : {};
  const result: Record<string, unknown> = {};
  for (const name of keys) {
    const definition = configSchema[name];
    let value: unknown = definition.default;
    const fileValue = fromFile[name];
    if (fileValue !== undefined) value = definition.parse(String(fileValue), `${name} (config file)`);
    const envValue = env[definition.env];
    if (envValue !== undefined && envValue !== '') value = definition.parse(envValue, definition.env);
    const flagValue = sources.flags?.[name];
    if (flagValue !== undefined) value = definition.parse(flagValue, `--${name}`);
    result[name] = value;
  }
  if (result.metrics === 'token' && String(result.metricsToken).length < 32) {
    throw new ConfigError('LAPIS_METRICS=token needs LAPIS_METRICS_TOKEN of at least 32 characters');
  }
  return Object.freeze(result) as Config;
}
