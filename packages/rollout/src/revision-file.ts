/**
 * The revision file: a small JSON file that the app's configuration step
 * writes into the app's `static/` folder, so that Flask itself serves it at
 * `/static/img-mgr.json`, on an instance and on the local preview alike. It
 * says which app revision answered a request (and, on an instance, from which
 * AMI), which is how a rollout is seen to have reached the front door.
 *
 * The parser is strict on purpose: whatever answers at that path is someone
 * else's input (an old revision, a proxy's error page, another app), and a
 * smoke test must not mistake it for a revision.
 */
import { KernelError } from '@img-mgr/kernel';

/** The file's name inside the app's `static/` folder. */
export const REVISION_FILE_NAME = 'img-mgr.json';

/** The URL path Flask serves it at, relative to the app's base URL. */
export const REVISION_FILE_PATH = `/static/${REVISION_FILE_NAME}`;

/** What the app serves at `/static/img-mgr.json`. */
export interface RevisionFile {
  /** The app revision that was baked (the commit of the app's repository). */
  appRevision: string;
  /** The bake's fingerprint (what decides whether a bake can be skipped), when the bake had one. */
  fingerprint?: string;
  /** The AMI the instance booted from; written at boot, so absent on the local preview. */
  amiId?: string;
}

/** The largest revision file accepted: it holds three short strings. */
export const MAX_REVISION_FILE_BYTES = 4096;

/** At most this many characters of printable ASCII, for the app revision and the fingerprint. */
const MAX_VALUE_LENGTH = 200;
const PRINTABLE = /^[\x21-\x7e]+$/;
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;
const KEYS: ReadonlySet<string> = new Set(['appRevision', 'fingerprint', 'amiId']);

/** A body at the revision file's path that is not a revision file; the message says why, in one line. */
export class RevisionFileError extends KernelError {
  override readonly name = 'RevisionFileError';
  readonly kind = 'failed';
  constructor(readonly problem: string) {
    super(`the revision file${problem.startsWith("'") ? `'s ${problem}` : ` ${problem}`}`);
  }
}

/**
 * Reads a revision file's text: a JSON object with a non-empty
 * `appRevision`, an optional `fingerprint` (printable, at most 200
 * characters each) and an optional `amiId` (`ami-` and 8 or 17 hex digits),
 * nothing else. Throws RevisionFileError, which never repeats the text.
 */
export function parseRevisionFile(text: string): RevisionFile {
  if (Buffer.byteLength(text, 'utf8') > MAX_REVISION_FILE_BYTES)
    throw new RevisionFileError(`is larger than ${MAX_REVISION_FILE_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RevisionFileError('is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RevisionFileError('is not a JSON object');
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !KEYS.has(key));
  if (unknown.length > 0)
    throw new RevisionFileError(
      `has ${unknown.length === 1 ? 'a field' : 'fields'} it may not have: ` +
        `${unknown
          .slice(0, 3)
          .map((key) => JSON.stringify(key.slice(0, 40)))
          .join(', ')}` +
        ' (only appRevision, fingerprint, amiId)',
    );
  const appRevision = printableField(record, 'appRevision', true);
  const fingerprint = printableField(record, 'fingerprint', false);
  const amiId = record.amiId;
  if (amiId !== undefined && (typeof amiId !== 'string' || !AMI_ID.test(amiId)))
    throw new RevisionFileError("'amiId' is not an AMI id (ami- and 8 or 17 hex digits)");
  return {
    appRevision: appRevision ?? '',
    ...(fingerprint !== undefined ? { fingerprint } : {}),
    ...(amiId !== undefined ? { amiId } : {}),
  };
}

function printableField(record: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = record[field];
  if (value === undefined) {
    if (required) throw new RevisionFileError(`has no '${field}'`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE_LENGTH || !PRINTABLE.test(value))
    throw new RevisionFileError(`'${field}' is not 1 to ${MAX_VALUE_LENGTH} printable characters without blanks`);
  return value;
}

/**
 * The file's text as the configuration step writes it (one JSON object and
 * a newline), checked by the parser first, so nothing is written that a
 * smoke test would refuse.
 */
export function formatRevisionFile(file: RevisionFile): string {
  const checked = parseRevisionFile(JSON.stringify(file));
  return `${JSON.stringify(checked)}\n`;
}

/** The revision as messages print it: 12 characters and an ellipsis when longer. */
export function shortRevision(revision: string): string {
  return revision.length > 12 ? `${revision.slice(0, 12)}…` : revision;
}
