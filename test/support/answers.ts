import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface Answer {
  method: string;
  /** Without the query string. */
  path: string;
  status: number;
}

/** Records every answer a listening server gives, so a suite can check what a real client asked for. */
export function recordAnswers(server: Server): Answer[] {
  const answers: Answer[] = [];
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    response.on('finish', () => {
      answers.push({
        method: request.method ?? '',
        path: (request.url ?? '').split('?', 1)[0] ?? '',
        status: response.statusCode,
      });
    });
  });
  return answers;
}
