"""Writes a corpus's most frequent words, one a line: the same words for every
tool's analogy score (see evaluate.py --words). Ties in count go in code-point
order, so the list does not depend on any tool's vocabulary order.

    python3 top_words.py corpus.txt count out.txt [--min-count 5]
"""
import argparse, collections

p = argparse.ArgumentParser()
p.add_argument('corpus')
p.add_argument('count', type=int)
p.add_argument('out')
p.add_argument('--min-count', type=int, default=5)
a = p.parse_args()
counts = collections.Counter()
with open(a.corpus, encoding='utf-8') as f:
    for line in f:
        counts.update(line.split())
ranked = sorted((w for w, n in counts.items() if n >= a.min_count), key=lambda w: (-counts[w], w))
with open(a.out, 'w', encoding='utf-8') as f:
    f.write(''.join(w + '\n' for w in ranked[:a.count]))
