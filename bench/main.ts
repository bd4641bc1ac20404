import { parseBenchOptions, type BenchOptions } from './bench-options.js';
import { ProgressReporter } from './progress-reporter.js';
import { writeReport } from './report/write-report.js';
import {
  measureFanOutOnly,
  measureSystem,
  runningSystems,
  type SystemResult,
} from './system-run.js';
import { startChatCluster } from './systems/chat-cluster.system.js';
import { startChatRedisPgCluster } from './systems/chat-redis-pg.system.js';
import { postgresAnswers } from './systems/postgres-probe.js';
import { redisAnswers } from './systems/redis-probe.js';
import { startSocketIoCluster } from './systems/socketio-cluster.system.js';
import { SYSTEM_LABELS } from './systems/system-under-test.js';
import { startWsCeiling } from './systems/ws-ceiling.system.js';

/**
 * `npm run bench`: starts each system from the built output, loads it,
 * stops it, and writes bench/results/latest.{json,md} and latency.svg.
 */
async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const progress = new ProgressReporter();
  const systems: SystemResult[] = [];
  const startedAt = new Date();

  // The peer goes first: the chat's step at the peer's half maximum rate
  // needs that maximum.
  let peerHalfMax: number | undefined;
  if (options.systems.includes('socketio')) {
    if (await redisAnswers()) {
      const peer = await measureSystem(
        'socketio',
        startSocketIoCluster,
        options,
        progress,
        (own) => Math.round(own.maxHeldRate / 2),
      );
      peerHalfMax = peer.atPeerHalfMax?.offeredRate;
      systems.push(peer);
    } else {
      const skipped = 'no Redis answered on 127.0.0.1:6379';
      progress.note(`peer skipped: ${skipped}`);
      systems.push({
        name: 'socketio',
        label: SYSTEM_LABELS.socketio,
        skipped,
      });
    }
  }
  if (options.systems.includes('ws-ceiling')) {
    systems.push(
      await measureSystem('ws-ceiling', startWsCeiling, options, progress),
    );
  }
  if (options.systems.includes('chat')) {
    systems.push(
      await measureSystem(
        'chat',
        startChatCluster,
        options,
        progress,
        () => peerHalfMax,
      ),
    );
  }
  if (options.systems.includes('chat-redis-pg')) {
    systems.push(await measureChatRedisPg(options, progress));
  }
  progress.done();

  await writeReport(options, systems, startedAt);
}

/**
 * Scenario 1 on the chat as several hosts run it, or a skip that says
 * which of the machine's servers did not answer.
 */
async function measureChatRedisPg(
  options: BenchOptions,
  progress: ProgressReporter,
): Promise<SystemResult> {
  const [redis, postgres] = await Promise.all([
    redisAnswers(),
    postgresAnswers(),
  ]);
  const missing = [
    ...(redis ? [] : ['no Redis answered on 127.0.0.1:6379']),
    ...(postgres ? [] : ['no PostgreSQL answered on 127.0.0.1:5432']),
  ];
  if (missing.length > 0) {
    const skipped = missing.join(' and ');
    progress.note(`chat-redis-pg skipped: ${skipped}`);
    return {
      name: 'chat-redis-pg',
      label: SYSTEM_LABELS['chat-redis-pg'],
      skipped,
    };
  }

  return measureFanOutOnly(
    'chat-redis-pg',
    startChatRedisPgCluster,
    options,
    progress,
  );
}

/** Stops whatever is running, once, then exits. */
function stopAndExit(code: number): void {
  const stops = [...runningSystems].map((system) => system.stop());
  void Promise.allSettled(stops).then(() => process.exit(code));
}

process.once('SIGINT', () => stopAndExit(130));
process.once('SIGTERM', () => stopAndExit(143));

main().catch((err: unknown) => {
  process.stderr.write(
    `\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  stopAndExit(1);
});
