import type { EnumTable } from './enums.js';

/** ProjectState with its wire numbers; `all` and `unchanged` are filter values, never a project's state. */
export const projectStateNumbers = {
  deleting: 2,
  new: 0,
  wellFormed: 1,
  createPending: 3,
  all: -1,
  unchanged: -2,
  deleted: 4,
} as const satisfies EnumTable<string>;

export const projectVisibilityNumbers = { private: 0, public: 2 } as const satisfies EnumTable<string>;

export const operationStatusNumbers = {
  notSet: 0,
  queued: 1,
  inProgress: 2,
  cancelled: 3,
  succeeded: 4,
  failed: 5,
} as const satisfies EnumTable<string>;

export const processTypeNumbers = { system: 0, custom: 1, inherited: 2 } as const satisfies EnumTable<string>;

export const deploymentFlagNumbers = { none: 0, hosted: 1, onPremises: 2 } as const satisfies EnumTable<string>;

export const collectionStateNumbers = { started: 0, stopped: 1, deleted: 2 } as const satisfies EnumTable<string>;

export const relativeToSettings = { context: 0, webApplication: 2, fullyQualified: 3 } as const satisfies EnumTable<string>;

export const serviceStatuses = { assigned: 0, active: 1, moving: 2 } as const satisfies EnumTable<string>;

export const inheritLevels = {
  none: 0,
  deployment: 1,
  account: 2,
  collection: 4,
  all: 7,
} as const satisfies EnumTable<string>;

export const accountStatusNumbers = {
  none: 0,
  enabled: 1,
  disabled: 2,
  deleted: 3,
  moved: 4,
} as const satisfies EnumTable<string>;

export const accountTypeNumbers = { personal: 0, organization: 1 } as const satisfies EnumTable<string>;
