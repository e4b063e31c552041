// The one "run until SIGTERM or SIGINT" of the long-running commands (watch, watch net, server, agent --every):
// listens from the call on, so a signal during start-up is not lost, and stops listening once one arrived (a second
// signal then gets Node's default and ends the process) or when the command ends another way.

export interface StopSignal {
  /** The first SIGTERM or SIGINT. */
  readonly received: Promise<NodeJS.Signals>;
  /** Whether one has arrived. */
  readonly stopped: () => boolean;
  /** Stops listening (in a `finally`, when the command ends for another reason). */
  dispose(): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export function onStopSignal(): StopSignal {
  let arrived = false;
  let dispose = (): void => undefined;
  const received = new Promise<NodeJS.Signals>((done) => {
    const handlers = SIGNALS.map((signal) => {
      const handler = (): void => {
        arrived = true;
        dispose();
        done(signal);
      };
      process.on(signal, handler);
      return [signal, handler] as const;
    });
    dispose = () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
  });
  return {
    received,
    stopped: () => arrived,
    dispose: () => {
      dispose();
    },
  };
}
