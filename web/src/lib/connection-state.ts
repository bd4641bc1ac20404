/** Where the chat socket is in its life, as the badge shows it. */
export type ConnectionState =
  | { phase: 'idle' }
  | { phase: 'connecting'; attempt: number }
  | { phase: 'open' }
  | {
      phase: 'reconnecting';
      attempt: number;
      /** `Date.now()` of the next try. */
      nextTryAt: number;
      /** Close code of the socket that was lost. */
      closeCode: number;
      /** The balancer said that no gateway is up (HTTP 503 on `/ws`). */
      noServer: boolean;
    };

export type ConnectionPhase = ConnectionState['phase'];
