"""Times gensim on the query benchmark's workload: loading a word2vec binary file and most_similar for each word.

Prints one JSON line: load and query times of every repeat, and each query's top words with their similarities
(to check that both tools agree).
"""
import json, logging, sys, time

import gensim
from gensim.models import KeyedVectors

logging.basicConfig(level=logging.ERROR)
path, words_path, topn, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(words_path, encoding='utf-8') as f:
    words = f.read().split('\n')

load_seconds = []
for _ in range(repeats):
    start = time.perf_counter()
    kv = KeyedVectors.load_word2vec_format(path, binary=True)
    load_seconds.append(time.perf_counter() - start)

kv.fill_norms()
kv.most_similar(words[0], topn=topn)  # warm-up, outside the timings
query_seconds = []
for _ in range(repeats):
    start = time.perf_counter()
    top = [kv.most_similar(word, topn=topn) for word in words]
    query_seconds.append(time.perf_counter() - start)

print(json.dumps({
    'version': gensim.__version__,
    'load_seconds': load_seconds,
    'query_seconds': query_seconds,
    'top': [[[w, float(s)] for w, s in result] for result in top],
}))
