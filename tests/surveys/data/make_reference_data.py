"""Writes the synthetic survey the R comparison uses (seeded: running it again gives the same files).

A stratified two-stage sample of a made-up town: 3 strata (北・南・東) with N_h people and M_h
neighbourhood associations (PSUs); 8 PSUs drawn per stratum, then people within them; about 8% do
not answer the loneliness question and 5% leave the UCLA-3 score blank. The margins are the
town's made-up resident register by age, sex and area.

    .venv/bin/python tests/surveys/data/make_reference_data.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
STRATA = {"北": (5200, 40), "南": (2100, 24), "東": (900, 12)}  # people, PSUs in the population
AREAS = ["A", "B", "C", "D", "E"]
AGES = ["18-39", "40-64", "65+"]
SEXES = ["女", "男"]


def main() -> None:
    rng = np.random.default_rng(20261203)
    rows = []
    for stratum, (people, psus) in STRATA.items():
        drawn = rng.choice(np.arange(1, psus + 1), size=8, replace=False)
        n_h = {"北": 420, "南": 260, "東": 120}[stratum]
        psu = rng.choice(drawn, size=n_h)
        for p in psu:
            age = rng.choice(AGES, p=[0.3, 0.4, 0.3])
            sex = rng.choice(SEXES)
            area = rng.choice(AREAS, p=[0.3, 0.25, 0.2, 0.15, 0.1])
            older = age == "65+"
            lonely = rng.choice(
                ["1", "2", "3", "4", "5"], p=[0.07, 0.13, 0.25, 0.3, 0.25] if older else [0.04, 0.1, 0.2, 0.36, 0.3]
            )
            score = int(np.clip(rng.normal(6.2 + (0.8 if older else 0) + (0.5 if area == "E" else 0), 2), 3, 12))
            rows.append(
                {
                    "id": len(rows) + 1,
                    "stratum": stratum,
                    "N": people,
                    "psu": f"{stratum}-{p:02d}",
                    "N_psu": psus,
                    "w": round(people / n_h * rng.uniform(0.8, 1.25), 4),
                    "area": area,
                    "age": age,
                    "sex": sex,
                    "lonely": "" if rng.random() < 0.08 else lonely,
                    "score": "" if rng.random() < 0.05 else score,
                    "household": rng.choice(["single", "couple", "family"], p=[0.25, 0.35, 0.4]),
                }
            )
    with open(HERE / "responses.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    total = sum(p for p, _ in STRATA.values())
    margins = [
        ("age", dict(zip(AGES, [0.31, 0.39, 0.30], strict=True))),
        ("sex", dict(zip(SEXES, [0.52, 0.48], strict=True))),
        ("area", dict(zip(AREAS, [0.28, 0.26, 0.2, 0.16, 0.10], strict=True))),
    ]
    with open(HERE / "margins.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["margin", "category", "population"])
        for margin, shares in margins:
            for category, share in shares.items():
                writer.writerow([margin, category, round(total * share)])


if __name__ == "__main__":
    main()
