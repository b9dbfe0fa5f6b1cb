"""Fit scikit-learn models on the exact matrices reelcast exported and print JSON.

Usage: python sk_fit.py DIR SET MODEL [TREES] [MIN_SAMPLES_LEAF] [MAX_FEATURES]
  SET   full | basics | original  (the feature set reelcast exported)
  MODEL rf | hgb | hgb-reelcast (HGB with reelcast's default boosting settings:
        150 iterations, learning rate 0.05, 31 leaves, min_samples_leaf 20, L2
        regularization 3; sklearn has no row subsampling)
Same fields as `bench_tool fit`: fit_s, rmse, mae, r2, predict_row_us, batch_rows_per_s.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score


def load(path):
    df = pd.read_csv(path)
    return df.drop(columns=["rating"]).to_numpy(np.float32), df["rating"].to_numpy(np.float64)


def main():
    d, feature_set, model = sys.argv[1], sys.argv[2], sys.argv[3]
    trees = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    leaf = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    max_features = float(sys.argv[6]) if len(sys.argv) > 6 else 1.0
    x_train, y_train = load(f"{d}/{feature_set}_train.csv")
    x_test, y_test = load(f"{d}/{feature_set}_test.csv")
    if model == "rf":
        est = RandomForestRegressor(
            n_estimators=trees, random_state=42, n_jobs=-1,
            min_samples_leaf=leaf, max_features=max_features,
        )
    elif model == "hgb-reelcast":
        est = HistGradientBoostingRegressor(
            max_iter=150, learning_rate=0.05, max_leaf_nodes=31, min_samples_leaf=20,
            l2_regularization=3.0, random_state=42,
        )
    else:
        est = HistGradientBoostingRegressor(random_state=42)
    t = time.perf_counter()
    est.fit(x_train, y_train)
    fit_s = time.perf_counter() - t
    pred = np.clip(est.predict(x_test), 1.0, 10.0)

    n_single = min(200, len(x_test))
    t = time.perf_counter()
    for i in range(n_single):
        est.predict(x_test[i : i + 1])
    row_us = (time.perf_counter() - t) / n_single * 1e6

    reps = max(1, 200_000 // len(x_test))
    big = np.tile(x_test, (reps, 1))
    t = time.perf_counter()
    est.predict(big)
    batch = len(big) / (time.perf_counter() - t)

    print(json.dumps({
        "tool": "scikit-learn", "model": model, "set": feature_set,
        "n_train": len(x_train), "n_test": len(x_test), "n_features": x_train.shape[1],
        "fit_s": fit_s,
        "rmse": float(np.sqrt(mean_squared_error(y_test, pred))),
        "mae": float(mean_absolute_error(y_test, pred)),
        "r2": float(r2_score(y_test, pred)),
        "predict_row_us": row_us,
        "batch_rows_per_s": batch,
    }))


if __name__ == "__main__":
    main()
