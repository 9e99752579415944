"""Domain rules, each written once: the season, USMLE pass marks and attempts, visas, eligibility."""
