// Memoizes dockerfile-ast's Instruction#getRawArguments: the library re-tokenizes an instruction's text on every
// call (dozens of times per instruction while parsing), which dominated lint time. Instructions never change after
// parsing, so a per-instance cache is safe; callers mutate the returned array (ModifiableInstruction shifts flags
// off it), so each call gets a copy.
import { Instruction } from 'dockerfile-ast';

interface RawArgumentsOwner {
  getRawArguments: (this: object) => unknown[];
}

const MEMO = Symbol.for('bulkhead.lint.rawArguments');
let installed = false;

export function installDockerfileAstMemo(): void {
  if (installed) return;
  installed = true;
  const proto = Instruction.prototype as unknown as RawArgumentsOwner;
  const original = proto.getRawArguments;
  if (typeof original !== 'function') return;
  proto.getRawArguments = function memoized(this: object): unknown[] {
    const holder = this as { [MEMO]?: unknown[] };
    let cached = holder[MEMO];
    if (cached === undefined) {
      cached = original.call(this);
      holder[MEMO] = cached;
    }
    return cached.slice();
  };
}
