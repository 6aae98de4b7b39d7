/**
 * A git remote on loopback HTTPS that refuses a push the way GitHub does when
 * the push authenticates with a GitHub App token (the workflow's GITHUB_TOKEN
 * is one) that may not write workflows: a ref update that moves a ref to a
 * commit whose `.github/workflows/` differs from the ref's old commit is
 * declined with GitHub's words. A plain bare remote has no such rule, so a
 * release that moves `v1` past a workflow change would pass there and fail on
 * GitHub.
 *
 * The credential travels as GitHub expects it, an `Authorization: basic`
 * header for `x-access-token:<token>`, and the server knows which tokens may
 * write workflows. Behind it runs git's own smart-HTTP server (git
 * http-backend), whose update hook applies the rule to each ref: a push
 * without --atomic lands the other refs, an atomic one lands nothing. The
 * certificate is made for this server only; a client trusts it through
 * GIT_SSL_CAINFO.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a token may do, as the App installation's permissions grant it. */
export interface TokenGrant {
  /** The `workflows: write` permission. */
  workflows: boolean;
}

export interface GitHubRemote {
  /** The repository's https:// URL, as `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}.git`. */
  url: string;
  /** The bare repository behind it, for reading refs without credentials. */
  gitDir: string;
  /** Environment a git client needs to trust the server's certificate. */
  clientEnv: Record<string, string>;
  close(): Promise<void>;
}

const REPOSITORY = 'octo/img-mgr-actions.git';

/**
 * GitHub's rule, as an update hook: it judges each ref on its own, as GitHub
 * does (without --atomic the other refs of the push land), and the server
 * tells it whether the push's token may write workflows.
 */
const UPDATE_HOOK = `#!/usr/bin/env bash
ref="$1" old="$2" new="$3"
zero=0000000000000000000000000000000000000000
[[ "$old" == "$zero" || "$new" == "$zero" || "$TOKEN_MAY_WRITE_WORKFLOWS" == true ]] && exit 0
workflow="$(git diff --name-only "$old" "$new" -- .github/workflows | head -n1)"
[[ -z "$workflow" ]] && exit 0
tick='\`'
echo "error: refusing to allow a GitHub App to create or update workflow $tick$workflow$tick" \\
  "without \${tick}workflows\${tick} permission ($ref)"
exit 1
`;

/** The token of a `basic` Authorization header for user x-access-token, as git sends it. */
function tokenOf(request: IncomingMessage): string | undefined {
  const match = /^basic (\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const [user, token] = Buffer.from(match[1], 'base64').toString('utf8').split(':');
  return user === 'x-access-token' ? token : undefined;
}

/** Runs git http-backend as a CGI program for one request. */
async function serveGit(
  request: IncomingMessage,
  response: ServerResponse,
  projectRoot: string,
  grant: TokenGrant,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'https://localhost');
  const backend = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH ?? '',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REMOTE_USER: 'x-access-token',
      REQUEST_METHOD: request.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
      TOKEN_MAY_WRITE_WORKFLOWS: String(grant.workflows),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  request.pipe(backend.stdin);
  const chunks: Buffer[] = [];
  backend.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(backend, 'close');
  const output = Buffer.concat(chunks);
  const end = output.indexOf('\r\n\r\n');
  const headers = output.subarray(0, end).toString('latin1').split('\r\n');
  let status = 200;
  for (const line of headers) {
    const [name = '', ...rest] = line.split(':');
    const value = rest.join(':').trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else response.setHeader(name, value);
  }
  response.writeHead(status).end(output.subarray(end + 4));
}

/** A self-signed certificate for 127.0.0.1, made with openssl in `dir`. */
function makeCertificate(dir: string): { key: string; cert: string; certFile: string } {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

/**
 * Starts the remote on a free loopback port with an empty repository.
 * `tokens` are the tokens it accepts and what each may do; any other
 * request gets 401, as GitHub answers a private repository.
 */
export async function startGitHubRemote(tokens: Record<string, TokenGrant>): Promise<GitHubRemote> {
  const dir = mkdtempSync(join(tmpdir(), 'img-mgr-github-'));
  const projectRoot = join(dir, 'repositories');
  const gitDir = join(projectRoot, REPOSITORY);
  mkdirSync(gitDir, { recursive: true });
  execFileSync('git', ['init', '--quiet', '--bare', gitDir]);
  execFileSync('git', ['-C', gitDir, 'config', 'http.receivepack', 'true']);
  writeFileSync(join(gitDir, 'hooks', 'update'), UPDATE_HOOK);
  chmodSync(join(gitDir, 'hooks', 'update'), 0o755);
  const { key, cert, certFile } = makeCertificate(dir);

  const server: Server = createServer({ key, cert }, (request, response) => {
    const grant = tokens[tokenOf(request) ?? ''];
    if (!grant) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"' }).end();
      return;
    }
    serveGit(request, response, projectRoot, grant).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `https://127.0.0.1:${port}/${REPOSITORY}`,
    gitDir,
    clientEnv: { GIT_SSL_CAINFO: certFile, GIT_TERMINAL_PROMPT: '0' },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
