import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/http/server.js';
import { logCapture, testApp, testConfig } from '../support/app.js';
import { backends } from '../support/backends.js';

const [sqlite] = backends();

describe('HTTP server basics', () => {
  afterAll(() => sqlite!.cleanup());

  it('answers /_health with 200 while the store answers and 503 naming the database once it is gone', async () => {
    const store = await sqlite!.open();
    const { app } = await testApp(store);
    const ok = await app.inject({ method: 'GET', url: '/_health' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok', database: { status: 'up' } });
    await store.close();
    const gone = await app.inject({ method: 'GET', url: '/_health' });
    expect(gone.statusCode).toBe(503);
    expect(gone.headers['retry-after']).toBe('5');
    expect(gone.json()).toEqual({ status: 'unavailable', database: { status: 'down' } });
    await app.close();
  });

  it('gives every request an id and writes one log line per request without the query string', async () => {
    const store = await sqlite!.open();
    const { app, logs } = await testApp(store);
    await app.inject({ method: 'GET', url: '/_health?code=secret-value', headers: { authorization: 'Basic c2VjcmV0' } });
    const lines = logs.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const requestLines = lines.filter((l) => l.msg === 'request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({ method: 'GET', path: '/_health', status: 200 });
    expect(requestLines[0]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.lines().join('\n')).not.toMatch(/secret|c2VjcmV0/);
    await app.close();
  });

  it('answers unknown routes with a 404 Azure DevOps error envelope', async () => {
    const store = await sqlite!.open();
    const { app } = await testApp(store);
    const response = await app.inject({ method: 'GET', url: '/nowhere/_apis/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({
      $id: '1',
      innerException: null,
      typeKey: 'NotFoundException',
      errorCode: 0,
      eventId: 3000,
    });
    await app.close();
  });

  it('turns unexpected errors into a generic 500 naming the request id, logs them, and leaks nothing', async () => {
    const logs = logCapture();
    const app = createServer({ config: testConfig(), logStream: logs.stream });
    app.get('/boom', async () => {
      throw new Error('database password is hunter2');
    });
    app.post('/echo', async (request) => request.body);
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    const body = response.json() as { message: string; typeKey: string };
    expect(body.typeKey).toBe('InternalServerErrorException');
    expect(body.message).toMatch(/^An unexpected error occurred \(request [0-9a-f-]{36}\)\.$/);
    expect(response.body).not.toMatch(/hunter2|at .+\.ts/);
    expect(logs.lines().some((l) => l.includes('hunter2'))).toBe(true);

    const badJson = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toMatchObject({ message: 'The request body is not valid JSON.' });
    const wrongType = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/x-thing' },
      payload: 'x',
    });
    expect(wrongType.statusCode).toBe(415);
    const tooBig = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(2_000_000) }),
    });
    expect(tooBig.statusCode).toBe(413);
    await app.close();
  });
});
