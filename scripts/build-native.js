// Builds the watch addon (src/native, node-gyp) at `npm ci`/`npm install`; a failed build prints what is missing
// and exits 0, so the rest of bulkhead installs and `bulkhead watch` reports that it runs without the addon.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'native');
if (process.platform !== 'linux') {
  console.error('bulkhead: the watch addon is Linux only (fanotify, proc connector); skipped');
  process.exit(0);
}
// npm exports the path of its bundled node-gyp to lifecycle scripts; outside npm, use one on PATH
const bundled = join(
  dirname(process.execPath),
  '..',
  'lib',
  'node_modules',
  'npm',
  'node_modules',
  'node-gyp',
  'bin',
  'node-gyp.js',
);
const gyp = process.env['npm_config_node_gyp'] ?? (existsSync(bundled) ? bundled : undefined);
const extra = [];
// Node's headers from the distribution package (Debian's nodejs ships them in /usr/include/node) instead of a download
if (process.env['npm_config_nodedir'] === undefined && existsSync('/usr/include/node/node_api.h'))
  extra.push('--nodedir=/usr');
const [cmd, args] = gyp
  ? [process.execPath, [gyp, 'rebuild', ...extra]]
  : ['node-gyp', ['rebuild', ...extra]];
const result = spawnSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (result.status !== 0) {
  const lines = `${result.error?.message ?? ''}${result.stderr ?? ''}`.trim().split('\n');
  // the compiler's own "error:" lines say what is wrong (a missing header, a syntax error); node-gyp's last
  // lines only say that make failed
  const compiler = lines
    .filter((line) => / (fatal )?error: /.test(line) && !line.startsWith('gyp '))
    .slice(0, 8);
  const tail = [...compiler, ...lines.filter((line) => !compiler.includes(line)).slice(-4)].join('\n');
  console.error(
    `bulkhead: could not build the watch addon in ${dir} (needs g++, make, python3 and Node's headers).\n` +
      '`bulkhead watch` will say what it cannot do; everything else works. node-gyp said:\n' +
      tail,
  );
}
process.exit(0);
