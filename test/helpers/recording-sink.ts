import type { ConfigObject, ObjectRef } from '../../src/model/config.js';
import { objectKey, refOf } from '../../src/model/config.js';
import type { ConfigSink } from '../../src/sources/file/config-files.js';

/** A ConfigSink that keeps what it was told, like a tiny store, and logs every call. */
export class RecordingSink implements ConfigSink {
  readonly objects = new Map<string, ConfigObject>();
  readonly calls: string[] = [];

  upsert(obj: ConfigObject): void {
    const key = objectKey(refOf(obj));
    this.objects.set(key, obj);
    this.calls.push(`upsert ${key}`);
  }

  remove(ref: ObjectRef): void {
    const key = objectKey(ref);
    this.objects.delete(key);
    this.calls.push(`remove ${key}`);
  }

  keys(): string[] {
    return [...this.objects.keys()].sort();
  }
}
