export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  heading(text: string): string;
  status(text: string): string;
  warning(text: string): string;
  error(text: string): string;
  help(text: string): string;
}

const wrap = (enabled: boolean, open: string, close: string) => (text: string) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text);

export function createStyle(enabled: boolean): Style {
  return {
    enabled,
    bold: wrap(enabled, "1", "22"),
    dim: wrap(enabled, "2", "22"),
    heading: wrap(enabled, "1;4", "22;24"),
    status: wrap(enabled, "1;36", "22;39"),
    warning: wrap(enabled, "1;33", "22;39"),
    error: wrap(enabled, "1;31", "22;39"),
    help: wrap(enabled, "1;35", "22;39"),
  };
}

/**
 * `--color auto` (the default) colors a TTY unless NO_COLOR is set; CLICOLOR_FORCE or
 * FORCE_COLOR force it on, as anstream (upstream) and most JS tools do.
 */
export function colorEnabled(choice: string | undefined, isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (choice === "always") return true;
  if (choice === "never") return false;
  if (env.NO_COLOR) return false;
  if ((env.CLICOLOR_FORCE && env.CLICOLOR_FORCE !== "0") || (env.FORCE_COLOR && env.FORCE_COLOR !== "0")) return true;
  return isTTY && env.TERM !== "dumb";
}
