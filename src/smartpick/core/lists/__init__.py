"""The application list: fees, signals, tiers, the validated request and the optimizer."""
