/**
 * k-way merge of sorted streams: a binary min-heap of stream heads, O(n log k). Equal heads come
 * out in stream order, so the merge is stable.
 */
export function mergeSorted<T>(streams: readonly (readonly T[])[], compare: (a: T, b: T) => number, limit = Infinity): T[] {
  // Heap entries: [stream index, position in that stream].
  const heap: [number, number][] = [];
  const before = (x: [number, number], y: [number, number]): boolean => {
    const c = compare(streams[x[0]][x[1]], streams[y[0]][y[1]]);
    return c < 0 || (c === 0 && x[0] < y[0]);
  };
  const up = (i: number): void => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) return;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && before(heap[l], heap[best])) best = l;
      if (r < heap.length && before(heap[r], heap[best])) best = r;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best], heap[i]];
      i = best;
    }
  };

  streams.forEach((s, i) => {
    if (s.length > 0) {
      heap.push([i, 0]);
      up(heap.length - 1);
    }
  });
  const out: T[] = [];
  while (heap.length > 0 && out.length < limit) {
    const top = heap[0];
    out.push(streams[top[0]][top[1]]);
    if (top[1] + 1 < streams[top[0]].length) {
      heap[0] = [top[0], top[1] + 1];
    } else {
      const last = heap.pop()!;
      if (heap.length === 0) break;
      heap[0] = last;
    }
    down(0);
  }
  return out;
}

/** Sorts a stream in place unless it already is sorted (one pass to check). */
export function ensureSorted<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < items.length; i++) {
    if (compare(items[i - 1], items[i]) > 0) return items.sort(compare);
  }
  return items;
}
