// BH-H-024: the host installs security updates by itself (no CIS item; CIS distribution benchmarks 1.9
// "ensure updates are installed"; Debian wiki UnattendedUpgrades, dnf-automatic(8)).
import { checkHost, ev, fail, notApplicable, pass } from '../../check.js';
import { onHardening } from '../../hardening.js';
import type { AuditCase, AuditRule } from '../../rule.js';
import { on } from '../../cases/hardening.js';
import { known } from '../../../facts/index.js';

/** Container OSes that update as a whole image through their own agent, outside any package manager. */
const IMAGE_UPDATED: Readonly<Record<string, string>> = {
  bottlerocket:
    'Bottlerocket updates as an image through its update API (or the Bottlerocket update operator)',
  talos: 'Talos updates as an image through talosctl upgrade',
  'fedora-coreos': 'Fedora CoreOS updates as an image through Zincati (rpm-ostree)',
  'ubuntu-core': 'Ubuntu Core refreshes its snaps automatically',
};

const cases: readonly AuditCase[] = [
  on('unattended-upgrades applying passes', {}, 'pass'),
  on(
    'unattended-upgrades not applying fails',
    {
      autoUpdates: known(
        {
          mechanism: 'unattended-upgrades',
          applies: false,
          evidence: ['/etc/apt/apt.conf.d/20auto-upgrades:2: APT::Periodic::Unattended-Upgrade "0"'],
        },
        'update configuration',
      ),
    },
    'fail',
    ['Unattended-Upgrade "0"'],
  ),
  on(
    'nothing on Debian fails',
    {
      os: known({ id: 'debian', name: 'Debian' }, '/etc/os-release'),
      autoUpdates: known({ mechanism: 'none', applies: false, evidence: [] }, 'update configuration'),
    },
    'fail',
  ),
  on(
    'nothing on Bottlerocket is n/a',
    {
      os: known(
        { id: 'bottlerocket', name: 'Bottlerocket', containerOptimized: 'bottlerocket' },
        '/etc/os-release',
      ),
      autoUpdates: known({ mechanism: 'none', applies: false, evidence: [] }, 'update configuration'),
    },
    'not-applicable',
  ),
];

export const rule: AuditRule = {
  meta: {
    id: 'BH-H-024',
    aliases: [],
    severity: 'medium',
    title: 'Automatic security updates are configured',
    rationale:
      'Kernel, runc and library fixes only protect containers once they are installed; a host that waits for someone to log in stays exposed for weeks after an advisory.',
    remediation:
      'Debian/Ubuntu: apt install unattended-upgrades and set APT::Periodic::Unattended-Upgrade "1" (dpkg-reconfigure -plow unattended-upgrades). RHEL family: dnf install dnf-automatic, set apply_updates = yes (upgrade_type = security) and systemctl enable --now dnf-automatic.timer.',
    references: [
      'https://wiki.debian.org/UnattendedUpgrades',
      'https://dnf.readthedocs.io/en/latest/automatic.html',
    ],
    docsUrl: 'docs/rules/audit.md#bh-h-024',
  },
  area: 'host',
  needs: 'host',
  check: checkHost(
    onHardening('autoUpdates', (updates, _source, hardening) => {
      const osKind = hardening.os.state === 'known' ? hardening.os.value.containerOptimized : undefined;
      const imageUpdated = osKind === undefined ? undefined : IMAGE_UPDATED[osKind];
      if (updates.mechanism === 'none' && imageUpdated !== undefined) return notApplicable(imageUpdated);
      const evidence = updates.evidence.map((e) => ev(updates.mechanism, e));
      if (updates.mechanism === 'none')
        return fail(
          'no automatic update mechanism found (unattended-upgrades, dnf-automatic, yum-cron)',
          ev('/etc/apt/apt.conf.d, /etc/dnf/automatic.conf, /etc/yum/yum-cron.conf', 'absent'),
        );
      if (!updates.applies)
        return fail(
          `${updates.mechanism} is installed but not set to install updates by itself`,
          ...evidence,
          ev(updates.mechanism, 'applies=false', 'installs updates'),
        );
      return pass(`${updates.mechanism} installs updates automatically`, ...evidence);
    }),
  ),
  cases,
};
