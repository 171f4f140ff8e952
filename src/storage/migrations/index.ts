import { foundation } from './001-foundation.js';
import type { LapisMigration } from './dialect.js';

/** Every migration, in order. Append only: a released migration never changes. */
export const migrations: readonly LapisMigration[] = [foundation];
