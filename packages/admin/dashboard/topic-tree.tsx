/**
 * The topic tree: topics seen in the traffic and the retained messages (the server keeps a
 * bounded set), nested by `/` levels, each with its last payload; a click shows it whole.
 */
import { useState } from "preact/hooks";
import type { Topic } from "./api.js";
import { usePoll } from "./use-poll.js";

const POLL_MS = 1500;
const INLINE_PREVIEW_CHARS = 40;

interface TreeNode {
  /** The level's name. */
  name: string;
  /** The topic ending at this level, when one was published. */
  topic: Topic | undefined;
  children: Map<string, TreeNode>;
}

export function buildTree(topics: readonly Topic[]): TreeNode {
  const root: TreeNode = { name: "", topic: undefined, children: new Map() };
  for (const topic of topics) {
    let node = root;
    for (const level of topic.topic.split("/")) {
      let child = node.children.get(level);
      if (child === undefined) {
        child = { name: level, topic: undefined, children: new Map() };
        node.children.set(level, child);
      }
      node = child;
    }
    node.topic = topic;
  }
  return root;
}

export function TopicTree() {
  const { data, error } = usePoll<Topic[]>("/api/topics", POLL_MS);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const tree = buildTree(data ?? []);
  const selectedTopic = data?.find((topic) => topic.topic === selected);
  return (
    <section class="panel">
      <h2>Topics</h2>
      {error !== undefined && <p class="error">Topics: {error}</p>}
      <div class="topic-layout">
        <ul class="tree" data-testid="topic-tree">
          {[...tree.children.values()].map((node) => (
            <TreeItem key={node.name} node={node} onSelect={setSelected} selected={selected} />
          ))}
        </ul>
        <div class="topic-detail" data-testid="topic-detail">
          {selectedTopic === undefined ? (
            <p class="note">{data?.length === 0 ? "No topics yet." : "Select a topic."}</p>
          ) : (
            <>
              <h3 class="mono">{selectedTopic.topic}</h3>
              <p class="note">
                QoS {selectedTopic.qos}
                {selectedTopic.retain ? ", retained" : ""}, {selectedTopic.bytes} bytes,{" "}
                {selectedTopic.messages === 1 ? "1 message" : `${selectedTopic.messages} messages`},
                last at {new Date(selectedTopic.updatedAt).toLocaleTimeString()}
                {selectedTopic.encoding === "base64" ? " (binary, base64)" : ""}
                {selectedTopic.truncated ? " (first bytes)" : ""}
              </p>
              <pre class="payload">{selectedTopic.payload}</pre>
            </>
          )}
        </div>
      </div>
    </section>
  );
}

function TreeItem({
  node,
  onSelect,
  selected,
}: {
  node: TreeNode;
  onSelect: (topic: string) => void;
  selected: string | undefined;
}) {
  const topic = node.topic;
  return (
    <li>
      {topic === undefined ? (
        <span class="level">{node.name === "" ? "(empty)" : node.name}</span>
      ) : (
        <button
          type="button"
          class={`level topic${topic.topic === selected ? " selected" : ""}`}
          data-topic={topic.topic}
          onClick={() => onSelect(topic.topic)}
        >
          {node.name === "" ? "(empty)" : node.name}
          <span class="inline-payload">{inlinePreview(topic)}</span>
        </button>
      )}
      {node.children.size > 0 && (
        <ul>
          {[...node.children.values()].map((child) => (
            <TreeItem key={child.name} node={child} onSelect={onSelect} selected={selected} />
          ))}
        </ul>
      )}
    </li>
  );
}

function inlinePreview(topic: Topic): string {
  if (topic.encoding === "base64") return `${topic.bytes} bytes`;
  const text = topic.payload.replace(/\s+/g, " ");
  return text.length > INLINE_PREVIEW_CHARS ? `${text.slice(0, INLINE_PREVIEW_CHARS)}…` : text;
}
