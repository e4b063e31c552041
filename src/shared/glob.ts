// The one glob matcher for names (authz policy patterns, audit waiver targets): `*` any run of characters, `?` one
// character, done with the classic linear backtracking matcher instead of a RegExp so that no pattern can make a
// decision slow (no ReDoS). File globs are lint/files.ts's picomatch.

export function globMatch(pattern: string, text: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(text);
  let pi = 0;
  let ti = 0;
  let starP = -1;
  let starT = 0;
  while (ti < t.length) {
    const pc = p[pi];
    if (pc !== undefined && (pc === '?' || pc === t[ti])) {
      pi += 1;
      ti += 1;
    } else if (pc === '*') {
      starP = pi;
      starT = ti;
      pi += 1;
    } else if (starP >= 0) {
      pi = starP + 1;
      starT += 1;
      ti = starT;
    } else return false;
  }
  while (p[pi] === '*') pi += 1;
  return pi === p.length;
}

export function hasGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
