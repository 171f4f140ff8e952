import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { AccessTokens } from '../../src/services/access-tokens.js';
import { SigningKeys } from '../../src/services/signing-keys.js';
import { SigningKeyFile } from '../../src/storage/signing-key-file.js';
import { movableClock } from '../support/clock.js';

const issuer = 'https://lapis.example.test';
const subject = {
  issuer,
  userId: '6f1c1a3e-0000-4000-8000-000000000001',
  appId: '6f1c1a3e-0000-4000-8000-000000000002',
  authorizationId: '6f1c1a3e-0000-4000-8000-000000000003',
  scopes: ['vso.build'],
};

function part(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('access tokens and signing keys', () => {
  const clock = movableClock();
  let file: string;
  let keys: SigningKeys;
  let tokens: AccessTokens;
  beforeEach(() => {
    clock.set('2026-06-01T12:00:00.000Z');
    file = join(mkdtempSync(join(tmpdir(), 'lapis-keys-')), 'oauth-keys.json');
    keys = new SigningKeys(new SigningKeyFile(file), clock, 0);
    tokens = new AccessTokens(keys, clock);
  });

  it('signs ES256 JWTs with the claims Bearer checks need, and verifies them', async () => {
    const { token, expiresIn } = await tokens.sign(subject);
    expect(expiresIn).toBe(3600);
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: expect.any(String) });
    expect(payload).toMatchObject({
      iss: issuer,
      aud: 'urn:lapis:api',
      sub: subject.userId,
      scp: 'vso.build',
      aid: subject.authorizationId,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      exp: payload.iat + 3600,
    });
    expect(await tokens.verify(token, issuer)).toMatchObject({ status: 'valid', claims: { scopes: ['vso.build'] } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await keys.publicJwks())[0]).not.toHaveProperty('d');
  });

  it('refuses alg none, whatever the signature part holds', async () => {
    const { token } = await tokens.sign(subject);
    const payload = token.split('.')[1];
    expect((await tokens.verify(`${part({ alg: 'none', typ: 'JWT' })}.${payload}.`, issuer)).status).toBe('invalid');
    expect((await tokens.verify(`${part({ alg: 'none', typ: 'JWT' })}.${payload}.AAAA`, issuer)).status).toBe('invalid');
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const { token } = await tokens.sign(subject);
    const [headerPart, payload] = token.split('.');
    const kid = JSON.parse(Buffer.from(headerPart ?? '', 'base64url').toString()).kid;
    const publicJwk = (await keys.publicJwks())[0];
    for (const secret of [JSON.stringify(publicJwk), readFileSync(file, 'utf8')]) {
      const header = part({ alg: 'HS256', typ: 'JWT', kid });
      const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      expect((await tokens.verify(`${header}.${payload}.${signature}`, issuer)).status).toBe('invalid');
    }
  });

  it('refuses tokens signed by a key outside the set, under a known or an unknown kid', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const [known] = await keys.list();
    for (const kid of ['stranger', known?.kid ?? '']) {
      const forged = await new SignJWT({ scp: 'app_token', aid: subject.authorizationId })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(issuer)
        .setAudience('urn:lapis:api')
        .setSubject(subject.userId)
        .setJti('x')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
      expect((await tokens.verify(forged, issuer)).status).toBe('invalid');
    }
  });

  it('refuses a tampered payload, a wrong issuer or audience, and expired tokens', async () => {
    const { token } = await tokens.sign(subject);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const tampered = `${header}.${part({ ...claims, scp: 'app_token' })}.${signature}`;
    expect((await tokens.verify(tampered, issuer)).status).toBe('invalid');
    expect((await tokens.verify(token, 'https://elsewhere.test')).status).toBe('invalid');
    expect((await tokens.verify('not a jwt', issuer)).status).toBe('invalid');

    const { kid, key } = await keys.signingKey();
    const otherAudience = await new SignJWT({ scp: 'vso.build', aid: subject.authorizationId })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(issuer)
      .setAudience('https://management.example.test')
      .setSubject(subject.userId)
      .setJti('x')
      .setIssuedAt(clock.now())
      .setExpirationTime(new Date(clock.now().getTime() + 60_000))
      .sign(key);
    expect((await tokens.verify(otherAudience, issuer)).status).toBe('invalid');

    clock.advance(3600_000);
    expect((await tokens.verify(token, issuer)).status).toBe('expired');
  });

  it('keeps a retired key verifying after rotation, and drops it on request', async () => {
    const old = await tokens.sign(subject);
    const rotation = await keys.rotate({ dropRetired: false });
    expect(rotation.retired).toHaveLength(1);
    expect(rotation.dropped).toEqual([]);
    const fresh = await tokens.sign(subject);
    const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).kid;
    expect(kidOf(fresh.token)).toBe(rotation.active);
    expect(kidOf(old.token)).toBe(rotation.retired[0]);
    expect((await tokens.verify(old.token, issuer)).status).toBe('valid');
    expect((await keys.publicJwks()).map((k) => k.kid)).toEqual([rotation.active, rotation.retired[0]]);

    const dropped = await keys.rotate({ dropRetired: true });
    expect(dropped.dropped).toEqual(expect.arrayContaining([rotation.active, rotation.retired[0]]));
    expect((await tokens.verify(old.token, issuer)).status).toBe('invalid');
    expect((await tokens.verify(fresh.token, issuer)).status).toBe('invalid');
    expect(await keys.list()).toHaveLength(1);
  });

  it('drops retired keys at the next rotation once their tokens have expired', async () => {
    const first = await keys.rotate({ dropRetired: false });
    clock.advance(3600_000 + 5 * 60_000 + 1);
    const second = await keys.rotate({ dropRetired: false });
    expect(second.dropped).toEqual(first.retired);
    expect((await keys.list()).map((k) => k.kid)).toEqual([second.active, first.active]);
  });

  it('picks up a rotation made by another process through the key file', async () => {
    const other = new SigningKeys(new SigningKeyFile(file), clock, 0);
    const before = await tokens.sign(subject);
    const rotation = await other.rotate({ dropRetired: false });
    const after = await tokens.sign(subject);
    expect(JSON.parse(Buffer.from(after.token.split('.')[0] ?? '', 'base64url').toString()).kid).toBe(rotation.active);
    expect((await new AccessTokens(other, clock).verify(before.token, issuer)).status).toBe('valid');
  });
});
