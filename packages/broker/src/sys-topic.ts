/** `$SYS/...` is the broker's own topic tree: clients may read it, never publish to it. */
export function isSysTopic(topic: string): boolean {
  return topic.startsWith("$SYS") && (topic.length === 4 || topic.charCodeAt(4) === 0x2f);
}
