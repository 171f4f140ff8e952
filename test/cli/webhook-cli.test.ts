import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lapis } from '../support/cli.js';

describe('lapis webhook', () => {
  it('adds, lists and removes a webhook, shows deliveries and sets what a leak report does', async () => {
    const env = { LAPIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'lapis-cli-webhook-')) };
    expect((await lapis(['migrate'], env)).status).toBe(0);
    expect((await lapis(['user', 'add', 'alice'], env)).status).toBe(0);
    expect((await lapis(['org', 'add', 'contoso', '--owner', 'alice'], env)).status).toBe(0);

    const short = await lapis(['webhook', 'add', '--org', 'contoso', '--url', 'https://hooks.example.test/x'], env, 'short\n');
    expect(short.status).not.toBe(0);
    expect(short.stderr).toContain('A webhook secret must be 16 to 256 printable characters.');

    const add = await lapis(
      ['webhook', 'add', '--org', 'contoso', '--url', 'https://hooks.example.test/x', '--events', 'token.leaked', '--json'],
      env,
      'a long enough signing secret\n',
    );
    expect(add.status).toBe(0);
    const added = JSON.parse(add.stdout) as { id: string; events: string[]; createdBy: string };
    expect(added).toMatchObject({ events: ['token.leaked'], createdBy: 'CLI' });
    expect(add.stdout).not.toContain('a long enough signing secret');

    const list = JSON.parse((await lapis(['webhook', 'list', '--org', 'contoso', '--json'], env)).stdout);
    expect(list).toEqual([
      expect.objectContaining({ id: added.id, url: 'https://hooks.example.test/x', events: 'token.leaked' }),
    ]);
    expect((await lapis(['webhook', 'deliveries', '--org', 'contoso'], env)).stdout).toContain('No deliveries.');

    const report = await lapis(['webhook', 'leaks', 'report', '--org', 'contoso'], env);
    expect(report.stdout).toContain('Leaked tokens of contoso: reported only');
    const wrong = await lapis(['webhook', 'leaks', 'ignore', '--org', 'contoso'], env);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('mode must be "revoke" or "report"');

    expect((await lapis(['webhook', 'remove', added.id, '--org', 'contoso'], env)).status).toBe(0);
    expect((await lapis(['webhook', 'list', '--org', 'contoso'], env)).stdout).toContain('No webhooks.');
    const again = await lapis(['webhook', 'remove', added.id, '--org', 'contoso'], env);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('has no webhook with the id');
  });
});
