/**
 * A radix trie of plain path prefixes that finds, in time linear in the path length, the longest
 * stored prefix of a path, and from there every shorter stored prefix without searching again.
 */

/** A node that holds a value: one stored prefix. */
export interface PrefixHit<T> {
  /** The stored prefix itself, kept so a match never has to slice the request path. */
  readonly prefix: string;
  readonly value: T;
  /** The next shorter stored prefix on the same branch, or null. Set by seal(). */
  readonly shorter: PrefixHit<T> | null;
}

class Node<T> implements PrefixHit<T> {
  /** Keyed by the first char code of the child's edge label. */
  children: Map<number, Node<T>> | null = null;
  value!: T;
  hasValue = false;
  shorter: Node<T> | null = null;

  constructor(
    /** The edge label leading to this node. */
    public label: string,
    public prefix: string,
  ) {}
}

export class PrefixTrie<T> {
  private readonly root = new Node<T>('', '');
  private sealed = false;

  /** Returns the value stored at `prefix`, creating it with `create` the first time. */
  upsert(prefix: string, create: () => T): T {
    if (this.sealed) throw new Error('prefix trie is sealed');
    const node = this.nodeFor(prefix);
    if (!node.hasValue) {
      node.value = create();
      node.hasValue = true;
    }
    return node.value;
  }

  /** Links every valued node to its nearest valued ancestor; call once after the last upsert. */
  seal(): void {
    this.sealed = true;
    const visit = (node: Node<T>, nearest: Node<T> | null): void => {
      node.shorter = nearest;
      const next = node.hasValue ? node : nearest;
      if (node.children) for (const child of node.children.values()) visit(child, next);
    };
    visit(this.root, null);
  }

  /** The longest stored prefix of `path`, or null; follow `shorter` for the others. */
  longest(path: string): PrefixHit<T> | null {
    let node = this.root;
    let depth = 0;
    let best: Node<T> | null = node.hasValue ? node : null;
    for (;;) {
      const child = depth < path.length ? node.children?.get(path.charCodeAt(depth)) : undefined;
      if (child === undefined || !path.startsWith(child.label, depth)) return best;
      node = child;
      depth += child.label.length;
      if (node.hasValue) best = node;
    }
  }

  /** Finds or creates the node for `prefix`, splitting an edge when the prefix ends inside it. */
  private nodeFor(prefix: string): Node<T> {
    let node = this.root;
    let depth = 0;
    while (depth < prefix.length) {
      const key = prefix.charCodeAt(depth);
      node.children ??= new Map();
      const child = node.children.get(key);
      if (child === undefined) {
        const leaf = new Node<T>(prefix.slice(depth), prefix);
        node.children.set(key, leaf);
        return leaf;
      }
      const common = commonLength(child.label, prefix, depth);
      if (common < child.label.length) {
        const middle = new Node<T>(child.label.slice(0, common), prefix.slice(0, depth + common));
        child.label = child.label.slice(common);
        middle.children = new Map([[child.label.charCodeAt(0), child]]);
        node.children.set(key, middle);
        node = middle;
      } else {
        node = child;
      }
      depth += common;
    }
    return node;
  }
}

/** How many chars of `label` match `text` from `offset`. */
function commonLength(label: string, text: string, offset: number): number {
  let i = 0;
  while (i < label.length && offset + i < text.length && label.charCodeAt(i) === text.charCodeAt(offset + i)) i++;
  return i;
}
