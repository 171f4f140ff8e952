import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

/**
 * The baseline of P1: a bare `node:http` server answering every request with the bytes and content type Lapis sent
 * for the measured request, read from the file named on the command line. Prints its URL, then serves until killed.
 */
const [file, contentType] = process.argv.slice(2);
if (!file || !contentType) throw new Error('usage: raw-server.ts <body file> <content type>');
const body = readFileSync(file);
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(JSON.stringify({ url: `http://127.0.0.1:${address.port}` }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
