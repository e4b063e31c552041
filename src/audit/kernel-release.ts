// Orders kernel release strings ("6.1.0-18-amd64", "5.15.0-91-generic", "6.18.44-fc-v657") token by token:
// numbers numerically, words lexically -- the order Debian and Ubuntu give their ABI numbers.

export function compareKernelReleases(a: string, b: string): number {
  const ta = a.split(/[.\-+~_]/);
  const tb = b.split(/[.\-+~_]/);
  const n = Math.max(ta.length, tb.length);
  for (let i = 0; i < n; i += 1) {
    const x = ta[i];
    const y = tb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return Math.sign(d);
    } else if (x !== y) {
      if (nx !== ny) return nx ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return 0;
}
