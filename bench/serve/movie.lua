-- POST /predict/movie with one real film (The Kid, 1921).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"The Kid","startYear":1921,"runtimeMinutes":68,"numVotes":40584,"genres":["Comedy","Drama"],"titleType":"movie","isAdult":false}'
