"""Scores a word2vec binary file with gensim's own evaluation: analogies (top 30,000 words) and word-pair Spearman."""
import json, logging, sys

from gensim.models import KeyedVectors

logging.basicConfig(level=logging.ERROR)
path, questions, pairs = sys.argv[1:4]
binary = len(sys.argv) < 5 or sys.argv[4] == 'bin'
kv = KeyedVectors.load_word2vec_format(path, binary=binary)
accuracy, _ = kv.evaluate_word_analogies(questions, restrict_vocab=30000)
(pearson, _), (spearman, _), oov = kv.evaluate_word_pairs(pairs, restrict_vocab=300000)
print(json.dumps({'analogy': accuracy, 'spearman': spearman, 'pearson': pearson, 'oov': oov}))
