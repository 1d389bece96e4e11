"""Times gensim on the big-fastText benchmark: load_facebook_vectors of a fastText .bin model, the first
most_similar after the load and the mean time of single most_similar queries (words outside the vocabulary),
and the vectors of a few words.

usage: gensim_big_fasttext.py MODEL QUERY_WORDS_FILE TOPN SINGLE_COUNT CHECK_WORDS_FILE
Prints one JSON line: the times, each single query's top words with their similarities, and the vectors.
"""
import json, logging, sys, time

import gensim
from gensim.models.fasttext import load_facebook_vectors

logging.basicConfig(level=logging.ERROR)
path, words_file, topn, count, check_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
start = time.perf_counter()
kv = load_facebook_vectors(path)
loaded = time.perf_counter()
result = {'version': gensim.__version__, 'load_seconds': loaded - start}

with open(words_file, encoding='utf-8') as f:
    words = f.read().split('\n')
kv.most_similar(words[0], topn=topn)  # computes the norms first
result['first_query_seconds'] = time.perf_counter() - loaded
start = time.perf_counter()
top = [kv.most_similar(word, topn=topn) for word in words[:count]]
result['single_seconds'] = (time.perf_counter() - start) / count
result['top'] = [[[w, float(s)] for w, s in answer] for answer in top]
with open(check_file, encoding='utf-8') as f:
    result['vectors'] = {word: [float(x) for x in kv[word]] for word in f.read().split('\n')}

print(json.dumps(result))
