// The one dockerd command-line parser (pflag forms, table-tested) and the /info SecurityOptions splitter (src/shared/dockerd.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDockerdArgs, parseSecurityOptions } from '../../src/shared/dockerd.js';

describe('parseDockerdArgs', () => {
  const cases: readonly { args: string[]; flags: Record<string, string[]>; unparsed?: string[] }[] = [
    { args: ['--icc=false'], flags: { icc: ['false'] } },
    { args: ['--icc', '--live-restore'], flags: { icc: ['true'], 'live-restore': ['true'] } },
    { args: ['--log-level', 'debug'], flags: { 'log-level': ['debug'] } },
    { args: ['--log-level=debug'], flags: { 'log-level': ['debug'] } },
    { args: ['-H', 'fd://', '-H=tcp://0.0.0.0:2375'], flags: { host: ['fd://', 'tcp://0.0.0.0:2375'] } },
    {
      args: ['--host', 'unix:///run/d.sock', '--host=tcp://127.0.0.1:2376'],
      flags: { host: ['unix:///run/d.sock', 'tcp://127.0.0.1:2376'] },
    },
    // a boolean flag never swallows the next argument
    {
      args: ['--tlsverify', '--tlscacert', '/ca.pem'],
      flags: { tlsverify: ['true'], tlscacert: ['/ca.pem'] },
    },
    { args: ['-D', '-l', 'warn'], flags: { debug: ['true'], 'log-level': ['warn'] } },
    { args: ['--userns-remap', 'default'], flags: { 'userns-remap': ['default'] } },
    { args: ['-x', 'stray', '--data-root'], flags: {}, unparsed: ['-x', 'stray', '--data-root'] },
    // pflag's shorthands: the value glued on (one "=" stripped), chained booleans, a boolean given a value
    { args: ['-Hunix:///a.sock', '-H=fd://'], flags: { host: ['unix:///a.sock', 'fd://'] } },
    { args: ['-Dl', 'warn'], flags: { debug: ['true'], 'log-level': ['warn'] } },
    { args: ['-D=false'], flags: { debug: ['false'] } },
    { args: ['-g', '/var/lib/old'], flags: { graph: ['/var/lib/old'] } },
    // a value flag takes the next argument even when it looks like a flag; `--` ends the flags
    { args: ['--log-level', '--icc=false'], flags: { 'log-level': ['--icc=false'] } },
    { args: ['--icc=false', '--', '--debug'], flags: { icc: ['false'] }, unparsed: ['--debug'] },
  ];
  for (const c of cases) {
    it(c.args.join(' '), () => {
      const parsed = parseDockerdArgs(c.args);
      assert.deepEqual(parsed.flags, c.flags);
      assert.deepEqual(parsed.unparsed, c.unparsed ?? []);
    });
  }
});

describe('parseSecurityOptions', () => {
  it('splits name=...,key=value entries and keeps legacy bare names', () => {
    assert.deepEqual(
      parseSecurityOptions(['name=seccomp,profile=default', 'name=apparmor', 'name=rootless', 'selinux']),
      [
        { name: 'seccomp', options: { profile: 'default' } },
        { name: 'apparmor', options: {} },
        { name: 'rootless', options: {} },
        { name: 'selinux', options: {} },
      ],
    );
  });
});
