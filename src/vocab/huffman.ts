/**
 * Huffman codes for hierarchical softmax, flattened: word w's path from the
 * root has inner nodes points[offsets[w] .. offsets[w+1]) (numbered 0..V-2,
 * the root is V-2) and the branch taken at each is codes[...] (0 or 1).
 */
export interface HuffmanTree {
  offsets: Int32Array;
  points: Int32Array;
  codes: Uint8Array;
  maxCodeLength: number;
}

/**
 * Builds the tree in linear time from counts sorted most frequent first, as
 * word2vec.c's CreateBinaryTree does: leaves and merged nodes each come out
 * of a sorted queue, so the two smallest are always at a queue front.
 */
export function buildHuffman(counts: ArrayLike<number>): HuffmanTree {
  const v = counts.length;
  const nodes = Math.max(2 * v - 1, 1);
  const weight = new Float64Array(nodes);
  const parent = new Int32Array(nodes);
  const branch = new Uint8Array(nodes);
  for (let i = 0; i < v; i++) weight[i] = counts[i];
  let leaf = v - 1; // next smallest leaf, walking towards the most frequent
  let merged = v; // next smallest merged node
  // Merged nodes v..limit-1 exist so far; ties go to the merged node, as in word2vec.c.
  const smallest = (limit: number): number =>
    leaf >= 0 && (merged >= limit || weight[leaf] < weight[merged]) ? leaf-- : merged++;
  for (let a = 0; a < v - 1; a++) {
    const first = smallest(v + a);
    const second = smallest(v + a);
    weight[v + a] = weight[first] + weight[second];
    parent[first] = v + a;
    parent[second] = v + a;
    branch[second] = 1;
  }
  const root = 2 * v - 2;
  const lengths = new Int32Array(v);
  let total = 0;
  let maxCodeLength = 0;
  for (let w = 0; w < v; w++) {
    let length = 0;
    for (let node = w; node !== root; node = parent[node]) length++;
    lengths[w] = length;
    total += length;
    if (length > maxCodeLength) maxCodeLength = length;
  }
  const offsets = new Int32Array(v + 1);
  for (let w = 0; w < v; w++) offsets[w + 1] = offsets[w] + lengths[w];
  const points = new Int32Array(total);
  const codes = new Uint8Array(total);
  for (let w = 0; w < v; w++) {
    // Walk leaf to root, writing the path backwards so it reads root first.
    let j = offsets[w + 1] - 1;
    for (let node = w; node !== root; node = parent[node]) {
      codes[j] = branch[node];
      points[j] = parent[node] - v;
      j--;
    }
  }
  return { offsets, points, codes, maxCodeLength };
}
