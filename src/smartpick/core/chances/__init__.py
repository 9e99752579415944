"""Chances: the calibrated model of interview and match probabilities, and its inputs."""
