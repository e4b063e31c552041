// The one-way pipeline as import rules (CONTRIBUTING.md "Layers"): for each folder of src/, the other folders its
// files may import. Everything else is an error of ESLint's core no-restricted-imports, generated per folder depth
// so that "../" counts resolve exactly (test/boundaries/layers.test.ts proves a backwards import fails `npm run lint`).

/** Folders that read the world; each may import the ones before it on its line. */
const SOURCES = ['shared', 'facts', 'versioning', 'packages', 'engine', 'host', 'image', 'vulndb'];
/** Rule families and their detectors. */
const RULES = ['detect', 'collect', 'lint', 'authz', 'audit', 'scan'];
/** Right of facts/rules, left of cli: the runtime side (watch, network, native addon, fleet agent). */
const RUNTIME = ['watch', 'net', 'native', 'agent'];
/** Serving reports (may render them, so they sit right of report/). */
const SERVE = ['server', 'web'];

/** folder -> what it may import: a folder ("facts") or one file or subfolder ("vulndb/db.js", "scan/rules/"). */
export const LAYERS = {
  shared: [],
  facts: ['shared'],
  versioning: ['shared'],
  packages: ['shared', 'versioning'],
  engine: ['shared', 'facts'],
  host: ['shared', 'facts', 'engine', 'packages'],
  image: ['shared', 'facts', 'engine', 'packages'],
  vulndb: ['shared', 'versioning'],
  // the detector gets parsed ignore rules and a database handle, never the importers or a file
  detect: [
    'shared',
    'facts',
    'packages',
    'versioning',
    'vulndb/db.js',
    'vulndb/types.js',
    'vulndb/releases.js',
  ],
  // gathers what drivers need: all facts at once (the running kernel's vulnerabilities through the detector)
  collect: ['shared', 'facts', 'versioning', 'packages', 'engine', 'host', 'vulndb', 'detect'],
  lint: ['shared'],
  authz: ['shared'],
  // the audit driver collects; BH-IMG-001 is the one root-user rule, shared with scan
  audit: ['shared', 'facts', 'versioning', 'collect', 'scan/rules/'],
  scan: ['shared', 'facts', 'packages', 'versioning', 'host', 'image', 'detect', 'vulndb', 'collect'],
  // the HTML report is drawn with the dashboard's components (they import only shared/)
  report: ['shared', 'facts', 'web/components.js'],
  ...Object.fromEntries(RUNTIME.map((f) => [f, [...SOURCES, ...RULES, ...RUNTIME.filter((o) => o !== f)]])),
  ...Object.fromEntries(
    SERVE.map((f) => [f, [...SOURCES, ...RULES, ...RUNTIME, 'report', ...SERVE.filter((o) => o !== f)]]),
  ),
  cli: [...SOURCES, ...RULES, ...RUNTIME, ...SERVE, 'report'],
};

const MAX_DEPTH = 6;

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Flat-config entries: one per folder and depth, each with the patterns that folder's files must not import. */
export function layerConfigs(layers = LAYERS) {
  const configs = [];
  for (const [folder, allowed] of Object.entries(layers)) {
    const ok = [folder, ...allowed].map((a) =>
      a.endsWith('.js') ? `${escape(a)}$` : `${escape(a.replace(/\/$/, ''))}/`,
    );
    for (let depth = 1; depth <= MAX_DEPTH; depth += 1) {
      const up = `(?:\\.\\./){${depth}}`;
      configs.push({
        files: [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              patterns: [
                {
                  regex: `^${up}\\.\\./`,
                  message: 'src/ code imports nothing outside src/.',
                },
                {
                  regex: `^${up}(?!(?:${ok.join('|')}))`,
                  message: `src/${folder}/ may import only ${allowed.length === 0 ? 'itself' : allowed.join(', ')} (CONTRIBUTING.md "Layers").`,
                },
              ],
            },
          ],
        },
      });
    }
  }
  return configs;
}

/** Top-level folders of src/ with no entry: a new folder must be placed in the pipeline first. */
export function unplacedFolders(folders, layers = LAYERS) {
  return folders.filter((f) => !(f in layers));
}
