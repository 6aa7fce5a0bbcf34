declare module "spdx-expression-parse" {
  /** Parses an SPDX license expression; throws on invalid input. */
  function parse(expression: string): unknown;
  export default parse;
}
