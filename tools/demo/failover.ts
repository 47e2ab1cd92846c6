/**
 * The demo's broker failure on a local cluster (npm run demo -- --nodes 3). A quarter of the way in,
 * the node that leads partition 0 is killed (kill -9: no clean shutdown, no leadership handed over).
 * The controllers notice when its heartbeats stop (broker.session.timeout.ms, 9 s by default) and
 * make an in-sync follower the partition's leader; producer and consumers find it through the
 * metadata and carry on. Half-way (or once the partition has its new leader, if that comes later),
 * the node starts again and catches up as a follower.
 */
import { Admin } from 'kafkajs';
import { LocalKafkaCluster } from '../kafka/local-cluster';

export class LeaderFailover {
  private killed?: { node: number; at: number };
  private movedTo?: { node: number; afterMs: number };
  private restarted?: { afterMs: number } | { failed: string };
  private shown = '';

  constructor(
    private readonly cluster: LocalKafkaCluster,
    private readonly admin: Admin,
    private readonly topic: string,
    private readonly durationS: number,
    private readonly announce: (line: string) => void,
  ) {}

  /** Each partition's leader as the metadata says now, e.g. `2/3/1` (`-` while a partition has none). */
  async leaders(): Promise<string> {
    try {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [this.topic] });
      const leaders = [...topics[0].partitions].sort((a, b) => a.partitionId - b.partitionId);
      this.shown = leaders.map((p) => (p.leader >= 0 ? String(p.leader) : '-')).join('/');
      const leader0 = leaders[0]?.leader;
      if (this.killed && !this.movedTo && leader0 >= 0 && leader0 !== this.killed.node) {
        this.movedTo = { node: leader0, afterMs: Date.now() - this.killed.at };
        this.announce(
          `▶ partition 0 is led by node ${leader0} now, ${(this.movedTo.afterMs / 1000).toFixed(1)} s after the kill: an in-sync replica took over`,
        );
      }
    } catch {
      // A node that just died can fail the request: the line keeps what it showed.
    }
    return this.shown;
  }

  /** Called once a second with the seconds elapsed: kills the leader; once another has taken over, restarts it. */
  async step(second: number): Promise<void> {
    if (!this.killed && second >= Math.floor(this.durationS / 4)) {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [this.topic] });
      const node = topics[0].partitions.find((p) => p.partitionId === 0)!.leader;
      this.announce(
        `▶ kill -9 node ${node}, the leader of partition 0: its followers hold every acknowledged record (acks=all, min ISR 2)`,
      );
      this.killed = { node, at: Date.now() };
      await this.cluster.node(node).kill();
    } else if (this.killed && this.movedTo && !this.restarted && second >= Math.floor(this.durationS / 2)) {
      const { node, at } = this.killed;
      this.announce(`▶ node ${node} starts again: it rejoins as a follower and catches up`);
      this.restarted = { afterMs: 0 };
      // Not awaited: the live line goes on while the node starts.
      this.cluster
        .node(node)
        .restart()
        .then(
          () => (this.restarted = { afterMs: Date.now() - at }),
          (error: unknown) => (this.restarted = { failed: (error as Error).message }),
        );
    }
  }

  summary(): string {
    if (!this.killed) return 'no node was killed (the run ended first)';
    const moved = this.movedTo
      ? `partition 0 moved from node ${this.killed.node} to node ${this.movedTo.node} in ${(this.movedTo.afterMs / 1000).toFixed(1)} s`
      : `partition 0 had no new leader yet`;
    const back =
      this.restarted && 'failed' in this.restarted
        ? `node ${this.killed.node} did not start again: ${this.restarted.failed}`
        : this.restarted?.afterMs
          ? `node ${this.killed.node} back after ${Math.round(this.restarted.afterMs / 1000)} s`
          : `node ${this.killed.node} still starting`;
    return `${moved}; ${back}`;
  }
}
