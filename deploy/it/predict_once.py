#!/usr/bin/env python3
"""POST one film to URL/predict/movie; exit 0 when the predicted rating is in [1, 10].

Usage: predict_once.py http://127.0.0.1:8000   (Python standard library only)
"""
import json
import sys
import urllib.request

FILM = {"title": "The Shawshank Redemption", "startYear": 1994, "runtimeMinutes": 142,
        "numVotes": 2500000, "genres": ["Drama"]}

req = urllib.request.Request(sys.argv[1].rstrip("/") + "/predict/movie",
                             data=json.dumps(FILM).encode(),
                             headers={"content-type": "application/json"})
with urllib.request.urlopen(req, timeout=10) as resp:
    rating = json.load(resp)["predicted_rating"]
print("predicted_rating", rating)
sys.exit(0 if 1 <= rating <= 10 else 1)
