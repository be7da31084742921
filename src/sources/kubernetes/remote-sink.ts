/**
 * A ConfigSink for one remote cluster's source: tags every object with the cluster (so its keys
 * never collide with the config cluster's), remembers what it delivered, and can take all of it
 * back when the cluster goes away or its kubeconfig is replaced.
 */
import { objectKey, refOf, type ConfigObject, type ObjectRef } from '../../model/config.js';
import type { ConfigSink } from '../file/config-files.js';

export class ClusterSink implements ConfigSink {
  private readonly delivered = new Map<string, ObjectRef>();
  private detached = false;

  constructor(
    private readonly target: ConfigSink,
    readonly clusterID: string,
  ) {}

  upsert(obj: ConfigObject): void {
    if (this.detached) return;
    const tagged: ConfigObject = { ...obj, cluster: this.clusterID };
    const ref = refOf(tagged);
    this.delivered.set(objectKey(ref), ref);
    this.target.upsert(tagged);
  }

  remove(ref: ObjectRef): void {
    if (this.detached) return;
    const tagged = { ...ref, cluster: this.clusterID };
    if (this.delivered.delete(objectKey(tagged))) this.target.remove(tagged);
  }

  has(key: string): boolean {
    return this.delivered.has(key);
  }

  get size(): number {
    return this.delivered.size;
  }

  /** Ignores anything the (closing) source still sends. */
  detach(): void {
    this.detached = true;
  }

  /** Removes every object this sink delivered, except those `successor` has delivered since. */
  withdraw(successor?: ClusterSink): void {
    this.detached = true;
    for (const [key, ref] of this.delivered) if (!successor?.has(key)) this.target.remove(ref);
    this.delivered.clear();
  }
}
