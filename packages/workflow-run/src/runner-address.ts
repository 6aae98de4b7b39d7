/**
 * This runner's public IPv4 address, so that Packer's temporary security
 * group admits SSH from this runner only (ssh_source_cidr = <address>/32).
 * The answer is checked strictly (four decimal octets 0-255, at most a line
 * break after them): when the service does not answer or answers anything
 * else, the bake stops, and never falls back to Packer's 0.0.0.0/0.
 */
import { ActionError, errorMessage, sleep } from '@img-mgr/kernel';

/** Where the workflow asks. */
export const CHECKIP_URL = 'https://checkip.amazonaws.com';

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Only printable ASCII, at most `max` characters: for an answer quoted in an error line. */
function printable(text: string, max: number): string {
  return text.replace(/[^\x20-\x7e]/g, '').slice(0, max);
}

/** The address in a checkip answer, or undefined when the answer is anything but one IPv4 address. */
export function parseAddressAnswer(body: string): string | undefined {
  const address = body.slice(0, 64).replace(/\n$/, '').replace(/\r$/, '');
  return IPV4.test(address) ? address : undefined;
}

export interface AddressLookupOptions {
  /** Attempts (default 3), each bounded by `timeoutMs` (default 10 s). */
  attempts?: number;
  timeoutMs?: number;
  /** Pause before retry n (default 1-3 s, jittered). */
  delayMs?: (attempt: number) => number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** Asks `url` for this runner's address; retries a failed request, logging each retry. Throws ActionError. */
export async function findRunnerAddress(url: string, options: AddressLookupOptions = {}): Promise<string> {
  const attempts = options.attempts ?? 3;
  const delayMs = options.delayMs ?? (() => 1_000 + Math.floor(Math.random() * 3) * 1_000);
  for (let attempt = 1; ; attempt++) {
    let body: string;
    try {
      body = await fetchText(url, options.timeoutMs ?? 10_000, options.signal);
    } catch (thrown: unknown) {
      if (options.signal?.aborted) throw thrown;
      const problem = printable(failureText(thrown), 200);
      if (attempt >= attempts) {
        throw new ActionError(
          `Could not find this runner's public IPv4 address at ${url} after ${attempts} attempts (${problem}); ` +
            "the bake stops rather than open Packer's SSH port to 0.0.0.0/0.",
        );
      }
      const delay = delayMs(attempt);
      options.log?.(
        `Attempt ${attempt} of ${attempts} to reach ${url} failed (${problem}); retrying in ${delay / 1000} s.`,
      );
      await sleep(delay, options.signal);
      continue;
    }
    const address = parseAddressAnswer(body);
    if (!address) {
      throw new ActionError(
        `${url} answered '${printable(body.slice(0, 64), 40)}', which is not one IPv4 address; ` +
          "the bake stops rather than open Packer's SSH port to 0.0.0.0/0.",
      );
    }
    return address;
  }
}

/** The body of a GET that answered 2xx; throws with the status or the network error otherwise. */
async function fetchText(url: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  const body = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  return body;
}

/** fetch's "fetch failed" with the reason under it (ECONNREFUSED, a timeout). */
function failureText(thrown: unknown): string {
  const cause = thrown instanceof Error && thrown.cause instanceof Error ? `: ${thrown.cause.message}` : '';
  return `${errorMessage(thrown)}${cause}`;
}
