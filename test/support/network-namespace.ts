import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * A second host made of this machine: a network namespace joined to the
 * root namespace by a veth pair, in a /30 of its own. The root end holds
 * the subnet's first address and the namespace end the second; nothing
 * routes further, so the namespace reaches the root end's address only.
 */
export class NetworkNamespace {
  private removed = false;

  private constructor(
    /** The name `ip netns` knows it by. */
    readonly name: string,
    /** The root namespace's end of the veth pair. */
    readonly rootLink: string,
    /** The address of the root end, which the namespace can reach. */
    readonly rootAddress: string,
    /** The namespace's own address, which the root namespace can reach. */
    readonly address: string,
  ) {}

  /**
   * Creates namespace `${prefix}-${index}` with its veth pair in
   * 10.213.`subnet`.0/30. On a failure part-way it removes what it made,
   * then throws.
   */
  static create(prefix: string, index: number, subnet: number) {
    const namespace = new NetworkNamespace(
      `${prefix}-${index}`,
      `${prefix}r${index}`,
      `10.213.${subnet}.1`,
      `10.213.${subnet}.2`,
    );
    const inner = `${prefix}n${index}`;

    try {
      ip('netns', 'add', namespace.name);
      ip(
        'link',
        'add',
        namespace.rootLink,
        'type',
        'veth',
        'peer',
        'name',
        inner,
      );
      ip('link', 'set', inner, 'netns', namespace.name);
      ip(
        'addr',
        'add',
        `${namespace.rootAddress}/30`,
        'dev',
        namespace.rootLink,
      );
      ip('link', 'set', namespace.rootLink, 'up');
      namespace.ip('addr', 'add', `${namespace.address}/30`, 'dev', inner);
      namespace.ip('link', 'set', inner, 'up');
      namespace.ip('link', 'set', 'lo', 'up');
    } catch (err) {
      namespace.remove();
      throw err;
    }

    return namespace;
  }

  /** The command that runs a program inside the namespace. */
  get launcher(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  /** Runs `ip` inside the namespace. */
  ip(...args: string[]): string {
    return ip('-n', this.name, ...args);
  }

  /**
   * Deletes the veth pair (both ends go together) and the namespace,
   * whatever of them exists; synchronous, so that an exit handler can
   * call it too. Stop the processes inside first.
   */
  remove(): void {
    if (this.removed) {
      return;
    }

    this.removed = true;
    tryIp('link', 'del', this.rootLink);
    tryIp('netns', 'del', this.name);
  }
}

/**
 * Why network namespaces cannot be made here, or undefined when they can:
 * tries `ip -V`, then adds and deletes a namespace of its own.
 */
export function namespacesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) {
    return 'network namespaces need root';
  }

  try {
    ip('-V');
  } catch (err) {
    return `no usable ip command (${describeError(err)})`;
  }

  const probe = `chatprobe-${randomBytes(4).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
  } catch (err) {
    return `ip netns add failed (${describeError(err)})`;
  }
  tryIp('netns', 'del', probe);

  return undefined;
}

/**
 * A random prefix for one run's namespaces and links: ten characters, so
 * that a link name stays within the kernel's fifteen (IFNAMSIZ - 1).
 */
export function namespacePrefix(): string {
  return `chat${randomBytes(3).toString('hex')}`;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
}

function tryIp(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // Already gone, or never made: removal is best effort by design.
  }
}

function describeError(err: unknown): string {
  const stderr = (err as { stderr?: string }).stderr?.trim();
  if (stderr) {
    return stderr.split('\n')[0];
  }

  return err instanceof Error ? err.message : String(err);
}
