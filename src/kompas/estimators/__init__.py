"""Estimators: batched weighted least squares (SPP); Kalman filters and ambiguity resolution come later."""
