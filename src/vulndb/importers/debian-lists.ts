// Imports the Debian security tracker's advisory lists (data/DSA/list, data/DLA/list, data/DTSA/list) for the
// CVE -> DSA/DLA aliases findings carry, plus the fixed versions they state for the kernel's source packages
// ("[bullseye] - linux 5.10.162-1"), kept apart as ecosystem "debian-advisory" for the running-kernel check (image
// detection keeps reading the tracker, which carries the same fixes), and debian-security-support's security-support-ended.debNN files (source
// packages whose security support ended before the release's end of life).
import { newStats, skip, type AdvisorySink, type ImportStats } from '../types.js';
import { DEBIAN_CODENAMES } from '../releases.js';

const HEADER = /^\[(\d{1,2} \w{3} \d{4})\] ((?:DSA|DLA|DTSA)-\d+(?:-\d+)?) /;

/** True when the text starts like a tracker advisory list ("[01 Aug 2002] DSA-141 mpack - ..."). */
export function looksLikeAdvisoryList(text: string): boolean {
  const first = text.split('\n', 1)[0] ?? '';
  return HEADER.test(first);
}

export function importAdvisoryList(text: string, sink: AdvisorySink, location: string): ImportStats {
  const stats = newStats();
  const kind = /^\[[^\]]*\] (DSA|DLA|DTSA)-/.exec(text)?.[1] ?? 'DSA';
  sink.beginSource(`debian-${kind.toLowerCase()}-list`, 'debian-advisory-list', location);
  let current: string | undefined;
  let currentCves: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const header = HEADER.exec(line);
    if (header !== null) {
      current = header[2];
      currentCves = [];
      return;
    }
    // "\t[bullseye] - linux 5.10.162-1": kernel sources only ("linux", "linux-5.10", "linux-6.1"); "<not-affected>"
    // and friends are not versions
    const fix = /^\s+\[([a-z]+)\] - (linux(?:-[0-9.]+)?) ([0-9][^\s<>]*)/.exec(line);
    if (fix !== null && current !== undefined) {
      sink.addAdvisory({
        ecosystem: 'debian-advisory',
        release: fix[1] ?? '',
        package: fix[2] ?? '',
        vulnerability: current,
        aliases: currentCves,
        status: 'fixed',
        fixed: fix[3] ?? '',
        introduced: '',
        severity: null,
      });
      return;
    }
    if (!/^\s/.test(line)) {
      skip(stats, `line ${index + 1}: not an advisory header`);
      current = undefined;
      return;
    }
    const cves = /^\s+\{([^}]*)\}/.exec(line);
    if (cves !== null && current !== undefined) {
      const ids = (cves[1] ?? '').split(/\s+/).filter((id) => /^CVE-\d{4}-\d{4,}$/.test(id));
      for (const id of ids) sink.addAliases(id, [current]);
      currentCves = ids;
      stats.records += ids.length;
    }
  });
  sink.endSource(stats);
  return stats;
}

/** True for debian-security-support's "security-support-ended" files. */
export function looksLikeSupportEnded(text: string): boolean {
  return /^# List of packages whose security support ends before the distribution EOL/m.test(
    text.slice(0, 400),
  );
}

/** `release` is the Debian major version (from the file name "security-support-ended.deb12"). */
export function importSupportEnded(
  text: string,
  release: string,
  sink: AdvisorySink,
  location: string,
): ImportStats {
  const stats = newStats();
  const codename = DEBIAN_CODENAMES[release] ?? release;
  sink.beginSource(`debian-support-ended-${codename}`, 'debian-security-support', location);
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = /^(\S+)\s+(\S+)\s+(\d{4}-\d{2}-\d{2})\s*(.*)$/.exec(line);
    if (m === null || !/^[a-z0-9][a-z0-9+.*-]*$/.test(m[1] ?? '')) {
      skip(stats, `line ${index + 1}: expected "package version YYYY-MM-DD [details]"`);
      return;
    }
    sink.addSupportEnded({
      ecosystem: 'debian',
      release: codename,
      package: m[1] ?? '',
      lastVersion: m[2] ?? '',
      ended: m[3] ?? '',
      note: (m[4] ?? '').trim(),
    });
    stats.records++;
  });
  sink.endSource(stats);
  return stats;
}
