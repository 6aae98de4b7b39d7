/** `tags`: KEY=VALUE items or a JSON map/list. A malformed tag is an error, never dropped. */
import {
  hasUrlCredentials,
  InvalidRequestError,
  JsonSyntaxError,
  parseStrictJson,
  KeyValueSyntaxError,
  parseKeyValues,
  quoteWhole,
  URL_CREDENTIALS_PROBLEM,
} from '@img-mgr/kernel';

export interface StackTag {
  Key: string;
  Value: string;
}

/** The request field (DeployRequest.tags) that errors name. */
const FIELD = 'tags';

/** Parses the tags input; an empty input gives an empty list. */
export function parseTags(text: string): StackTag[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (hasUrlCredentials(trimmed)) throw new InvalidRequestError(FIELD, URL_CREDENTIALS_PROBLEM);
  const tags = trimmed.startsWith('{') || trimmed.startsWith('[') ? jsonTags(trimmed) : itemTags(trimmed);
  const seen = new Set<string>();
  for (const tag of tags) {
    checkTag(tag);
    if (seen.has(tag.Key)) throw new InvalidRequestError(FIELD, `sets the tag ${quoteWhole(tag.Key)} more than once`);
    seen.add(tag.Key);
  }
  return tags;
}

/** KEY=VALUE items in the kernel's grammar; errors name an item by its place. */
function itemTags(text: string): StackTag[] {
  try {
    return parseKeyValues(text).map((item) => ({ Key: item.key, Value: item.value }));
  } catch (error: unknown) {
    throw error instanceof KeyValueSyntaxError ? new InvalidRequestError(FIELD, error.problem) : error;
  }
}

function jsonTags(text: string): StackTag[] {
  let data: unknown;
  try {
    // A key given twice is refused: JSON.parse would keep its last value silently.
    data = parseStrictJson(text);
  } catch (error: unknown) {
    throw error instanceof JsonSyntaxError ? new InvalidRequestError(FIELD, error.problem) : error;
  }
  if (Array.isArray(data)) {
    return data.map((entry: unknown, index) => {
      const record = entry as Record<string, unknown> | null;
      if (typeof record?.Key !== 'string' || typeof record.Value !== 'string') {
        throw new InvalidRequestError(FIELD, `entry ${index + 1} needs a string Key and a string Value`);
      }
      return { Key: record.Key, Value: record.Value };
    });
  }
  if (data && typeof data === 'object') {
    return Object.entries(data as Record<string, unknown>).map(([key, value]) => {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new InvalidRequestError(FIELD, `gives the tag ${quoteWhole(key)} a value that is not a string`);
      }
      return { Key: key, Value: String(value) };
    });
  }
  throw new InvalidRequestError(FIELD, 'must be KEY=VALUE items, a JSON map or a JSON list of {Key, Value}');
}

/** CloudFormation's limits: key 1-128 characters, not starting with aws:, value at most 256. */
function checkTag(tag: StackTag): void {
  if (tag.Key.trim() === '' || tag.Key.length > 128) {
    throw new InvalidRequestError(FIELD, `has the tag key ${quoteWhole(tag.Key)}; a key has 1 to 128 characters`);
  }
  if (/^aws:/i.test(tag.Key))
    throw new InvalidRequestError(
      FIELD,
      `has the tag key ${quoteWhole(tag.Key)}; keys starting with 'aws:' are reserved`,
    );
  if (tag.Value.length > 256)
    throw new InvalidRequestError(FIELD, `gives the tag ${quoteWhole(tag.Key)} a value longer than 256 characters`);
}
