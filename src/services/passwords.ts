/** Loaded by the first password hashed or checked: a server only answering tokens never loads it (a native module). */
let argon2: Promise<typeof import('@node-rs/argon2')> | undefined;
const loadArgon2 = () => {
  argon2 ??= import('@node-rs/argon2');
  return argon2;
};

// OWASP's argon2id baseline: 19 MiB memory, 2 iterations, 1 lane (about 17 ms per hash on this class of machine).
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 /* Argon2id */ } as const;

export async function hashPassword(password: string): Promise<string> {
  return (await loadArgon2()).hash(password, options);
}

/** Constant-time inside argon2; a malformed stored hash counts as a mismatch. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await (await loadArgon2()).verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A password check against a hash nobody owns, so unknown users cost the same time as known ones. */
let decoyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  decoyHash ??= hashPassword('lapis-decoy-password');
  await verifyPassword(await decoyHash, password);
}
