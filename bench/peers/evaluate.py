"""Scores a word2vec file with gensim's own evaluation: analogies (the top
--restrict-vocab words, 30,000 by default) and word-pair Spearman.

    python3 evaluate.py vectors questions pairs [bin|txt] [--restrict-vocab N]
"""
import argparse, json, logging

from gensim.models import KeyedVectors

logging.basicConfig(level=logging.ERROR)
p = argparse.ArgumentParser()
p.add_argument('path')
p.add_argument('questions')
p.add_argument('pairs')
p.add_argument('format', nargs='?', choices=['bin', 'txt'], default='bin')
p.add_argument('--restrict-vocab', type=int, default=30000)
a = p.parse_args()
kv = KeyedVectors.load_word2vec_format(a.path, binary=a.format == 'bin')
accuracy, sections = kv.evaluate_word_analogies(a.questions, restrict_vocab=a.restrict_vocab)
sections = [s for s in sections if s['section'] != 'Total accuracy']
answered = sum(len(s['correct']) + len(s['incorrect']) for s in sections)
syntactic_sections = [s for s in sections if s['section'].startswith('gram')]
correct = sum(len(s['correct']) for s in syntactic_sections)
total = sum(len(s['correct']) + len(s['incorrect']) for s in syntactic_sections)
syntactic = correct / total if total else 0.0
(pearson, _), (spearman, _), oov = kv.evaluate_word_pairs(a.pairs, restrict_vocab=300000)
print(json.dumps({'analogy': accuracy, 'syntactic': syntactic, 'answered': answered,
                  'spearman': spearman, 'pearson': pearson, 'oov': oov}))
