// Recognises container-optimised host distributions from os-release(5): Bottlerocket, Flatcar, Fedora CoreOS
// (ID=fedora VARIANT_ID=coreos), Talos, RancherOS, SUSE Elemental and Ubuntu Core.
import type { ContainerOs } from '../../facts/hardening.js';
import { parseOsRelease } from '../../packages/os.js';

type Optimized = NonNullable<ContainerOs['containerOptimized']>;

const BY_ID: Readonly<Record<string, Optimized>> = {
  bottlerocket: 'bottlerocket',
  flatcar: 'flatcar',
  fcos: 'fedora-coreos',
  talos: 'talos',
  rancheros: 'rancheros',
  elemental: 'elemental',
  'ubuntu-core': 'ubuntu-core',
};

export function classifyOsRelease(text: string): ContainerOs | undefined {
  const fields = parseOsRelease(text);
  const id = fields.get('ID');
  if (id === undefined || id === '') return undefined;
  const variantId = fields.get('VARIANT_ID');
  const name = fields.get('PRETTY_NAME') ?? fields.get('NAME') ?? id;
  const optimized =
    BY_ID[id] ??
    (id === 'fedora' && variantId === 'coreos' ? 'fedora-coreos' : undefined) ??
    (variantId !== undefined && /elemental/i.test(variantId) ? 'elemental' : undefined);
  return {
    id,
    ...(variantId === undefined || variantId === '' ? {} : { variantId }),
    name,
    ...(optimized === undefined ? {} : { containerOptimized: optimized }),
  };
}
