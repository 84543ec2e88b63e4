#!/usr/bin/env python3
"""Writes a flights-like CSV for examples/flights/pipeline.yaml: no download, seeded.

Columns: flight_id, carrier, tailnum (~4,000 values), origin, dest, distance, dep_time
('yyyy-MM-dd HH:mm' string), arr_delay (minutes, null for ~3% of rows: cancelled or diverted).
Late arrivals are likelier in the evening, on long flights, for some carriers and some tails.

Also writes the carriers reference table the spec's lookup step joins (carrier, carrier_name,
alliance, fleet_size; one carrier, VX, is left out, so its flights get the unknown value), by
default beside OUT as OUT-without-.csv + '-carriers.csv' (/tmp/flights.csv ->
/tmp/flights-carriers.csv).

Usage: python3 generate.py [--rows N] [--seed S] [--carriers CARRIERS.csv] OUT.csv
"""
import argparse
import csv
import datetime
import math
import random

CARRIERS = ["AA", "UA", "DL", "B6", "WN", "EV", "MQ", "US", "9E", "VX"]
# The reference table: fixed content, so its fingerprint (in lineage and the feature cache key)
# only changes when this list does.
CARRIER_TABLE = [
    ("AA", "American Airlines", "oneworld", 950),
    ("UA", "United Airlines", "star", 900),
    ("DL", "Delta Air Lines", "skyteam", 880),
    ("B6", "JetBlue Airways", "none", 280),
    ("WN", "Southwest Airlines", "none", 780),
    ("EV", "ExpressJet Airlines", "none", 120),
    ("MQ", "Envoy Air", "oneworld", 180),
    ("US", "US Airways", "oneworld", 340),
    ("9E", "Endeavor Air", "skyteam", 150),
]
AIRPORTS = ["JFK", "LGA", "EWR", "ATL", "ORD", "LAX", "SFO", "MIA", "BOS", "DFW", "DEN", "SEA"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("out", help="the CSV file to write")
    p.add_argument("--rows", type=int, default=50_000, help="rows to write (default 50000)")
    p.add_argument("--seed", type=int, default=13, help="random seed (default 13)")
    p.add_argument("--carriers", help="the carriers table to write (default: beside OUT, "
                   "OUT-without-.csv + '-carriers.csv')")
    a = p.parse_args()
    carriers = a.carriers or (a.out[:-4] if a.out.endswith(".csv") else a.out) + "-carriers.csv"
    with open(carriers, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["carrier", "carrier_name", "alliance", "fleet_size"])
        w.writerows(CARRIER_TABLE)
    rnd = random.Random(a.seed)
    tails = ["N%04d" % i for i in range(4000)]
    tail_effect = {t: rnd.gauss(0, 8) for t in tails}
    carrier_effect = {c: rnd.gauss(0, 6) for c in CARRIERS}
    start = datetime.datetime(2013, 1, 1)
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["flight_id", "carrier", "tailnum", "origin", "dest", "distance",
                    "dep_time", "arr_delay"])
        for i in range(a.rows):
            carrier = rnd.choice(CARRIERS)
            tail = rnd.choice(tails)
            origin, dest = rnd.sample(AIRPORTS, 2)
            distance = rnd.randint(90, 2800)
            dep = start + datetime.timedelta(minutes=rnd.randint(0, 365 * 24 * 60))
            evening = 12 * math.sin(math.pi * (dep.hour - 9) / 12)
            delay = (evening + distance / 200 + carrier_effect[carrier] + tail_effect[tail]
                     + rnd.expovariate(1 / 12) - 15)
            arr_delay = "" if rnd.random() < 0.03 else round(delay)
            w.writerow([i, carrier, tail, origin, dest, distance,
                        dep.strftime("%Y-%m-%d %H:%M"), arr_delay])


if __name__ == "__main__":
    main()
