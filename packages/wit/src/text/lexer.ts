import { type Span, syntaxError, type WitError } from "../errors.js";

/** Token kinds of the WIT text format (the same set as wit-parser's lexer). */
export enum T {
  Whitespace,
  Comment,
  Equals,
  Comma,
  Colon,
  Period,
  Semicolon,
  LeftParen,
  RightParen,
  LeftBrace,
  RightBrace,
  LessThan,
  GreaterThan,
  RArrow,
  Star,
  At,
  Slash,
  Plus,
  Minus,
  StringLiteral,
  Use,
  Type,
  Func,
  U8,
  U16,
  U32,
  U64,
  S8,
  S16,
  S32,
  S64,
  F32,
  F64,
  Char,
  Record,
  Resource,
  Own,
  Borrow,
  Flags,
  Variant,
  Enum,
  Bool,
  String_,
  Option_,
  Result_,
  Future,
  Stream,
  ErrorContext,
  List,
  Map,
  Underscore,
  As,
  From_,
  Static,
  Interface,
  Tuple,
  Import,
  Export,
  World,
  Package,
  Constructor,
  Async,
  Id,
  ExplicitId,
  Integer,
  Include,
  With,
}

const KEYWORDS: ReadonlyMap<string, T> = new Map([
  ["use", T.Use],
  ["type", T.Type],
  ["func", T.Func],
  ["u8", T.U8],
  ["u16", T.U16],
  ["u32", T.U32],
  ["u64", T.U64],
  ["s8", T.S8],
  ["s16", T.S16],
  ["s32", T.S32],
  ["s64", T.S64],
  ["f32", T.F32],
  ["f64", T.F64],
  ["char", T.Char],
  ["resource", T.Resource],
  ["own", T.Own],
  ["borrow", T.Borrow],
  ["record", T.Record],
  ["flags", T.Flags],
  ["variant", T.Variant],
  ["enum", T.Enum],
  ["bool", T.Bool],
  ["string", T.String_],
  ["option", T.Option_],
  ["result", T.Result_],
  ["future", T.Future],
  ["stream", T.Stream],
  ["error-context", T.ErrorContext],
  ["list", T.List],
  ["map", T.Map],
  ["_", T.Underscore],
  ["as", T.As],
  ["from", T.From_],
  ["static", T.Static],
  ["interface", T.Interface],
  ["tuple", T.Tuple],
  ["world", T.World],
  ["import", T.Import],
  ["export", T.Export],
  ["package", T.Package],
  ["constructor", T.Constructor],
  ["include", T.Include],
  ["with", T.With],
  ["async", T.Async],
]);

/** Every keyword the printer must escape with `%`. */
export const KEYWORD_NAMES: ReadonlySet<string> = new Set(KEYWORDS.keys());

const DESCRIPTIONS: Record<number, string> = {
  [T.Whitespace]: "whitespace",
  [T.Comment]: "a comment",
  [T.Equals]: "'='",
  [T.Comma]: "','",
  [T.Colon]: "':'",
  [T.Period]: "'.'",
  [T.Semicolon]: "';'",
  [T.LeftParen]: "'('",
  [T.RightParen]: "')'",
  [T.LeftBrace]: "'{'",
  [T.RightBrace]: "'}'",
  [T.LessThan]: "'<'",
  [T.GreaterThan]: "'>'",
  [T.RArrow]: "`->`",
  [T.Star]: "`*`",
  [T.At]: "`@`",
  [T.Slash]: "`/`",
  [T.Plus]: "`+`",
  [T.Minus]: "`-`",
  [T.StringLiteral]: "a string literal",
  [T.Id]: "an identifier",
  [T.ExplicitId]: "an '%' identifier",
  [T.Integer]: "an integer",
};
for (const [word, token] of KEYWORDS) DESCRIPTIONS[token] = `keyword \`${word}\``;

export function describe(token: T): string {
  return DESCRIPTIONS[token] ?? "a token";
}

/** Rust's `{:?}` for a `char`, used in lexer messages. */
export function rustCharDebug(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  switch (ch) {
    case "\t":
      return "'\\t'";
    case "\r":
      return "'\\r'";
    case "\n":
      return "'\\n'";
    case "'":
      return "'\\''";
    case "\\":
      return "'\\\\'";
    case "\0":
      return "'\\0'";
  }
  if (isControl(cp) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfeff) return `'\\u{${cp.toString(16)}}'`;
  return `'${ch}'`;
}

function escapeUnicode(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function isControl(cp: number): boolean {
  return cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);
}

const ID_START = /^[\p{ID_Start}_-]$/u;
const ID_CONTINUE = /^[\p{ID_Continue}-]$/u;

function isKeylikeStart(cp: number): boolean {
  if (cp < 0x80) {
    return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) || cp === 0x5f || cp === 0x2d;
  }
  return ID_START.test(String.fromCodePoint(cp));
}

function isKeylikeContinue(cp: number): boolean {
  if (cp < 0x80) {
    return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x30 && cp <= 0x39) || cp === 0x5f || cp === 0x2d;
  }
  return ID_CONTINUE.test(String.fromCodePoint(cp));
}

/** Checks an identifier the way wit-parser's `validate_id` does; returns the error or undefined. */
const PLAIN_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export function idProblem(id: string): string | undefined {
  if (PLAIN_ID.test(id)) return undefined;
  if (id === "") return "identifiers must have characters between '-'s";
  const parts = id.split("-");
  for (let idx = 0; idx < parts.length; idx++) {
    const part = parts[idx] as string;
    if (part === "") return "identifiers must have characters between '-'s";
    const first = String.fromCodePoint(part.codePointAt(0) as number);
    if (idx === 0 && !/^[A-Za-z]$/.test(first)) return `invalid character in identifier ${rustCharDebug(first)}`;
    let upper: boolean | undefined;
    for (const ch of part) {
      if (ch >= "0" && ch <= "9") continue;
      if (ch >= "A" && ch <= "Z") {
        if (upper === undefined) upper = true;
        else if (!upper) return `invalid character in identifier ${rustCharDebug(ch)}`;
      } else if (ch >= "a" && ch <= "z") {
        if (upper === undefined) upper = false;
        else if (upper) return `invalid character in identifier ${rustCharDebug(ch)}`;
      } else {
        return `invalid character in identifier ${rustCharDebug(ch)}`;
      }
    }
  }
  return undefined;
}

export interface Token {
  span: Span;
  kind: T;
}

/**
 * A hand-rolled tokenizer over one source text. State is just `pos`, so the parser can
 * look ahead by saving and restoring it. Offsets in spans are the text's index plus
 * `offset`, the text's place in its source map.
 */
export class Tokenizer {
  readonly input: string;
  readonly offset: number;
  pos = 0;

  constructor(input: string, offset: number) {
    this.input = input;
    this.offset = offset;
    detectInvalidInput(input, offset);
    if (input.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  getSpan(span: Span): string {
    return this.input.slice(span.start - this.offset, span.end - this.offset);
  }

  eofSpan(): Span {
    const end = this.offset + this.input.length;
    return { start: end, end };
  }

  private err(at: number, message: string): WitError {
    return syntaxError(message, { start: at, end: at }).markLexer();
  }

  /**
   * The last token `peek` read: the parser peeks before nearly every `next`, so keeping it
   * (keyed by where it starts; the input never changes) halves the lexing.
   */
  private peeked: { at: number; token: Token | undefined; end: number } | undefined;

  /** The next token that is not whitespace or a comment, or undefined at end of input. */
  next(): Token | undefined {
    const peeked = this.peeked;
    if (peeked !== undefined && peeked.at === this.pos) {
      this.pos = peeked.end;
      return peeked.token;
    }
    for (;;) {
      const token = this.nextRaw();
      if (token === undefined) return undefined;
      if (token.kind !== T.Whitespace && token.kind !== T.Comment) return token;
    }
  }

  peek(): Token | undefined {
    const saved = this.pos;
    const token = this.next();
    this.peeked = { at: saved, token, end: this.pos };
    this.pos = saved;
    return token;
  }

  peekKind(): T | undefined {
    return this.peek()?.kind;
  }

  nextRaw(): Token | undefined {
    const input = this.input;
    const len = input.length;
    if (this.pos >= len) return undefined;
    const start = this.pos;
    let c = input.charCodeAt(start);
    let kind: T;
    this.pos++;
    // CR LF folds to a newline.
    if (c === 0x0d && input.charCodeAt(this.pos) === 0x0a) {
      this.pos++;
      c = 0x0a;
    }
    switch (c) {
      case 0x0a:
      case 0x09:
      case 0x20: {
        for (;;) {
          const d = input.charCodeAt(this.pos);
          if (d === 0x20 || d === 0x09 || d === 0x0a) this.pos++;
          else if (d === 0x0d && input.charCodeAt(this.pos + 1) === 0x0a) this.pos += 2;
          else break;
        }
        kind = T.Whitespace;
        break;
      }
      case 0x2f: {
        const d = input.charCodeAt(this.pos);
        if (d === 0x2f) {
          const nl = input.indexOf("\n", this.pos + 1);
          this.pos = nl === -1 ? len : nl + 1;
          kind = T.Comment;
        } else if (d === 0x2a) {
          this.pos++;
          let depth = 1;
          while (depth > 0) {
            if (this.pos >= len) throw this.err(this.offset + start, "unterminated block comment");
            const e = input.charCodeAt(this.pos++);
            if (e === 0x2f && input.charCodeAt(this.pos) === 0x2a) {
              this.pos++;
              depth++;
            } else if (e === 0x2a && input.charCodeAt(this.pos) === 0x2f) {
              this.pos++;
              depth--;
            }
          }
          kind = T.Comment;
        } else {
          kind = T.Slash;
        }
        break;
      }
      case 0x3d:
        kind = T.Equals;
        break;
      case 0x2c:
        kind = T.Comma;
        break;
      case 0x3a:
        kind = T.Colon;
        break;
      case 0x2e:
        kind = T.Period;
        break;
      case 0x3b:
        kind = T.Semicolon;
        break;
      case 0x28:
        kind = T.LeftParen;
        break;
      case 0x29:
        kind = T.RightParen;
        break;
      case 0x7b:
        kind = T.LeftBrace;
        break;
      case 0x7d:
        kind = T.RightBrace;
        break;
      case 0x3c:
        kind = T.LessThan;
        break;
      case 0x3e:
        kind = T.GreaterThan;
        break;
      case 0x2a:
        kind = T.Star;
        break;
      case 0x40:
        kind = T.At;
        break;
      case 0x2b:
        kind = T.Plus;
        break;
      case 0x2d:
        if (input.charCodeAt(this.pos) === 0x3e) {
          this.pos++;
          kind = T.RArrow;
        } else {
          kind = T.Minus;
        }
        break;
      case 0x25: {
        const cp = input.codePointAt(this.pos);
        if (cp !== undefined && isKeylikeStart(cp)) this.eatKeylike();
        kind = T.ExplicitId;
        break;
      }
      case 0x22:
        this.expectStringLiteral(this.offset + start);
        kind = T.StringLiteral;
        break;
      default: {
        const cp = input.codePointAt(start) as number;
        if (cp > 0xffff) this.pos++;
        if (isKeylikeStart(cp)) {
          this.eatKeylike();
          kind = KEYWORDS.get(input.slice(start, this.pos)) ?? T.Id;
        } else if (c >= 0x30 && c <= 0x39) {
          while (this.pos < len) {
            const d = input.charCodeAt(this.pos);
            if (d < 0x30 || d > 0x39) break;
            this.pos++;
          }
          kind = T.Integer;
        } else {
          throw this.err(this.offset + start, `unexpected character ${rustCharDebug(String.fromCodePoint(cp))}`);
        }
      }
    }
    return { span: { start: this.offset + start, end: this.offset + this.pos }, kind };
  }

  private eatKeylike(): void {
    const input = this.input;
    while (this.pos < input.length) {
      const c = input.charCodeAt(this.pos);
      // ASCII letters, digits, `_` and `-` without decoding a code point.
      if ((c >= 0x61 && c <= 0x7a) || c === 0x2d || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f) {
        this.pos++;
        continue;
      }
      if (c < 0x80) break;
      const cp = input.codePointAt(this.pos) as number;
      if (!isKeylikeContinue(cp)) break;
      this.pos += cp > 0xffff ? 2 : 1;
    }
  }

  /** Puts back `token`, read from `at`: the next `next` returns it without lexing it again. */
  unread(at: number, token: Token): void {
    this.peeked = { at, token, end: this.pos };
    this.pos = at;
  }

  /** Consumes the next token if it is `kind`. */
  eat(kind: T): boolean {
    const token = this.peek();
    if (token === undefined || token.kind !== kind) return false;
    this.pos = (this.peeked as { end: number }).end;
    return true;
  }

  expect(kind: T): Span {
    const token = this.next();
    if (token === undefined) {
      const at = this.offset + this.input.length;
      throw this.err(at, `expected ${describe(kind)}, found eof`);
    }
    if (token.kind !== kind) {
      throw this.err(token.span.start, `expected ${describe(kind)}, found ${describe(token.kind)}`);
    }
    return token.span;
  }

  parseId(span: Span): string {
    const text = this.getSpan(span);
    const problem = idProblem(text);
    if (problem) throw this.err(span.start, problem);
    return text;
  }

  parseExplicitId(span: Span): string {
    const text = this.getSpan(span).slice(1);
    const problem = idProblem(text);
    if (problem) throw this.err(span.start, problem);
    return text;
  }

  /** The value of the string literal token at `span`. */
  stringLiteral(span: Span): string {
    const saved = this.pos;
    this.pos = span.start - this.offset + 1;
    try {
      return this.expectStringLiteral(span.start + 1);
    } finally {
      this.pos = saved;
    }
  }

  private expectStringLiteral(start: number): string {
    const input = this.input;
    let out = "";
    const anyChar = (): [number, string] => {
      if (this.pos >= input.length) throw this.err(this.offset + input.length, "unexpected end of file");
      const at = this.pos;
      const cp = input.codePointAt(at) as number;
      this.pos += cp > 0xffff ? 2 : 1;
      return [this.offset + at, String.fromCodePoint(cp)];
    };
    for (;;) {
      const [pos, c] = anyChar();
      if (c === '"') break;
      if (c === "\\") {
        const [epos, e] = anyChar();
        switch (e) {
          case '"':
          case "'":
          case "\\":
            out += e;
            break;
          case "t":
            out += "\t";
            break;
          case "n":
            out += "\n";
            break;
          case "r":
            out += "\r";
            break;
          case "u": {
            const [bpos, brace] = anyChar();
            if (brace !== "{") throw this.err(bpos, "expected character '{'");
            let n = 0;
            let digits = 0;
            for (;;) {
              const [hpos, h] = anyChar();
              if (h === "}") break;
              if (h === "_") continue;
              if (!/^[0-9a-fA-F]$/.test(h)) throw this.err(hpos, `invalid hex digit ${rustCharDebug(h)}`);
              n = n * 16 + Number.parseInt(h, 16);
              digits++;
              if (n > 0xffffffff) throw this.err(hpos, "number is too big to fit in a u32");
            }
            if (digits === 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
              throw this.err(epos, `invalid unicode value 0x${n.toString(16)}`);
            }
            out += String.fromCodePoint(n);
            break;
          }
          default:
            if (/^[0-9a-fA-F]$/.test(e)) {
              const [hpos, h] = anyChar();
              if (!/^[0-9a-fA-F]$/.test(h)) throw this.err(hpos, `invalid hex digit ${rustCharDebug(h)}`);
              const byte = Number.parseInt(e + h, 16);
              if (byte > 0x7f) throw this.err(start, "invalid UTF-8 in string literal");
              out += String.fromCharCode(byte);
            } else {
              throw this.err(epos, `invalid string escape ${rustCharDebug(e)}`);
            }
        }
        continue;
      }
      const cp = c.codePointAt(0) as number;
      if (cp < 0x20 || cp === 0x7f) throw this.err(pos, `invalid string character ${rustCharDebug(c)}`);
      out += c;
    }
    return out;
  }
}

function detectInvalidInput(input: string, offset: number): void {
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) continue;
    if (c === 0x0a || c === 0x0d || c === 0x09) continue;
    const cp = input.codePointAt(i) as number;
    if (cp > 0xffff) {
      i++;
      continue;
    }
    const at = { start: offset + i, end: offset + i };
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
      throw syntaxError(`Input contains bidirectional override codepoint "${escapeUnicode(cp)}"`, at).markLexer();
    }
    if ([0x149, 0x673, 0xf77, 0xf79, 0x17a3, 0x17a4, 0x17b4, 0x17b5].includes(cp)) {
      throw syntaxError(`Codepoint "${escapeUnicode(cp)}" is discouraged by Unicode`, at).markLexer();
    }
    if (isControl(cp)) throw syntaxError(`Control code '${escapeUnicode(cp)}'`, at).markLexer();
  }
}
