/**
 * Packer's machine-readable output (`-machine-readable`): one record per
 * line, `timestamp,target,type,data...`. Commas inside data are written as
 * `%!(PACKER_COMMA)`, newlines as a literal `\n` and carriage returns as `\r`.
 *
 * The parser is streaming: it is fed chunks as they arrive and keeps only the
 * unfinished last line and the artifact being assembled, so its memory does
 * not grow with the length of the log.
 */

/** One parsed record. `data` fields are unescaped. */
export interface MachineRecord {
  timestamp: number;
  /** The build the record belongs to ('' for global records such as `ui`). */
  target: string;
  type: string;
  data: string[];
}

/** A finished `artifact` record group (`artifact,<n>,<key>,<value>` … `artifact,<n>,end`). */
export interface PackerArtifact {
  build: string;
  index: number;
  builderId: string;
  id: string;
  string: string;
  files: string[];
}

/** A human-readable UI line (`ui,say|message|error,<text>`), one per text line. */
export interface UiLine {
  level: 'say' | 'message' | 'error';
  text: string;
  /** The build the line names (`==> amazon-ebs.app: …`), when it names one. */
  build?: string;
}

/** What the parser reports while reading. */
export interface ParserHandlers {
  onUi?: (line: UiLine) => void;
  onArtifact?: (artifact: PackerArtifact) => void;
  /** `<build>,error,<message>`: a build failed with this message. */
  onBuildError?: (build: string, message: string) => void;
  /** Every record, after the specific handlers. */
  onRecord?: (record: MachineRecord) => void;
  /** A line that is not a machine-readable record (Packer wrote plain text). */
  onPlainLine?: (line: string) => void;
}

const COMMA = '%!(PACKER_COMMA)';

/** Undoes Packer's escaping of one data field. */
export function unescapeField(field: string): string {
  if (!field.includes('%!') && !field.includes('\\')) return field;
  return field.split(COMMA).join(',').replace(/\\n/g, '\n').replace(/\\r/g, '\r');
}

/** Parses one line into a record; undefined when it is not one. */
export function parseRecord(line: string): MachineRecord | undefined {
  const first = line.indexOf(',');
  if (first <= 0) return undefined;
  const timestamp = Number(line.slice(0, first));
  if (!Number.isInteger(timestamp)) return undefined;
  const second = line.indexOf(',', first + 1);
  if (second < 0) return undefined;
  const third = line.indexOf(',', second + 1);
  const type = third < 0 ? line.slice(second + 1) : line.slice(second + 1, third);
  if (!/^[a-z][a-z0-9-]*$/.test(type)) return undefined;
  const data =
    third < 0
      ? []
      : line
          .slice(third + 1)
          .split(',')
          .map(unescapeField);
  return { timestamp, target: unescapeField(line.slice(first + 1, second)), type, data };
}

const BUILD_PREFIX = /^(?:==>|-->| {4}) ?([A-Za-z0-9_][A-Za-z0-9_.-]*): /;

/** The build a UI text line names: `==> amazon-ebs.app: …`, `    amazon-ebs.app: …`, `Build 'x' …`. */
export function buildOfUiText(text: string): string | undefined {
  const prefixed = BUILD_PREFIX.exec(text);
  if (prefixed) return prefixed[1];
  const quoted = /^Build '([^']+)' /.exec(text);
  return quoted?.[1];
}

/** Splits a stream of text chunks into lines, holding at most `maxLineChars` of an unfinished line. */
export class LineSplitter {
  private partial = '';
  private dropping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineChars = 1 << 20,
  ) {}

  /** Feeds a chunk; calls `onLine` for every complete line in it. */
  push(chunk: string): void {
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline >= 0; newline = chunk.indexOf('\n', start)) {
      this.append(chunk.slice(start, newline));
      const line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
      this.partial = '';
      this.dropping = false;
      this.onLine(line);
      start = newline + 1;
    }
    this.append(chunk.slice(start));
  }

  /** Flushes the last line when the stream ended without a newline. */
  end(): void {
    if (this.partial !== '') this.onLine(this.partial);
    this.partial = '';
    this.dropping = false;
  }

  /** Characters held for the unfinished line (bounded by `maxLineChars`). */
  get bufferedChars(): number {
    return this.partial.length;
  }

  private append(text: string): void {
    if (this.dropping || text === '') return;
    const room = this.maxLineChars - this.partial.length;
    if (text.length > room) {
      // A runaway line: keep its start, drop the rest, so memory stays bounded.
      this.partial += text.slice(0, Math.max(0, room));
      this.dropping = true;
      return;
    }
    this.partial += text;
  }
}

/**
 * Streaming parser of `packer … -machine-readable` output. Feed it with
 * `push(chunk)` and finish with `end()`.
 */
export class MachineReadableParser {
  private readonly lines: LineSplitter;
  private artifact: PackerArtifact | undefined;

  constructor(
    private readonly handlers: ParserHandlers,
    maxLineChars?: number,
  ) {
    this.lines = new LineSplitter((line) => this.line(line), maxLineChars);
  }

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  end(): void {
    this.lines.end();
  }

  /** Characters held between chunks; stays bounded whatever the log length. */
  get bufferedChars(): number {
    return this.lines.bufferedChars;
  }

  private line(line: string): void {
    if (line.trim() === '') return;
    const record = parseRecord(line);
    if (!record) {
      this.handlers.onPlainLine?.(line);
      return;
    }
    switch (record.type) {
      case 'ui':
        this.ui(record);
        break;
      case 'artifact':
        this.artifactField(record);
        break;
      case 'error':
        if (record.target) this.handlers.onBuildError?.(record.target, record.data.join(','));
        break;
      default:
        break;
    }
    this.handlers.onRecord?.(record);
  }

  private ui(record: MachineRecord): void {
    const [level, ...rest] = record.data;
    if (level !== 'say' && level !== 'message' && level !== 'error') return;
    const text = rest.join(',');
    // One record may carry several lines; "\n==> Wait completed" starts with an empty one.
    const textLines = text.replace(/^\n+|\n+$/g, '').split('\n');
    let build: string | undefined;
    for (const textLine of textLines) {
      build = buildOfUiText(textLine) ?? build;
      this.handlers.onUi?.(build === undefined ? { level, text: textLine } : { level, text: textLine, build });
    }
  }

  private artifactField(record: MachineRecord): void {
    const [indexText = '', key = '', ...rest] = record.data;
    const index = Number(indexText);
    const value = rest.join(',');
    if (!this.artifact || this.artifact.build !== record.target || this.artifact.index !== index) {
      this.artifact = { build: record.target, index, builderId: '', id: '', string: '', files: [] };
    }
    const artifact = this.artifact;
    switch (key) {
      case 'builder-id':
        artifact.builderId = value;
        break;
      case 'id':
        artifact.id = value;
        break;
      case 'string':
        artifact.string = value;
        break;
      case 'file':
        // `file,<n>,<name>`
        artifact.files.push(rest.slice(1).join(','));
        break;
      case 'end':
        this.artifact = undefined;
        this.handlers.onArtifact?.(artifact);
        break;
      default:
        break;
    }
  }
}
