"""Scores a word2vec binary file with gensim's own evaluation: analogies (top 30,000 words) and word-pair Spearman."""
import json, logging, sys

from gensim.models import KeyedVectors

logging.basicConfig(level=logging.ERROR)
path, questions, pairs = sys.argv[1:4]
binary = len(sys.argv) < 5 or sys.argv[4] == 'bin'
kv = KeyedVectors.load_word2vec_format(path, binary=binary)
accuracy, sections = kv.evaluate_word_analogies(questions, restrict_vocab=30000)
syntactic_sections = [s for s in sections if s['section'].startswith('gram')]
correct = sum(len(s['correct']) for s in syntactic_sections)
total = sum(len(s['correct']) + len(s['incorrect']) for s in syntactic_sections)
syntactic = correct / total if total else 0.0
(pearson, _), (spearman, _), oov = kv.evaluate_word_pairs(pairs, restrict_vocab=300000)
print(json.dumps({'analogy': accuracy, 'syntactic': syntactic, 'spearman': spearman, 'pearson': pearson, 'oov': oov}))
