/**
 * The messages between the bench's main thread and its load workers. Each
 * request carries a `ref`, echoed by its answer.
 */

/** How the load speaks to a system: our JSON frames, or Socket.IO's. */
export type DialectName = 'chat' | 'socketio';

/** One client to open, join and keep. */
export interface ClientSpec {
  /** Global index of the client across every worker. */
  index: number;
  url: string;
  room: string;
  nick: string;
}

export interface ConnectRequest {
  type: 'connect';
  ref: number;
  clients: ClientSpec[];
  /** Handshakes under way at once in this worker. */
  concurrency: number;
  timeoutMs: number;
}

export interface RunRequest {
  type: 'run';
  ref: number;
  /** Number of the step; message ids carry it. */
  step: number;
  /** Global indices of this worker's senders, taking turns. */
  senders: number[];
  /** Messages per second sent by this worker, all senders together. */
  rate: number;
  /** Messages this worker sends in the step. */
  count: number;
  /** Epoch milliseconds at which message 0 is due. */
  startAt: number;
  /** Fraction of one send interval by which this worker lags the others. */
  phase: number;
}

export interface StatsRequest {
  type: 'stats';
  ref: number;
  step: number;
}

export interface CloseRequest {
  type: 'close';
  ref: number;
}

export type WorkerRequest =
  ConnectRequest | RunRequest | StatsRequest | CloseRequest;

export interface ConnectAnswer {
  type: 'connected';
  ref: number;
  connected: number;
  failed: number;
  /** Joined clients per instance name that answered the join. */
  servers: Record<string, number>;
  /** The global indices of those clients, per instance name. */
  clientsByServer: Record<string, number[]>;
  firstError: string | null;
}

export interface RunAnswer {
  type: 'ran';
  ref: number;
  sent: number;
  /** Sends skipped because the sender's socket was not open. */
  unsent: number;
  /** How late the last message left, behind its schedule, in ms. */
  lagMs: number;
}

/** What the worker's clients received of one step so far. */
export interface StepStats {
  /** Distinct message deliveries to clients other than the sender. */
  delivered: number;
  /** Deliveries of a message a client had already received. */
  duplicated: number;
  /** The sender's own copy of its messages. */
  echoes: number;
  acks: number;
  errors: number;
  /** Messages of another step arriving now. */
  stray: number;
  /** Clients whose socket closed during the run. */
  dropped: number;
  /**
   * Clients that received no message of the step, by the server they are
   * on: where deliveries are lost, this says whose.
   */
  silent: Record<string, number>;
  histogram: { counts: Uint32Array; maxMicros: number };
}

export interface StatsAnswer extends StepStats {
  type: 'stats';
  ref: number;
}

export interface ClosedAnswer {
  type: 'closed';
  ref: number;
}

export interface FailedAnswer {
  type: 'failed';
  ref: number;
  message: string;
}

export type WorkerAnswer =
  ConnectAnswer | RunAnswer | StatsAnswer | ClosedAnswer | FailedAnswer;

/** What a worker is started with. */
export interface WorkerSetup {
  dialect: DialectName;
}
