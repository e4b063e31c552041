// Types of eslint.layers.js (the pipeline's import rules) for the TypeScript that imports it.
import type { Linter } from 'eslint';

export declare const LAYERS: Readonly<Record<string, readonly string[]>>;
export declare function layerConfigs(layers?: Readonly<Record<string, readonly string[]>>): Linter.Config[];
export declare function unplacedFolders(
  folders: readonly string[],
  layers?: Readonly<Record<string, readonly string[]>>,
): string[];
