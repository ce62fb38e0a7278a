"""Estimators: batched weighted least squares (SPP) and integer ambiguity resolution (LAMBDA); Kalman filters
come later."""
