"""The national-scale benchmark: a deterministic data generator (scale_data), the run
(``python -m benchmark``) and DuckDB as its reference. See README, section Performance."""
