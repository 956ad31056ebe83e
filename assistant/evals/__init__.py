"""Evaluation: datasets, metrics and the runner behind `payer-assistant eval`."""
