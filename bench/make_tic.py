"""Write a synthetic Transparency in Coverage in-network-rates file of about a given size.

Usage: python bench/make_tic.py OUT.json [SIZE_MB]. Every code carries a small set of contract
rates reused across many provider groups, as real files do (one fee schedule, many groups).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

HEADER = (
    '{"reporting_entity_name": "SYNTHETIC benchmark payer", "reporting_entity_type": "synthetic",'
    ' "last_updated_on": "2026-01-01", "version": "2.0.0",'
    ' "provider_references": [{"provider_group_id": 1, "network_name": ["synthetic"],'
    ' "provider_groups": [{"npi": [0], "tin": {"type": "ein", "value": "00-0000000"}}]}],'
    ' "in_network": [\n'
)
PRICE = (
    '{{"negotiated_type": "{kind}", "negotiated_rate": {rate}, "expiration_date": "9999-12-31",'
    ' "service_code": ["11", "22"], "billing_class": "{klass}"}}'
)
CODES = 2000
RATES_PER_CODE = 40
GROUPS_PER_ITEM = 60


def _code(i: int) -> str:
    return f"{10000 + i * 41 % 89999:05d}"


def write_tic(path: Path, size_mb: int, seed: int = 7) -> int:
    """Write the file; return the number of negotiated prices written."""
    rng = random.Random(seed)
    rates = {
        _code(i): [
            f"{rng.uniform(20, 900) * rng.uniform(0.8, 1.6):.2f}" for _ in range(RATES_PER_CODE)
        ]
        for i in range(CODES)
    }
    target = size_mb * 1024 * 1024
    written = prices = 0
    with path.open("w") as out:
        out.write(HEADER)
        item = 0
        while written < target:
            code = _code(item % CODES)
            groups = []
            for _ in range(GROUPS_PER_ITEM):
                choices = rates[code]
                group_prices = ", ".join(
                    PRICE.format(
                        kind="negotiated" if rng.random() < 0.95 else "percentage",
                        rate=rng.choice(choices),
                        klass="professional" if rng.random() < 0.8 else "institutional",
                    )
                    for _ in range(3)
                )
                groups.append(
                    f'{{"provider_references": [1], "negotiated_prices": [{group_prices}]}}'
                )
                prices += 3
            text = (
                ("," if item else "") + f'{{"negotiation_arrangement": "ffs", "name": "synthetic", '
                f'"billing_code_type": "CPT", "billing_code_type_version": "2026", '
                f'"billing_code": "{code}", "description": "synthetic", '
                f'"negotiated_rates": [{", ".join(groups)}]}}\n'
            )
            out.write(text)
            written += len(text)
            item += 1
        out.write("]}\n")
    return prices


if __name__ == "__main__":
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    print(write_tic(Path(sys.argv[1]), size), "prices")
