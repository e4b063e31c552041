// The Diagnostic contract: a non-fatal problem any stage met while collecting or checking (DESIGN.md "Contracts
// shared by every stage"); stages return them, the report carries them, renderers print them.

/** A non-fatal problem met while collecting: a skipped bad record, an unreadable file. */
export interface Diagnostic {
  readonly level: 'warning' | 'error';
  readonly subject: string;
  readonly message: string;
}
