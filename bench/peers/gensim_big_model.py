"""Times gensim on the big-model benchmark: loading a word2vec file, then (given query words) the first most_similar
after the load and the mean time of single most_similar queries.

usage: gensim_big_model.py MODEL bin|txt [WORDS_FILE TOPN SINGLE_COUNT]
Prints one JSON line: the times, and each single query's top words with their similarities.
"""
import json, logging, sys, time

import gensim
from gensim.models import KeyedVectors

logging.basicConfig(level=logging.ERROR)
path, kind = sys.argv[1], sys.argv[2]
start = time.perf_counter()
kv = KeyedVectors.load_word2vec_format(path, binary=(kind == 'bin'))
loaded = time.perf_counter()
result = {'version': gensim.__version__, 'load_seconds': loaded - start}

if len(sys.argv) > 3:
    with open(sys.argv[3], encoding='utf-8') as f:
        words = f.read().split('\n')
    topn, count = int(sys.argv[4]), int(sys.argv[5])
    kv.most_similar(words[0], topn=topn)  # computes the norms first
    result['first_query_seconds'] = time.perf_counter() - loaded
    start = time.perf_counter()
    top = [kv.most_similar(word, topn=topn) for word in words[:count]]
    result['single_seconds'] = (time.perf_counter() - start) / count
    result['top'] = [[[w, float(s)] for w, s in answer] for answer in top]

print(json.dumps(result))
