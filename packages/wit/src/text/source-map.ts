import { type ErrorLocation, type Span, WitError } from "../errors.js";

interface Source {
  offset: number;
  path: string;
  contents: string;
}

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * The WIT files of one package group, concatenated into one offset space (each file is
 * followed by a one-character gap so an end-of-file position still maps to its file).
 * Renders errors in wit-parser's format:
 *
 * ```text
 * type `bar` does not exist
 *      --> path/to/file.wit:5:14
 *       |
 *     5 |   type foo = bar;
 *       |              ^--
 * ```
 */
export class SourceMap {
  readonly sources: Source[] = [];
  private offset = 0;

  push(path: string, contents: string): Source {
    const source = { offset: this.offset, path, contents };
    this.sources.push(source);
    this.offset += contents.length + 1;
    return source;
  }

  private sourceAt(pos: number): Source | undefined {
    let lo = 0;
    let hi = this.sources.length - 1;
    let found: Source | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const src = this.sources[mid] as Source;
      if (src.offset <= pos) {
        found = src;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** 0-based line and UTF-8 byte column of `pos`, plus the line's text. */
  private lineCol(pos: number): { src: Source; line: number; col: number; snippet: string; local: number } | undefined {
    const src = this.sourceAt(pos);
    if (!src) return undefined;
    const local = pos - src.offset;
    const text = src.contents;
    // Same walk as wit-parser's `linecol_in` over `split_terminator('\n')`.
    let cur = 0;
    let line = 0;
    while (cur < text.length) {
      const nl = text.indexOf("\n", cur);
      const lineEnd = nl === -1 ? text.length : nl;
      if (lineEnd + 1 > local) {
        let snippet = text.slice(cur, lineEnd);
        if (snippet.endsWith("\r")) snippet = snippet.slice(0, -1);
        return { src, line, col: utf8Length(text.slice(cur, local)), snippet, local };
      }
      line++;
      if (nl === -1) break;
      cur = nl + 1;
    }
    // Past the last line (end of input after a final newline): column 0 of the next line.
    return { src, line, col: 0, snippet: "", local };
  }

  location(span: Span): ErrorLocation | undefined {
    const lc = this.lineCol(span.start);
    if (!lc) return undefined;
    return { file: lc.src.path, line: lc.line + 1, column: lc.col + 1 };
  }

  renderLocation(span: Span): string {
    const loc = this.location(span);
    return loc ? `${loc.file}:${loc.line}:${loc.column}` : "<unknown>";
  }

  /** The message with a source excerpt under it, or undefined when the span is not in this map. */
  highlight(span: Span, message: string, underline: boolean): string | undefined {
    const lc = this.lineCol(span.start);
    if (!lc) return undefined;
    const line = lc.line + 1;
    const col = lc.col + 1;
    if (col > 0xffff) return `${lc.src.path}:${line}:${col}: ${message}`;
    let out = `${message}\n     --> ${lc.src.path}:${line}:${col}\n      |\n ${String(line).padStart(4)} | ${lc.snippet}\n      | ${" ".repeat(lc.col)}^`;
    if (underline && span.end > span.start) {
      const text = lc.src.contents.slice(lc.local, span.end - lc.src.offset);
      const chars = [...text].length;
      if (chars > 1) out += "-".repeat(chars - 1);
    }
    return out;
  }

  /** Attaches the rendered excerpt and location to a WitError raised while processing this map. */
  rewrite(error: unknown): unknown {
    if (error instanceof WitError && error.highlighted === undefined && error.span !== undefined) {
      const highlighted = this.highlight(error.span, error.message, !error.lexer);
      if (highlighted !== undefined) {
        error.highlighted = highlighted;
        error.location = this.location(error.span);
      }
    }
    return error;
  }

  /** Runs `f` and renders any WitError it throws against this map. */
  run<T>(f: () => T): T {
    try {
      return f();
    } catch (error) {
      throw this.rewrite(error);
    }
  }
}

export { encoder as utf8Encoder };
