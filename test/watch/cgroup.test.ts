// Table tests for the cgroup parser: one real or documented /proc/<pid>/cgroup file per runtime layout.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCgroupPath, parseProcCgroup, type CgroupForm } from '../../src/watch/cgroup.js';

const ID = '2d8de1de293f8032d8599978364183d42c9488ec104a4c35111bddb55fdf9e42';
const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'watch', 'cgroup');

const files: readonly { file: string; form: CgroupForm | undefined }[] = [
  { file: 'docker-v1-hybrid.txt', form: 'docker-cgroupfs' }, // recorded from dockerd 20.10 on this kind of host
  { file: 'docker-v1-systemd.txt', form: 'docker-systemd' },
  { file: 'docker-v2-cgroupfs.txt', form: 'docker-cgroupfs' },
  { file: 'docker-v2-systemd.txt', form: 'docker-systemd' },
  { file: 'containerd-v2-systemd.txt', form: 'containerd-systemd' },
  { file: 'kubepods-v1-cgroupfs.txt', form: 'kubepods' },
  { file: 'kubepods-v2-systemd.txt', form: 'kubepods' },
  { file: 'kubepods-v2-containerd-systemd.txt', form: 'kubepods' },
  { file: 'podman-v2.txt', form: 'libpod' },
  { file: 'host-session.txt', form: undefined },
  { file: 'host-short-hex.txt', form: undefined },
];

describe('parseProcCgroup', () => {
  for (const { file, form } of files) {
    it(file, () => {
      const owner = parseProcCgroup(readFileSync(join(FIXTURES, file), 'utf8'));
      assert.deepEqual(owner, form === undefined ? undefined : { containerId: ID, form });
    });
  }
  it('a v1 hybrid file whose unified line is the root still names the container', () => {
    assert.equal(parseProcCgroup(`4:memory:/docker/${ID}\n0::/\n`)?.containerId, ID);
  });
  it('ignores malformed lines and upper-case or short ids', () => {
    assert.equal(
      parseProcCgroup(`garbage\n4:memory:/docker/${ID.toUpperCase()}\n0::/docker/abc\n`),
      undefined,
    );
  });
});

describe('parseCgroupPath', () => {
  const cases: readonly [string, CgroupForm | undefined][] = [
    [`/docker/${ID}`, 'docker-cgroupfs'],
    [`/system.slice/docker-${ID}.scope`, 'docker-systemd'],
    [`/system.slice/cri-containerd-${ID}.scope`, 'containerd-systemd'],
    [`/kubepods/besteffort/pod1/${ID}`, 'kubepods'],
    [`/docker/${ID}/child`, undefined],
    ['/', undefined],
  ];
  for (const [path, form] of cases) {
    it(path, () => {
      assert.equal(parseCgroupPath(path)?.form, form);
    });
  }
});
