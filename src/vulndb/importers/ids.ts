// Cleans vulnerability ids found in feeds: Alpine secdb entries such as "CVE_2019-2426", "CVE 2018-16859",
// "CVE-2017-17434-1", "CVE-2018-8897  XSA-260" or "CVE-2018-14468 (FrameRelay)" become proper ids.
const ID_PATTERNS: readonly RegExp[] = [
  /\bCVE[-_ ](\d{4})[-_ ](\d{4,})(?!\d)/gi,
  /\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b/gi,
  /\bXSA-\d+\b/gi,
  /\bTALOS-\d{4}-\d+\b/gi,
  /\bZBX-\d+\b/gi,
  /\bwnpa-sec-\d{4}-\d+\b/gi,
  /\b(?:DSA|DLA|DTSA)-\d+(?:-\d+)?\b/gi,
  /\b(?:USN|ALPINE|OSV|RHSA|ALAS)-[\w-]*\d\b/gi,
];

/** Every id in a free-text entry, CVEs first, normalised ("CVE_2019-2426" -> "CVE-2019-2426"). */
export function extractIds(text: string): { cves: string[]; others: string[] } {
  const cves: string[] = [];
  const others: string[] = [];
  const [cvePattern, ...rest] = ID_PATTERNS;
  if (cvePattern !== undefined) {
    for (const m of text.matchAll(cvePattern)) {
      const id = `CVE-${m[1] ?? ''}-${m[2] ?? ''}`;
      if (!cves.includes(id)) cves.push(id);
    }
  }
  for (const pattern of rest) {
    for (const m of text.matchAll(pattern)) {
      // canonical spellings: GHSA bodies and Wireshark advisories are lower case, the rest upper case
      const id = /^wnpa/i.test(m[0])
        ? m[0].toLowerCase()
        : /^ghsa/i.test(m[0])
          ? `GHSA${m[0].slice(4).toLowerCase()}`
          : m[0].toUpperCase();
      if (!others.includes(id)) others.push(id);
    }
  }
  return { cves, others };
}

/** True for ids the database keeps as primary names. */
export function isCveId(id: string): boolean {
  return /^CVE-\d{4}-\d{4,}$/.test(id);
}

/** A description trimmed to its first sentence (at most 300 characters): enough for a title, small on disk. */
export function shortDescription(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return undefined;
  const sentence = /^(.{20,300}?[.!?])(\s|$)/.exec(flat)?.[1] ?? flat;
  return sentence.length > 300 ? `${sentence.slice(0, 297)}...` : sentence;
}
