#!/usr/bin/env python3
"""Writes a product-reviews CSV for examples/reviews/pipeline.yaml: no download, seeded.

Columns: review_id, category (6 values), price, review (free text, empty for ~2% of rows),
recommended ('yes' or 'no'). Whether a reviewer recommends the product depends mostly on the
words of the review (praise against complaints), a little on the price: a model needs the text.

Usage: python3 generate.py [--rows N] [--seed S] OUT.csv
"""
import argparse
import csv
import math
import random

CATEGORIES = ["kitchen", "garden", "toys", "books", "audio", "sports"]
PRAISE = ["great", "love", "excellent", "sturdy", "comfortable", "fast", "perfect", "recommend",
          "bargain", "works"]
COMPLAINTS = ["broken", "refund", "terrible", "flimsy", "late", "returned", "useless", "cheap",
              "disappointed", "noisy"]
FILLER = ["the", "a", "it", "this", "was", "is", "and", "my", "for", "with", "after", "day",
          "week", "product", "box", "arrived", "use", "kids", "price", "quality", "really",
          "very", "but", "so", "not", "again"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("out", help="the CSV file to write")
    p.add_argument("--rows", type=int, default=20_000, help="rows to write (default 20000)")
    p.add_argument("--seed", type=int, default=17, help="random seed (default 17)")
    a = p.parse_args()
    rnd = random.Random(a.seed)
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["review_id", "category", "price", "review", "recommended"])
        for i in range(a.rows):
            category = rnd.choice(CATEGORIES)
            price = round(rnd.lognormvariate(3, 0.8), 2)
            mood = rnd.gauss(0, 1.5)  # how the reviewer felt: tilts the words they pick
            words, score = [], 0.0
            for _ in range(rnd.randint(4, 30)):
                r = rnd.random()
                if r < 0.18 * (1 + math.tanh(mood)):
                    words.append(rnd.choice(PRAISE))
                    score += 1
                elif r < 0.36:
                    words.append(rnd.choice(COMPLAINTS))
                    score -= 1
                else:
                    words.append(rnd.choice(FILLER))
            text = " ".join(words).capitalize() + rnd.choice([".", "!", "!!", "..."])
            if rnd.random() < 0.02:
                text = ""  # no text: the step counts no terms
            logit = 1.2 * score - 0.01 * price + rnd.gauss(0, 0.5)
            recommended = "yes" if logit > 0 else "no"
            w.writerow([i, category, price, text, recommended])


if __name__ == "__main__":
    main()
