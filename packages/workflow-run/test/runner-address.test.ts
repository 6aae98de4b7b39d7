/**
 * The runner's public address as Packer's only SSH source: a stand-in for
 * checkip.amazonaws.com answers each request with the next of `answers`.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findRunnerAddress, parseAddressAnswer } from '../src/index.js';

let answers: [number, string][] = [];
let requests = 0;
let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((_request, response) => {
    requests++;
    const [status, body] = answers.shift() ?? [500, 'no answer left'];
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
});
afterAll(() => server.close());
afterEach(() => {
  answers = [];
  requests = 0;
});

const noWait = { delayMs: () => 1 };
const failure = async (run: Promise<unknown>): Promise<string> => {
  const error = await run.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof Error)) throw new Error('the lookup did not fail');
  expect(error.message.split('\n')).toHaveLength(1);
  return error.message;
};

describe("the runner's public address", () => {
  it('one IPv4 address, with or without a line break', async () => {
    answers = [[200, '203.0.113.7\n']];
    expect(await findRunnerAddress(url)).toBe('203.0.113.7');
    expect(parseAddressAnswer('198.51.100.23\r\n')).toBe('198.51.100.23');
  });

  it.each([
    ['an octet over 255', '256.1.1.1\n'],
    ['three octets', '1.2.3\n'],
    ['a leading zero', '01.2.3.4\n'],
    ['an IPv6 address', '2001:db8::1\n'],
    ['two addresses', '203.0.113.7, 198.51.100.1\n'],
    ['a second line', '203.0.113.7\n198.51.100.1\n'],
    ['a CIDR already', '0.0.0.0/0\n'],
    ['a proxy page', '<html><body>Please log in</body></html>'],
    ['nothing', ''],
  ])('refuses %s with one line (never 0.0.0.0/0)', async (_name, body) => {
    answers = [[200, body]];
    expect(await failure(findRunnerAddress(url))).toMatch(
      new RegExp(
        /^http:\/\/127\.0\.0\.1:\d+\/ answered '.*', which is not one IPv4 address; /.source +
          /the bake stops rather than open Packer's SSH port to 0\.0\.0\.0\/0\.$/.source,
      ),
    );
  });

  it('retries a failed lookup (bounded, logged), then fails with one line', async () => {
    answers = [
      [503, 'busy'],
      [503, 'busy'],
      [503, 'busy'],
    ];
    const log: string[] = [];
    const message = await failure(findRunnerAddress(url, { ...noWait, log: (line) => log.push(line) }));
    expect(requests).toBe(3);
    expect(message).toMatch(
      new RegExp(
        /^Could not find this runner's public IPv4 address at http:\/\/127\.0\.0\.1:\d+\/ /.source +
          /after 3 attempts \(.*503.*\); the bake stops/.source,
      ),
    );
    expect(log).toEqual([
      expect.stringMatching(/^Attempt 1 of 3 .* retrying in [\d.]+ s\.$/),
      expect.stringMatching(/^Attempt 2 of 3 .* retrying in [\d.]+ s\.$/),
    ]);
  });

  it('waits 1-3 s between attempts by default, and succeeds when a retry answers', async () => {
    answers = [
      [503, 'busy'],
      [200, '198.51.100.23\r\n'],
    ];
    const log: string[] = [];
    expect(await findRunnerAddress(url, { log: (line) => log.push(line) })).toBe('198.51.100.23');
    expect(log).toEqual([expect.stringMatching(/retrying in [1-3] s\.$/)]);
  }, 20_000);

  it('fails when nothing listens there, with the reason', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const address = closed.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    closed.close();
    expect(await failure(findRunnerAddress(`http://127.0.0.1:${port}/`, noWait))).toMatch(
      /^Could not find this runner's public IPv4 address at .* after 3 attempts \(fetch failed: .*ECONNREFUSED/,
    );
  });
});
