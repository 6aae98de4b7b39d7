/**
 * Checks a detached OpenPGP signature with the system's gpg (present on
 * GitHub's ubuntu runners), in a throwaway keyring that holds only the
 * trusted key, and accepts it only when gpg reports a good signature made by
 * that key (its primary key or one of its subkeys).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ActionError, type Env } from '@img-mgr/kernel';

const execFileAsync = promisify(execFile);

/** The key a signature must come from. */
export interface TrustedKey {
  /** ASCII-armored public key. */
  armored: string;
  /** Its primary key fingerprint (40 hex digits, spaces allowed). */
  fingerprint: string;
}

/** A signature that does not verify; the message is one line. */
export class SignatureError extends ActionError {
  override readonly name = 'SignatureError';
}

interface GpgResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs gpg to its end; a non-zero exit is a result (gpg says why on stderr), not running at all is an error. */
async function gpg(binary: string, args: string[], env: Env): Promise<GpgResult> {
  try {
    const { stdout, stderr } = await execFileAsync(binary, args, { timeout: 60_000, env: { ...env, LC_ALL: 'C' } });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const failed = error as { code?: unknown; message?: string; stdout?: string; stderr?: string };
    if (failed.code === 'ENOENT') {
      throw new SignatureError(
        `${binary} is not installed; it is needed to check HashiCorp's signature on the Packer download ` +
          "(install gnupg, or put Packer on PATH and set packer-version to 'path')",
      );
    }
    if (typeof failed.code !== 'number')
      throw new SignatureError(`${binary} failed: ${String(failed.message ?? error).split('\n')[0] ?? ''}`);
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * Verifies `signaturePath` (detached) over `dataPath` against `key`.
 * Resolves when good; throws SignatureError naming `label` otherwise.
 */
export async function verifyDetachedSignature(
  dataPath: string,
  signaturePath: string,
  key: TrustedKey,
  options: { label: string; env: Env; gpgBinary?: string },
): Promise<void> {
  const binary = options.gpgBinary ?? 'gpg';
  const expected = key.fingerprint.replace(/\s+/g, '').toUpperCase();
  // A short path: gpg puts sockets in its home directory, and their paths have a length limit.
  const home = await mkdtemp(join(tmpdir(), 'gpg-'));
  try {
    const keyFile = join(home, 'trusted.asc');
    await writeFile(keyFile, key.armored);
    const common = ['--batch', '--no-tty', '--no-autostart', '--homedir', home];
    const imported = await gpg(binary, [...common, '--import', keyFile], options.env);
    if (imported.code !== 0)
      throw new SignatureError(`Cannot read the trusted signing key (gpg exit code ${imported.code})`);
    const verified = await gpg(
      binary,
      [...common, '--status-fd', '1', '--verify', signaturePath, dataPath],
      options.env,
    );
    const status = verified.stdout.split('\n').filter((line) => line.startsWith('[GNUPG:] '));
    const good = status.some((line) => line.startsWith('[GNUPG:] GOODSIG '));
    // VALIDSIG <signing key fpr> … <primary key fpr>
    const signers = status
      .filter((line) => line.startsWith('[GNUPG:] VALIDSIG '))
      .flatMap((line) => {
        const fields = line.split(' ');
        return [fields[2], fields[fields.length - 1]];
      });
    if (verified.code === 0 && good && signers.includes(expected)) return;
    throw new SignatureError(`${options.label} ${signatureProblem(status, expected)}; the download was refused`);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** What went wrong, from gpg's status lines. */
function signatureProblem(status: string[], expected: string): string {
  const has = (keyword: string): boolean =>
    status.some((line) => line.startsWith(`[GNUPG:] ${keyword} `) || line === `[GNUPG:] ${keyword}`);
  if (has('BADSIG')) return 'has a bad signature (the file was changed after it was signed)';
  if (has('EXPKEYSIG')) return 'is signed by an expired key';
  if (has('REVKEYSIG')) return 'is signed by a revoked key';
  if (has('ERRSIG') || has('NO_PUBKEY')) return `is not signed by the trusted key ${expected}`;
  if (has('NODATA')) return 'has a signature file that holds no OpenPGP signature';
  if (has('GOODSIG')) return `is signed by another key than ${expected}`;
  return 'has a signature that gpg could not verify';
}
