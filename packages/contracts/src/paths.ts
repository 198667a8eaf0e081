const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Renders an issue path the way a user writes it: `design.axes.dose[2]`, root as ''. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else {
      const name = String(key);
      text += IDENTIFIER.test(name) ? (text ? `.${name}` : name) : `[${JSON.stringify(name)}]`;
    }
  }
  return text;
}
