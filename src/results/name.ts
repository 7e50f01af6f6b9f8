/**
 * What a run name may be. It becomes part of a folder name (`runs/<name>-<UTC time>`), so it must be
 * a single, visible path segment that every file system accepts: not blank, no slashes, no control
 * characters (NUL, newline, tab), no leading or trailing spaces, not `.`/`..`, and short enough that
 * the time stamp still fits in the 255-byte name limit.
 */
export const MAX_RUN_NAME = 200;

export const RUN_NAME_RULE = `a non-empty name of at most ${MAX_RUN_NAME} bytes without slashes, control characters (newline, tab, NUL) or leading/trailing spaces`;

/** Why `name` cannot name a run folder, or undefined when it can. */
export function runNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'not a string';
  if (name.trim() === '') return 'blank';
  if (/[\\/]/.test(name)) return 'contains a slash';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character (newline, tab, NUL, ...)';
  if (name !== name.trim()) return 'has leading or trailing spaces';
  if (name === '.' || name === '..') return `is '${name}'`;
  if (Buffer.byteLength(name, 'utf8') > MAX_RUN_NAME) return `is longer than ${MAX_RUN_NAME} bytes`;
  return undefined;
}
